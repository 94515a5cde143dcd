"""Everything no other handler took: unknown commands, messages, old buttons, errors.

Registered last, so each concern above gets its input first.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.constants import ChatType, MessageLimit
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core import awaiting
from bot.screens import views
from bot.core.db_locks import is_busy
from bot.search.greetings import is_greeting
from bot.channels.telegram.handlers import followup, search
from bot.channels.telegram.handlers.common import onboarded, reader_language, show, stale_button, staff_of, user_of
from bot.screens.messaging import send_html
from bot.core.services import Services, services
from bot.people.users import User

log = logging.getLogger(__name__)


@onboarded
async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.text_screen(s.renderer, user.lang, "errors.unknown_command", with_menu=True), user)


@onboarded
async def message(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    """Any message that is not a command: an awaited answer, free text, or something unreadable."""
    text = update.effective_message.text
    if text is not None and len(text) > MessageLimit.MAX_TEXT_LENGTH:
        await show(update, context, views.text_screen(s.renderer, user.lang, "errors.too_long", with_menu=True), user)
        return
    awaited = awaiting.current(s.db, user.id)
    handler = awaiting.handler_for(awaited.kind) if awaited else None
    if handler is not None:
        await handler(update, context, user, awaited)
    elif await followup.offer(update, context, s, user):
        return
    elif text is None:
        await show(update, context, views.text_screen(s.renderer, user.lang, "errors.not_text", with_menu=True), user)
    else:
        await free_text(update, context, s, user, text)


async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, text: str) -> None:
    """A greeting gets the menu; anything else is a question to search."""
    if is_greeting(text, user.lang):
        menu = views.menu_screen(s.renderer, user)
        await show(update, context, replace(menu, text=lambda lg: s.renderer.ui(lg, "greeting.hello")), user)
        return
    await search.answer(update, context, s, user, text)


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Button data that matches no pattern in ``bot/screens/buttons.py``: forged, or from an old version."""
    await update.callback_query.answer()
    s = services(context)
    member = staff_of(update, context)
    if member is not None:
        await send_html(context.bot, update.effective_chat.id, s.renderer.ui(member.lang, "km.stale_button"))
        return
    await stale_button(update, context, user_of(update, context))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the fault and tell the person something went wrong, in their language.

    A locked database (another process holds the write lock) is no bug: the
    person hears that their action was not saved and can try again.
    """
    busy = is_busy(context.error)
    if busy:
        log.warning("database locked while handling an update: %s", context.error)
    else:
        log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:  # never a word in a group, not even this
        return
    s = services(context)
    user = user_of(update, context)
    lang = reader_language(s, update, user)
    key = "errors.try_again" if busy else "errors.generic"
    try:
        await show(update, context, views.text_screen(s.renderer, lang, key), user, lang)
    except Exception:  # the chat itself may be the fault (blocked, gone); it is logged above
        log.warning("could not tell chat %s about the error", update.effective_chat.id)


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, message))
    app.add_handler(CallbackQueryHandler(unknown_button))
    app.add_error_handler(on_error)
