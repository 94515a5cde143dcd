"""The Telegram channel: the core's messages as Bot API calls, Telegram's failures as the core's errors.

Text goes as Telegram HTML, split at paragraphs to fit 4096 characters, the
buttons under the last part; a recording or a file follows. A file that came
through Telegram is sent again by its file_id; one from another channel is
uploaded from the bytes that channel gives.

Telegram's answers become the core's errors (``bot/core/channel.py``):
403 -> ``Blocked``; 429 that the rate limiter gave up on -> ``RetryLater``;
400 -> ``Rejected``; no answer in time after the request went out ->
``InDoubt``; a request that never left, 5xx and other network trouble ->
``Unreachable`` (tried again with doubling waits).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from bot.channels.telegram.markup import split_message
from bot.channels.telegram.ratelimit import retry_seconds
from bot.core.channel import (
    Attachment,
    Blocked,
    Channel,
    InDoubt,
    Keyboard,
    Outgoing,
    Rejected,
    RetryLater,
    Sent,
    Unreachable,
)

NAME = "telegram"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CAPTION_LIMIT = 1024
"""Telegram's limit for the caption of a photo, document or voice message."""


def to_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """Neutral buttons as Telegram's inline keyboard (None for no buttons)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url) if b.url else InlineKeyboardButton(b.label, callback_data=b.action)
                for b in row
            ]
            for row in keyboard
        ]
    )


def went_out_in_doubt(error: TimedOut) -> bool:
    """Whether a timed-out request may have reached Telegram (it was written, the answer never came)."""
    return not isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


@asynccontextmanager
async def core_errors() -> AsyncIterator[None]:
    """Raise Telegram's failures inside as the core's errors."""
    try:
        yield
    except Forbidden as exc:
        raise Blocked(str(exc)) from exc
    except RetryAfter as exc:
        raise RetryLater(retry_seconds(exc), str(exc)) from exc
    except BadRequest as exc:
        raise Rejected(f"BadRequest: {exc}") from exc
    except TimedOut as exc:
        if went_out_in_doubt(exc):
            raise InDoubt(str(exc)) from exc
        raise Unreachable(f"TimedOut: {exc}") from exc
    except TelegramError as exc:  # NetworkError (no connection, 5xx) and the rest
        raise Unreachable(f"{type(exc).__name__}: {exc}") from exc


class TelegramChannel:
    """``Channel`` over PTB's ``Bot``; ``address`` is the Telegram chat id.

    ``channels``: every channel of the bot, to fetch the bytes of a file that
    came through another one.
    """

    name = NAME

    def __init__(self, bot: Bot, channels: Mapping[str, Channel] | None = None) -> None:
        self.bot = bot
        self.channels = channels if channels is not None else {}

    async def send(self, address: str, message: Outgoing) -> Sent:
        async with core_errors():
            last = await self._send(int(address), message)
        return Sent(NAME, str(last.message_id))

    async def _send(self, chat_id: int, message: Outgoing) -> Message:
        markup = to_markup(message.keyboard)
        attachment = message.attachment
        if attachment is not None:
            if len(message.html) <= CAPTION_LIMIT:
                return await self._send_file(chat_id, attachment, caption=message.html, markup=markup)
            await self._send_text(chat_id, message.html, None)
            return await self._send_file(chat_id, attachment, markup=markup)
        last = await self._send_text(chat_id, message.html, markup)
        if message.voice is not None:
            recording = InputFile(message.voice.read_bytes(), filename=message.voice.name)  # .ogg: audio/ogg
            last = await self.bot.send_voice(chat_id, recording)
        return last

    async def _send_text(self, chat_id: int, html: str, markup: InlineKeyboardMarkup | None) -> Message:
        parts = split_message(html)
        sent = None
        for number, part in enumerate(parts, start=1):
            sent = await self.bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if number == len(parts) else None,
                link_preview_options=NO_PREVIEW,
            )
        assert sent is not None, "split_message gives at least one part"
        return sent

    async def _send_file(
        self, chat_id: int, attachment: Attachment, *, caption: str | None = None, markup: InlineKeyboardMarkup | None
    ) -> Message:
        send = {"photo": self.bot.send_photo, "document": self.bot.send_document, "voice": self.bot.send_voice}[
            attachment.kind
        ]
        if attachment.channel == NAME:
            file: str | InputFile = attachment.ref
        else:
            data = await self.channels[attachment.channel].file_bytes(attachment)
            file = InputFile(data, filename=attachment.file_name or attachment.kind)
        return await send(
            chat_id, file, caption=caption or None, parse_mode=ParseMode.HTML if caption else None, reply_markup=markup
        )

    async def send_document(self, address: str, file_name: str, data: bytes, caption: str) -> Sent:
        """A file made for the person (their data export), uploaded from its bytes, with an HTML caption."""
        async with core_errors():
            sent = await self.bot.send_document(
                int(address), InputFile(data, filename=file_name), caption=caption, parse_mode=ParseMode.HTML
            )
        return Sent(NAME, str(sent.message_id))

    async def file_bytes(self, attachment: Attachment) -> bytes:
        async with core_errors():
            found = await self.bot.get_file(attachment.ref)
            return bytes(await found.download_as_bytearray())
