"""/away with a substitute, and /back: questions go to the substitute meanwhile."""

from __future__ import annotations

from datetime import datetime, time

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.core.channel import as_keyboard
from bot.people import audit
from bot.delivery import notices
from bot.casework import staff
from bot.screens import buttons as patterns
from bot.core.clock import iso
from bot.core.config import TIMEZONE
from bot.core.features import Feature
from bot.reminders.dutch_dates import DateError, parse
from bot.channels.telegram.handlers.common import pressed
from bot.channels.telegram.handlers.klantmanager import (
    AWAY,
    button,
    klantmanager_only,
    not_yours,
    say,
)
from bot.core.services import Services
from bot.casework.staff import Staff


@klantmanager_only
async def away(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/away <date>: absent until the end of that day; choose a substitute."""
    text = " ".join(context.args or [])
    if not text:
        await say(update, context, km.lang, "km.away_usage")
        return
    try:
        when = parse(text, s.clock.now())
    except DateError as exc:
        await say(update, context, km.lang, f"km.date.{exc.reason}", **exc.values)
        return
    until = datetime.combine(when.day, time(23, 59), tzinfo=TIMEZONE)
    colleagues = [k for k in staff.all_klantmanagers(s.db) if k.id != km.id]
    if not colleagues:
        await say(update, context, km.lang, "km.transfer_no_colleagues")
        return
    stamp = int(until.timestamp())
    buttons = [[button(k.name, f"{AWAY}:{k.id}:{stamp}")] for k in colleagues]
    await say(update, context, km.lang, "km.away_choose", as_keyboard(buttons), until=iso(until))


@klantmanager_only
async def away_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    fields = pressed(context)
    substitute = staff.get_staff(s.db, int(fields["substitute"]))
    until = datetime.fromtimestamp(int(fields["until"]), TIMEZONE)
    now = s.clock.now()
    if substitute is None or not substitute.is_klantmanager or substitute.id == km.id:
        await not_yours(update, context, km, None)
        return
    if until <= now:  # an old button: that day is over
        await say(update, context, km.lang, "km.stale_button")
        return
    staff.set_away(s.db, km.id, until, substitute.id)
    audit.record(s.db, now, km.id, "away", None, until=iso(until), substitute=substitute.id)
    notices.notify(
        s.db,
        chat_id=substitute.id,
        about=substitute.id,
        key="km.away_substitute",
        now=now,
        colleague=km.name,
        until=iso(until),
    )
    await say(update, context, km.lang, "km.away_set", until=iso(until), substitute=substitute.name)


@klantmanager_only
async def back(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    staff.set_away(s.db, km.id, None, None)
    audit.record(s.db, s.clock.now(), km.id, "back", None)
    await say(update, context, km.lang, "km.back")


def _register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("away", away, filters=private))
    app.add_handler(CommandHandler("back", back, filters=private))
    app.add_handler(CallbackQueryHandler(away_button, pattern=patterns.AWAY))


FEATURE = Feature(name="km_absence", telegram=_register, staff_commands=("away", "back"), staff_buttons=(AWAY,))
