"""/reminders: pause repetition for a while, or turn it on again; see coming appointments.

Registering this module also registers the outbox kinds of reminders and
repetition (``bot/reminders/reminder_senders.py``).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.reminders import appointments, reminder_senders, reminder_views, repetition
from bot.screens import buttons
from bot.channels.telegram.handlers.common import onboarded, pressed, show
from bot.core.services import Services
from bot.texts.timing import load_timing
from bot.people.users import User


async def _show_state(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    now = s.clock.now()
    upcoming = appointments.list_appointments(s.db, user_id=user.id, after=now, planned_only=True)
    paused = repetition.paused_until(s.db, user.id, now)
    await show(update, context, reminder_views.reminders_screen(s.renderer, user.lang, paused, upcoming), user)


@onboarded
async def reminders(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await _show_state(update, context, s, user)


@onboarded
async def reminders_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    if pressed(context)["action"] == reminder_views.PAUSE:
        repetition.pause(s.db, load_timing(s.renderer.journey), user.id, s.clock.now())
    else:
        repetition.resume(s.db, user.id)
    await _show_state(update, context, s, user)


def register(app: Application) -> None:
    reminder_senders.register_kinds()
    app.add_handler(CommandHandler("reminders", reminders, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(reminders_button, pattern=buttons.REMINDERS))
