"""Files people and klantmanagers send in Telegram, as the core's ``Attachment``s."""

from __future__ import annotations

from telegram import Message

from bot.casework.handoff import Pending, pending_from
from bot.channels.telegram.channel import NAME
from bot.core.channel import Attachment


def attachment_of(message: Message) -> Attachment | None:
    """A photo (its largest size), a document or a voice message; None for anything else."""
    if message.photo:
        return Attachment("photo", NAME, message.photo[-1].file_id)
    if message.document:
        return Attachment("document", NAME, message.document.file_id, message.document.file_name)
    if message.voice:
        return Attachment("voice", NAME, message.voice.file_id)
    return None


def pending_from_message(message: Message) -> Pending | None:
    """What of a Telegram message can be relayed: text, a photo, a document, a voice message."""
    if message.text:
        return Pending(kind="text", text=message.text)
    return pending_from(message.caption, attachment_of(message))
