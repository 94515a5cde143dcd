"""Sending a screen to a person: their language, the bilingual view, splitting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode

from bot.channels.telegram.markup import split_message
from bot.texts.render import Renderer
from bot.people.users import User

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True)
class Screen:
    """A message: its text in any language, and its buttons.

    ``text`` renders the message in a given language, so the bilingual view
    can render the same message in Dutch below the person's own language.
    """

    text: Callable[[str], str]
    keyboard: InlineKeyboardMarkup | None = None
    bilingual: bool = True
    voice: Path | None = None
    """A recording of the text in the person's language, sent after it as a voice message."""


def compose(renderer: Renderer, screen: Screen, lang: str, bilingual: bool) -> str:
    own = screen.text(lang)
    source = renderer.journey.source_language
    if not (bilingual and screen.bilingual and lang != source):
        return own
    dutch = screen.text(source)
    if not dutch:  # nothing of this message exists in Dutch (the part behind "Read more" of a translation)
        return own
    label = renderer.ui(lang, "bilingual.dutch_label")
    return f"{own}\n\n{label}\n{dutch}"


async def send_html(
    bot: Bot, chat_id: int, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Send Telegram HTML of any length: split at paragraphs, buttons under the last part."""
    parts = split_message(html)
    sent = []
    for number, part in enumerate(parts, start=1):
        markup = keyboard if number == len(parts) else None
        sent.append(
            await bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
            )
        )
    return sent


async def send_screen(
    bot: Bot, renderer: Renderer, chat_id: int, screen: Screen, lang: str, user: User | None = None
) -> list[Message]:
    text = compose(renderer, screen, lang, bool(user and user.bilingual))
    sent = await send_html(bot, chat_id, text, screen.keyboard)
    if screen.voice is not None:
        recording = InputFile(screen.voice.read_bytes(), filename=screen.voice.name)  # .ogg: audio/ogg
        sent.append(await bot.send_voice(chat_id, recording))
    return sent
