"""Critical texts whose translation nobody has checked yet come with the Dutch original.

A critical item has consequences (money, appointments, documents). While its
translation in the reader's language is not reviewed against the current
Dutch text (see ``bot.editors.review``), the reader gets the translation, one short
line saying it is not checked yet, and the Dutch text below it: something
they can show to someone they trust. With a "Read more" split, that is the
short part (what to do) in both languages.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.texts.render import Renderer
from bot.editors.review import is_checked

NOTE_KEY = "translation.unchecked"


def needs_original(r: Renderer, lang: str, item_id: str) -> bool:
    """Whether the reader of ``lang`` gets a critical item in an unchecked translation."""
    if not r.journey.is_critical(item_id):
        return False
    for candidate in r.journey.fallback_chain(lang):
        item = r.content.item(candidate, item_id)
        if item is not None:
            return not is_checked(r.content, item)
    return False


def with_original(r: Renderer, item_id: str, text: Callable[[str], str]) -> Callable[[str], str]:
    """An item's text per language; where that is an unchecked critical translation, with the note and the Dutch."""
    source = r.journey.source_language

    def shown(lang: str) -> str:
        own = text(lang)
        if not needs_original(r, lang, item_id):
            return own
        return f"{own}\n\n{r.ui(lang, NOTE_KEY)}\n\n{text(source)}"

    return shown
