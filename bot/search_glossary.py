"""The glossary's words for search: what people call the Dutch terms an item uses.

``content/glossary.yaml`` lists each Dutch institutional term with, per
language, the term spelled in the reader's script (``say``: "كلانت مانجر")
and the everyday words people use for it (``words``: "مصاري" for
uitkering), dialect included::

    terms:
      - term: klantmanager
        nl: {explain: "...", say: [klantmanager], words: [...]}
        ar: {explain: "...", say: ["كلانت مانجر"], words: [...]}

An item *uses* a term when its Dutch title, keywords, summary or body has the
term (a plural or other short ending allowed: "klantmanagers"). Its search
words then include the term, its spellings and the everyday words, in every
language, in the same field as the Dutch term: the title when the Dutch title
has it, else the keywords, the summary or the body. Search weighs the fields
as it does for the editors' own words, so "كلانت مانجر" finds the item
titled "Uw klantmanager" first, before the items that have "klantmanager" as a
keyword, and an item that only mentions the klantmanager in its body still
matches a longer question.

Only ``term``, ``say`` and ``words`` are read here; ``wegwijs content check``
judges the rest of the file. A glossary that cannot be read adds nothing to
search (logged), so a broken file never breaks search.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import textnorm
from bot.content import Item

log = logging.getLogger(__name__)

FILE = "glossary.yaml"
SOURCE = "nl"
"""The language whose text decides which terms an item uses."""
MAX_ENDING = 2
"""Letters a word of the Dutch text may have after the term: klantmanager-s, uitkering-en."""
FIELDS = ("title", "keywords", "summary", "body")
"""The fields of an item, strongest first: a term counts where it first stands."""


@dataclass(frozen=True)
class Term:
    term: str
    """The Dutch word, as the texts keep it."""
    words: dict[str, tuple[str, ...]]
    """Per language: the spellings (``say``) and everyday ``words``."""

    def search_words(self, lang: str) -> tuple[str, ...]:
        """The term, its spellings and everyday words for one language.

        A spelling of two words is also given joined ("كلانت مانجر",
        "كلانتمانجر"): people write such loanwords with and without the space.
        """
        out = [self.term]
        for phrase in self.words.get(lang, ()):
            out.append(phrase)
            parts = phrase.split()
            if len(parts) > 1:
                out.append("".join(parts))
        return tuple(dict.fromkeys(out))


Usage = dict[str, tuple[str, ...]]
"""The glossary words one item gets in one language, per field."""


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int | float) and str(v).strip())
    return ()


def parse(data: Any) -> list[Term]:
    """Terms from the loaded YAML; entries without a term are skipped (the check reports them)."""
    entries = data.get("terms") if isinstance(data, dict) else None
    terms = []
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) or not entry["term"].strip():
            continue
        words = {
            str(lang): _strings(texts.get("say")) + _strings(texts.get("words"))
            for lang, texts in entry.items()
            if isinstance(texts, dict)
        }
        terms.append(Term(entry["term"].strip(), words))
    return terms


def load(root: Path) -> list[Term]:
    """The glossary of a content folder; none when the file is missing or unreadable."""
    path = root / FILE
    if not path.exists():
        return []
    try:
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.error("%s cannot be read, search uses no glossary words: %s", path, exc)
        return []


def _contains(words: list[str], term: list[str]) -> bool:
    """The term's words in a row, the last with at most ``MAX_ENDING`` letters after it."""
    *whole, last = term
    n = len(term)
    for i in range(len(words) - n + 1):
        word = words[i + n - 1]
        if words[i : i + n - 1] == whole and word.startswith(last) and len(word) - len(last) <= MAX_ENDING:
            return True
    return False


def _fields(item: Item) -> dict[str, str]:
    texts = {"title": item.title, "keywords": " ".join(item.keywords), "summary": item.summary, "body": item.body}
    return {name: texts[name] for name in FIELDS}


class Glossary:
    """Which terms each item uses, and in which field, decided once from the Dutch texts."""

    def __init__(self, terms: Iterable[Term], sources: Iterable[Item]) -> None:
        self._uses: dict[str, dict[str, list[Term]]] = {}
        terms = [(t, term_words) for t in terms if (term_words := textnorm.words(t.term, SOURCE))]
        for item in sources:
            fields = [(name, textnorm.words(text, SOURCE)) for name, text in _fields(item).items()]
            for term, term_words in terms:
                field = next((name for name, words in fields if _contains(words, term_words)), None)
                if field is not None:
                    self._uses.setdefault(item.id, {}).setdefault(field, []).append(term)

    def usage(self, item_id: str, lang: str) -> Usage:
        return {
            field: tuple(dict.fromkeys(w for t in terms for w in t.search_words(lang)))
            for field, terms in self._uses.get(item_id, {}).items()
        }
