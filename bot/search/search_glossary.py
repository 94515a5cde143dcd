"""The glossary's words for search: what people call the Dutch terms an item uses.

``content/glossary.yaml`` (loaded by ``bot.texts.glossary``) gives each Dutch
institutional term, per language, its spellings in the reader's script
("كلانت مانجر") and the everyday words people use for it ("مصاري" for
uitkering), dialect included.

An item *uses* a term when its Dutch text has it (``Term.used_in``: also
inflected, or as the start of a compound). Its search words then include the
term, its spellings and its everyday words, in every language, in the same
field as the Dutch term: the title when the Dutch title has it, else the
keywords, the summary or the body. Search weighs the fields as it does for
the editors' own words, so "كلانت مانجر" finds the item titled
"Uw klantmanager" before the items that have "klantmanager" as a keyword,
and an item that only mentions the klantmanager in its body still matches a
longer question.

The glossary comes with the loaded content (``Content.glossary``): content
whose glossary cannot be read is refused as a whole, so search always has
the glossary of the texts it indexes.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.texts.content import Item
from bot.texts.glossary import Term

FIELDS = ("title", "keywords", "summary", "body")
"""The fields of an item, strongest first: a term counts where it first stands."""

PHRASE_FIELD = {"title": "summary", "keywords": "summary"}
"""Where a phrase of several everyday words goes instead of the title or keywords."""

Usage = dict[str, tuple[str, ...]]
"""The glossary words one item gets in one language, per field."""


def _spellings(term: Term, lang: str) -> tuple[str, ...]:
    """The Dutch word and its spellings, each also without its spaces.

    People write a loanword with and without the space ("كلانت مانجر",
    "كلانتمانجر").
    """
    entry = term.entry(lang)
    out = []
    for spelling in (term.term, *(entry.say if entry else ())):
        out.append(spelling)
        if len(parts := spelling.split()) > 1:
            out.append("".join(parts))
    return tuple(out)


def _everyday(term: Term, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The everyday words: single words, and phrases of several words."""
    entry = term.entry(lang)
    words = entry.words if entry else ()
    return tuple(w for w in words if len(w.split()) == 1), tuple(w for w in words if len(w.split()) > 1)


def _fields(item: Item) -> dict[str, str]:
    return dict(zip(FIELDS, (item.title, " ".join(item.keywords), item.summary, item.body), strict=True))


class GlossaryWords:
    """Which terms each item uses, and in which field, decided once from the Dutch texts."""

    def __init__(self, terms: Iterable[Term], sources: Iterable[Item]) -> None:
        self._uses: dict[str, dict[str, list[Term]]] = {}
        # The term's first word as plain text first: a quick no for most texts.
        patterns = [(term, term.term.split()[0].casefold(), term.pattern) for term in terms]
        for item in sources:
            fields = {name: (text.casefold(), text) for name, text in _fields(item).items()}
            for term, first, pattern in patterns:
                field = next(
                    (name for name, (folded, text) in fields.items() if first in folded and pattern.search(text)), None
                )
                if field is not None:
                    self._uses.setdefault(item.id, {}).setdefault(field, []).append(term)

    def usage(self, item_id: str, lang: str) -> Usage:
        """Per field, the words to add.

        A phrase of several everyday words ("iemand van de gemeente", "الموظف
        تبعي") goes no higher than the summary: as a keyword its little words
        ("mijn", "تبعي") would put the item first for any question that has them.
        """
        out: dict[str, list[str]] = {}
        for field, terms in self._uses.get(item_id, {}).items():
            for term in terms:
                words, phrases = _everyday(term, lang)
                out.setdefault(field, []).extend((*_spellings(term, lang), *words))
                out.setdefault(PHRASE_FIELD.get(field, field), []).extend(phrases)
        return {field: tuple(dict.fromkeys(words)) for field, words in out.items() if words}
