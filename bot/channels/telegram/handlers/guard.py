"""What the other handlers never see: groups and channels, edited messages.

Wegwijs talks in private chats only. In a group, supergroup or channel it says
nothing, for every role, and leaves when it is added. An edited message is not
new input (editing an old message into ``/delete`` must not erase anything): the
person is asked to send it again. And a command or a menu button ends whatever
answer the bot was waiting for (``bot/core/awaiting.py``), so "housing" typed after
``/menu`` is a search, not the question for the klantmanager.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import ChatMemberAdministrator, ChatMemberMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, TypeHandler, filters

from bot.core import awaiting
from bot.screens import buttons, views
from bot.channels.telegram.handlers.common import person, reader_language, show, staff_of, user_of
from bot.channels.telegram.handlers.fallback import unknown_button
from bot.screens.messaging import send_html
from bot.core.services import services

BEFORE_ALL = -1
"""Handler group that runs before the others and lets the update go on to them."""


def _outside_private_chat(update: Update) -> bool:
    chat = update.effective_chat
    if chat is None:  # a button under an inline message: there is no chat to answer in
        return update.callback_query is not None
    return chat.type != ChatType.PRIVATE


def _edited_message(update: Update) -> bool:
    return update.edited_message is not None


def _button_without_data(update: Update) -> bool:
    return update.callback_query is not None and not update.callback_query.data


async def _say_nothing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    member = update.my_chat_member
    if member is not None and isinstance(member.new_chat_member, ChatMemberMember | ChatMemberAdministrator):
        await context.bot.leave_chat(member.chat.id)


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    member = staff_of(update, context)
    if member is not None:
        await send_html(context.bot, update.effective_chat.id, s.renderer.ui(member.lang, "errors.edited"))
        return
    user = user_of(update, context)
    lang = reader_language(s, update, user)
    with_menu = user is not None and user.onboarded
    await show(update, context, views.text_screen(s.renderer, lang, "errors.edited", with_menu=with_menu), user, lang)


async def _end_pending_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
        person_id = person(update, context)
        if person_id is not None:
            awaiting.clear(services(context).db, person_id)


class _When(TypeHandler):
    """Any update for which ``test`` holds."""

    def __init__(
        self, test: Callable[[Update], bool], callback: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
    ) -> None:
        super().__init__(Update, callback)
        self._test = test

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and self._test(update)


def register(app: Application) -> None:
    # Registered before every other module: the first match in a group wins.
    app.add_handler(_When(_outside_private_chat, _say_nothing))
    app.add_handler(_When(_edited_message, _edited))
    # A button without data (Telegram sends none for a game) passes every pattern in PTB: stale.
    app.add_handler(_When(_button_without_data, unknown_button))
    new_command = filters.UpdateType.MESSAGE & filters.COMMAND
    app.add_handler(MessageHandler(new_command, _end_pending_input), group=BEFORE_ALL)
    app.add_handler(CallbackQueryHandler(_end_pending_input, pattern=buttons.MENU), group=BEFORE_ALL)
