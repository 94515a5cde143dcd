"""The Telegram channel (until the outgoing seam lands: sends the core's messages through PTB's Bot)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode

from bot.core.channel import Attachment, Channel, Outgoing, Sent
from bot.screens.messaging import send_html

NAME = "telegram"


def to_markup(keyboard: Any) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    if isinstance(keyboard, InlineKeyboardMarkup):
        return keyboard
    return InlineKeyboardMarkup(
        [
            [b if isinstance(b, InlineKeyboardButton) else InlineKeyboardButton(b.label, callback_data=b.action) for b in row]
            for row in keyboard
        ]
    )


class TelegramChannel:
    name = NAME

    def __init__(self, bot: Bot, channels: Mapping[str, Channel] | None = None) -> None:
        self.bot = bot
        self.channels = channels if channels is not None else {}

    async def send(self, address: str, message: Outgoing) -> Sent:
        sent = await send_html(self.bot, int(address), message.html, to_markup(message.keyboard))
        last = sent[-1]
        if message.voice is not None:
            recording = InputFile(message.voice.read_bytes(), filename=message.voice.name)  # .ogg: audio/ogg
            last = await self.bot.send_voice(int(address), recording)
        return Sent(NAME, str(last.message_id))

    async def send_document(self, address: str, file_name: str, data: bytes, caption: str) -> Sent:
        sent = await self.bot.send_document(
            int(address), InputFile(data, filename=file_name), caption=caption, parse_mode=ParseMode.HTML
        )
        return Sent(NAME, str(sent.message_id))

    async def file_bytes(self, attachment: Attachment) -> bytes:
        found = await self.bot.get_file(attachment.ref)
        return bytes(await found.download_as_bytearray())
