"""Telegram's own guard: Wegwijs talks in private chats only.

In a group, supergroup or channel it says nothing, for every role, and leaves
when it is added. Registered before every feature: the first match in a group wins.
"""

from __future__ import annotations

from telegram import ChatMemberAdministrator, ChatMemberMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes

from bot.channels.telegram.routes import When


def _outside_private_chat(update: Update) -> bool:
    chat = update.effective_chat
    if chat is None:  # a button under an inline message: there is no chat to answer in
        return update.callback_query is not None
    return chat.type != ChatType.PRIVATE


async def _say_nothing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    member = update.my_chat_member
    if member is not None and isinstance(member.new_chat_member, ChatMemberMember | ChatMemberAdministrator):
        await context.bot.leave_chat(member.chat.id)


def register(app: Application) -> None:
    app.add_handler(When(_outside_private_chat, _say_nothing))
