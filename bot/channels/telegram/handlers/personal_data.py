"""The person's rights over their data: /privacy, /mydata, /delete."""

from __future__ import annotations

import io
import json

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.screens import buttons, views
from bot.people import retention
from bot.core.clock import iso
from bot.core.db import personal_tables
from bot.channels.telegram.handlers.common import (
    argument,
    ask_for_missing_onboarding,
    onboarded,
    show,
    stale_button,
    user_of,
)
from bot.people.leaving import erase_and_tell
from bot.screens.messaging import Screen
from bot.people.personal_export import personal_export
from bot.texts.render import Renderer
from bot.core.services import Services, services
from bot.people.users import User, clear_confirm_token, new_confirm_token

EXPORT_FILE_NAME = "wegwijs-mydata.json"


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    user = user_of(update, context)
    if user is None or not user.lang:
        await ask_for_missing_onboarding(update, context, user)
        return
    await show(update, context, views.privacy_screen(s.renderer, user.lang, accepted=user.onboarded), user)


def mydata_screen(r: Renderer, user: User, counts: dict[str, int], erase_at: str | None) -> Screen:
    step = r.journey.step(user.step)

    def text(lg: str) -> str:
        lines = [
            r.ui(lg, "mydata.header"),
            "",
            r.ui(lg, "mydata.language", value=r.button(user.lang, "language.name")),
            r.ui(lg, "mydata.step", value=r.title(lg, step.overview)) if step else r.ui(lg, "mydata.no_step"),
            r.ui(lg, "mydata.bilingual_on" if user.bilingual else "mydata.bilingual_off"),
            r.ui(lg, "mydata.privacy_accepted", when=user.privacy_accepted_at),
        ]
        if user.start_code:
            lines.append(r.ui(lg, "mydata.start_code", code=user.start_code))
        lines.extend(r.ui(lg, f"mydata.table.{name}", count=n) for name, n in counts.items() if n)
        if erase_at:
            lines.extend(["", r.ui(lg, "mydata.erase_at", when=erase_at)])
        lines.extend(["", r.ui(lg, "mydata.footer")])
        return "\n".join(lines)

    return Screen(text=text, keyboard=None)


@onboarded
async def mydata(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    data = personal_export(s.db, user.id)
    counts = {name: len(data[name]) for name in personal_tables(s.db)}
    rules = retention.load_rules(s.renderer.journey)
    erase_at = iso(rules.inactive.after(s.clock.now()))  # the person is active now: the period starts anew
    await show(update, context, mydata_screen(s.renderer, user, counts, erase_at), user)
    document = io.BytesIO(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    await context.bot.send_document(
        update.effective_chat.id,
        document,
        filename=EXPORT_FILE_NAME,
        caption=s.renderer.ui(user.lang, "mydata.file_caption"),
        parse_mode=ParseMode.HTML,
    )


@onboarded
async def delete(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    token = new_confirm_token(s.db, user.id)
    await show(update, context, views.delete_screen(s.renderer, user.lang, token), user)


@onboarded
async def delete_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    answer, _, token = argument(update).partition(":")
    if answer == "no":
        clear_confirm_token(s.db, user.id)
        await show(update, context, views.text_screen(s.renderer, user.lang, "delete.cancelled", with_menu=True), user)
        return
    if answer != "yes" or not user.confirm_token or token != user.confirm_token:
        await stale_button(update, context, user)
        return
    erase_and_tell(s.db, [user.id], s.clock.now())
    await show(update, context, views.text_screen(s.renderer, user.lang, "delete.done"), None, user.lang)


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("privacy", privacy, filters=private))
    app.add_handler(CommandHandler("mydata", mydata, filters=private))
    app.add_handler(CommandHandler("delete", delete, filters=private))
    app.add_handler(CallbackQueryHandler(delete_button, pattern=buttons.DELETE))
