"""The "Read more" button under an item's short part (``more:<item id>``): sends the rest."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.screens import buttons, views
from bot.channels.telegram.handlers.common import onboarded, pressed, show, stale_button
from bot.core.services import Services
from bot.people.users import User


@onboarded
async def read_more(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    """A forged id, or an item that no longer has a part behind the marker, gets the stale-button answer."""
    item_id = pressed(context)["item"]
    parts = s.renderer.item_parts(user.lang, item_id) if item_id in s.renderer.journey.referenced_items() else None
    if parts is None or not parts.more:
        await stale_button(update, context, user)
        return
    await show(update, context, views.more_screen(s.renderer, user.lang, item_id), user)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(read_more, pattern=buttons.MORE))
