"""What staff read about counts and languages: plural forms and language names in Dutch.

A text with a count has one ui key per CLDR plural form, e.g.
``km.clients_count.one: "{{ count }} klant"`` and
``km.clients_count.other: "{{ count }} klanten"``; Babel's plural rules for
the reader's locale choose the form (Dutch has ``one`` and ``other``; other
languages have more), so no text is built by adding an "-en" in code.
"""

from __future__ import annotations

from babel import Locale

from bot.texts.render import Renderer

OTHER = "other"
"""The plural form every language has: the one used when a form is not written."""


def plural_key(renderer: Renderer, lang: str, key: str, count: int) -> str:
    """The ui key of ``key``'s plural form for ``count`` in ``lang``."""
    form = Locale.parse(renderer.journey.locale(lang)).plural_form(count)
    texts = renderer.content.ui.get(lang, {})
    return f"{key}.{form}" if f"{key}.{form}" in texts else f"{key}.{OTHER}"


def plural(renderer: Renderer, lang: str, key: str, count: int, **values: object) -> str:
    """The text for ``count`` things (the value ``count`` is filled in)."""
    return renderer.ui(lang, plural_key(renderer, lang, key, count), count=count, **values)


def language_name(renderer: Renderer, reader_lang: str, code: str) -> str:
    """A statushouder's language as a staff member calls it: "Arabisch", "Farsi", "Tigrinya".

    The name is the ui text ``km.language.<code>`` when the team wrote one (the
    team says "Farsi" where CLDR says "Perzisch"), otherwise CLDR's name in
    the reader's locale, otherwise the code itself.
    """
    written = renderer.content.ui.get(reader_lang, {}).get(f"km.language.{code}")
    if written:
        return renderer.button(reader_lang, f"km.language.{code}")
    return Locale.parse(renderer.journey.locale(reader_lang)).languages.get(code) or code
