"""Answers to "Did you understand?" under a critical item.

"Ask my klantmanager" (``ask:item:<id>``) is handled by the handoff (``handlers/ask.py``).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.screens import buttons, views
from bot.reminders import reminder_views, repetition
from bot.channels.telegram.handlers.common import onboarded, pressed, show, stale_button
from bot.core.services import Services
from bot.people.users import User


@onboarded
async def check_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    action, item_id = pressed(context)["action"], pressed(context)["item"]
    if not s.renderer.journey.is_critical(item_id):
        await stale_button(update, context, user)
        return
    now = s.clock.now()
    if action == reminder_views.UNDERSTOOD:
        repetition.confirm(s.db, user.id, item_id, now)
        await show(update, context, views.text_screen(s.renderer, user.lang, "check.thanks", with_menu=True), user)
    else:
        repetition.mark_unclear(s.db, user.id, item_id, now)
        await show(update, context, reminder_views.unclear_screen(s.renderer, user.lang, item_id), user)
    repetition.bring_next(s.db, user.id, now)  # after this answer, not before it


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(check_button, pattern=buttons.CHECK))
