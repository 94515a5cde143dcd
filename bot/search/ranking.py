"""Search over the content: in the person's language first, then in the fallbacks.

The index lives in an in-memory SQLite database, one FTS5 table per language,
built from one loaded ``Content``. It is cached per ``Content`` object and
built as soon as the bot runs (the search feature's job, ``bot.conversation.search``). When content is
reloaded (a new ``Renderer`` with a new ``Content`` replaces
``services.renderer``), the next search builds a fresh index for it (about
35 ms, see ``bench/search.py``) and the old one goes when the old content does.
Each item's index also holds the glossary's words for the Dutch terms it uses
(``bot.search.search_glossary``, from ``Content.glossary``); an edit of
``glossary.yaml`` reloads the content like any other content file.
"""

from __future__ import annotations

import sqlite3
import weakref
from dataclasses import dataclass

import sqlite_utils

from bot.texts.content import Content
from bot.search.search_glossary import GlossaryWords
from bot.search.search_index import LanguageIndex


@dataclass(frozen=True)
class Found:
    item_ids: tuple[str, ...]
    """Best first; empty when nothing matched in any language."""
    lang: str | None
    """The language whose texts matched."""


class SearchIndex:
    """Every language's index for one ``Content``."""

    def __init__(self, content: Content) -> None:
        journey = content.journey
        # Only items a button can open: the path's items and the topics.
        searchable = list(dict.fromkeys(journey.referenced_items()))
        # Built once, then only read, from whichever thread runs the bot.
        db = sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False))
        sources = [item for i in searchable if (item := content.source_item(i)) is not None]
        glossary = GlossaryWords(content.glossary.terms if content.glossary else (), sources)
        self.languages: dict[str, LanguageIndex] = {}
        for lang in journey.languages:
            items = [item for i in searchable if (item := content.item(lang, i)) is not None]
            self.languages[lang] = LanguageIndex(db, lang, items, glossary)
        self._journey = journey

    def search(self, lang: str, text: str) -> Found:
        """Items for a question, searched in the person's language, then English and Dutch."""
        for candidate in self._journey.fallback_chain(lang):
            index = self.languages.get(candidate)
            if index is None:
                continue
            ids = index.search(text)
            if ids:
                return Found(tuple(ids), candidate)
        return Found((), None)


_indexes: dict[int, SearchIndex] = {}


def index_for(content: Content) -> SearchIndex:
    """The index of this content, built the first time it is asked for."""
    key = id(content)
    index = _indexes.get(key)
    if index is None:
        index = _indexes[key] = SearchIndex(content)
        # The id may be reused once the content is gone, so forget it then.
        weakref.finalize(content, _indexes.pop, key, None)
    return index
