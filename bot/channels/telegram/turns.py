"""From a Telegram update to the core's ``Turn``: the one place that reads what a person did."""

from __future__ import annotations

import sqlite_utils
from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType

from bot.channels.telegram.channel import NAME
from bot.channels.telegram.files import attachment_of
from bot.channels.telegram.identity import person_of
from bot.core.turns import EDITED, Turn

OTHER_KINDS = (
    "sticker", "animation", "audio", "video", "video_note", "location", "venue", "contact", "poll", "dice", "game",
)
"""What else a message may carry, named in ``Turn.other`` (anything unnamed is "message")."""


def _command(message: Message) -> tuple[str | None, tuple[str, ...]]:
    """``/name@bot arg arg`` → ("name", ("arg", "arg")), as PTB's CommandHandler reads it."""
    text = message.text
    entities = message.entities
    if not text or not entities or entities[0].type != MessageEntityType.BOT_COMMAND or entities[0].offset != 0:
        return None, ()
    length = entities[0].length
    return text[1:length].split("@")[0].lower(), tuple(text[length:].split())


def turn_of(update: Update, db: sqlite_utils.Database) -> Turn | None:
    """What a person did in a private chat; None for anything else (groups, channels, members).

    The person is looked up, not made: someone the bot never saw has no
    person id until their first write (``conversation.common.person``).
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return None
    who = {
        "person_id": person_of(db, user.id),
        "channel": NAME,
        "address": str(chat.id),
        "language_hint": user.language_code,
    }
    if update.callback_query is not None:
        return Turn(**who, button=update.callback_query.data or "")
    if update.edited_message is not None:
        return Turn(**who, other=EDITED)
    message = update.message
    if message is None:
        return None
    command, args = _command(message)
    attachment = attachment_of(message)
    text = message.text if message.text is not None else message.caption
    other = None
    if command is None and attachment is None and message.text is None:
        other = next((kind for kind in OTHER_KINDS if getattr(message, kind, None)), "message")
    replied = message.reply_to_message
    return Turn(
        **who,
        command=command,
        args=args,
        text=text,
        attachment=attachment,
        other=other,
        reply_to=str(replied.message_id) if replied is not None else None,
    )
