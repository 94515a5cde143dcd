"""Critical texts whose translation nobody has checked yet come with the Dutch original.

A critical item has consequences (money, appointments, documents). While its
translation in the reader's language is not reviewed against the current
Dutch text (see ``bot.review``), the reader gets the translation, one short
line saying it is not checked yet, and the Dutch text below it: something
they can show to someone they trust.
"""

from __future__ import annotations

from bot.render import GENERIC_ERROR_KEY, Renderer
from bot.review import is_checked

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


def item_html(r: Renderer, lang: str, item_id: str) -> str:
    """The item as Telegram HTML; an unchecked critical translation with the note and the Dutch text under it."""
    item = r.item(lang, item_id)
    if item is None:
        return r.ui(lang, GENERIC_ERROR_KEY)
    original = r.item(r.journey.source_language, item_id) if needs_original(r, lang, item_id) else None
    if original is None:
        return item.html
    return f"{item.html}\n\n{r.ui(lang, NOTE_KEY)}\n\n{original.html}"
