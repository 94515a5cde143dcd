"""A screen, and what a person gets of it: their language, the bilingual view, the recording."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.channel import Keyboard, Outgoing
from bot.people.users import User
from bot.texts.render import Renderer


@dataclass(frozen=True)
class Screen:
    """A message: its text in any language, and its buttons.

    ``text`` renders the message in a given language, so the bilingual view
    can render the same message in Dutch below the person's own language.
    """

    text: Callable[[str], str]
    keyboard: Keyboard = ()
    bilingual: bool = True
    voice: Path | None = None
    """A recording of the text in the person's language, sent after it as a voice message."""


def compose(renderer: Renderer, screen: Screen, lang: str, bilingual: bool) -> tuple[str, str | None]:
    """The message's text, and the Dutch text it ends with in the bilingual view (None without it)."""
    own = screen.text(lang)
    source = renderer.journey.source_language
    if not (bilingual and screen.bilingual and lang != source):
        return own, None
    dutch = screen.text(source)
    if not dutch:  # nothing of this message exists in Dutch (the part behind "Read more" of a translation)
        return own, None
    label = renderer.ui(lang, "bilingual.dutch_label")
    return f"{own}\n\n{label}\n{dutch}", dutch


def outgoing(renderer: Renderer, screen: Screen, lang: str, user: User | None = None) -> Outgoing:
    """The screen as one message to a person: in ``lang``, with the Dutch below when they chose the bilingual view."""
    text, dutch = compose(renderer, screen, lang, bool(user and user.bilingual))
    return Outgoing(html=text, keyboard=screen.keyboard, voice=screen.voice, source=dutch)
