"""One language's search index: an SQLite FTS5 table and its vocabulary.

Documents are stored as their normalised terms (see ``bot.search.textnorm``), so
FTS5 only has to split on spaces and rank with BM25. The vocabulary is also
kept in Python, to decide per query word how to match it:

- a word the index knows matches itself, or every term it starts (prefix);
- an unknown word that is a known word plus an ending matches that word;
- an unknown Dutch compound matches the title or keyword term it ends in;
- an unknown word of a short query matches the closest title or keyword
  terms within one or two typing mistakes (``rapidfuzz``: a maintained C++
  library, fast enough to scan a vocabulary per word well inside the
  latency target);
- a term that is in most texts ("de", "the", "في") says nothing about what
  the person looks for, unless an editor made it a keyword of its own
  ("klantmanager"); a query of only such terms finds nothing. This needs no
  list of stop words per language.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from bot.search import textnorm
from bot.texts.content import Item
from bot.texts.readmore import whole_body
from bot.search.search_glossary import GlossaryWords

# Column weights for BM25: a word in the title or the editors' keywords says
# more than the same word somewhere in the body.
COLUMNS = ("title", "keywords", "summary", "body")
WEIGHTS = (8.0, 6.0, 3.0, 1.0)
HEAD = ("title", "keywords")
"""Where editors put the words people look for; a match there ranks first."""
MAX_SHARE = 0.5
"""A term in more than this share of the texts is too common to count, unless it is a keyword."""
LIMIT = 3
MAX_WORDS = 30
"""Words of a query that are looked at; the rest of a very long text is ignored."""
MAX_SUFFIX = 2
"""Letters an unknown word may have after a known one."""
MIN_TAIL = 5
MIN_TAIL_BEFORE = 3
"""A compound's last part has five letters or more, with three or more before it."""
FUZZY_MAX_WORDS = 8
"""Only short queries get typo tolerance; a long text has enough real words."""
TOKENIZER = "unicode61 remove_diacritics 0"


def allowed_typos(word: str) -> int:
    return 1 if len(word) <= 8 else 2


def _union(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


@dataclass(frozen=True)
class Phrase:
    """One FTS5 term to look for, and the texts that have it (bitmasks of row ids)."""

    term: str
    prefix: bool
    docs: int
    head: int
    """Texts with the term in their title or keywords."""
    word_head: int
    """The same for the word exactly as typed, when it is a whole word of the index: "huis" is in
    the title of the text about housing, "huisarts" (which "huis" also starts) in two others."""
    own: int
    """Texts whose editors' own words have the term. How common a term is is
    judged on these: the glossary adds a term's everyday words to every text
    that names it, which makes them common without making them say less."""
    keyword: bool

    @property
    def fts(self) -> str:
        return f'"{self.term}"*' if self.prefix else f'"{self.term}"'


class LanguageIndex:
    def __init__(
        self, db: sqlite_utils.Database, lang: str, items: Iterable[Item], glossary: GlossaryWords | None = None
    ) -> None:
        self.lang = lang
        self.rules = textnorm.rules(lang)
        self._docs: dict[str, int] = {}
        self._head: dict[str, int] = {}
        self._own: dict[str, int] = {}
        self._keywords: set[str] = set()  # one-word keywords: editors chose them, so they always count
        rows = []
        for doc, item in enumerate(items, start=1):
            fields = {
                "title": item.title,
                "keywords": " ".join(item.keywords),
                "summary": item.summary,
                "body": whole_body(item.body),  # without the "Read more" line
            }
            # The glossary's words for the terms the item uses, in the field
            # where its Dutch text has the term (bot/search/search_glossary.py).
            usage = glossary.usage(item.id, lang) if glossary else {}
            row: dict[str, object] = {"doc": doc, "id": item.id}
            for keyword in (*item.keywords, *(w for f in HEAD for w in usage.get(f, ()))):
                if len(keyword_terms := textnorm.words(keyword, lang)) == 1:
                    self._keywords.update(textnorm.variants(keyword_terms[0], lang))
            for column, text in fields.items():
                own = textnorm.terms(text, lang)
                added = textnorm.terms("\n".join(usage.get(column, ())), lang)
                row[column] = " ".join(own + added)
                for term in own:
                    self._own[term] = self._own.get(term, 0) | (1 << doc)
                for term in own + added:
                    self._docs[term] = self._docs.get(term, 0) | (1 << doc)
                    if column in HEAD:
                        self._head[term] = self._head.get(term, 0) | (1 << doc)
            rows.append(row)
        table = db[f"items_{lang}"]
        # "doc" is the INTEGER PRIMARY KEY, so it is the rowid FTS5 returns.
        table.insert_all(rows, pk="doc", columns={"doc": int, **{c: str for c in ("id", *COLUMNS)}})
        table.enable_fts(list(COLUMNS), tokenize=TOKENIZER)
        fts = table.detect_fts()
        weights = ", ".join(str(w) for w in WEIGHTS)
        db.execute(f"INSERT INTO [{fts}]([{fts}], rank) VALUES ('rank', 'bm25({weights})')")
        self._db = db
        self._sql = table.search_sql(columns=["doc", "id"])
        self.size = len(rows)
        self._vocabulary = sorted(self._docs)
        # Typos are corrected towards title and keyword terms only: the words
        # people look for. Correcting towards any body word turns real words
        # the content lacks ("halen") into unrelated ones ("talen").
        self._head_vocabulary = sorted(self._head)

    def _phrase(self, terms: list[str], term: str, prefix: bool) -> Phrase:
        """What looking for ``term`` finds, given the index terms it covers."""
        docs = _union(self._docs[t] for t in terms)
        head = _union(self._head.get(t, 0) for t in terms)
        word_head = self._head.get(term, 0) if term in self._docs else head
        own = _union(self._own.get(t, 0) for t in terms)
        return Phrase(term, prefix, docs, head, word_head, own, keyword=any(t in self._keywords for t in terms))

    def _known(self, term: str, prefix: bool) -> Phrase | None:
        if prefix and len(term) >= self.rules.min_prefix:
            start = bisect.bisect_left(self._vocabulary, term)
            end = bisect.bisect_left(self._vocabulary, term + "\U0010ffff")
            if start < end:
                return self._phrase(self._vocabulary[start:end], term, prefix=True)
        return self._phrase([term], term, prefix=False) if term in self._docs else None

    def _without_suffix(self, word: str) -> list[Phrase]:
        """A known word with a letter or two after it: "پولم" (my money) is "پول" (money).

        Possessives and plurals are endings in all these languages, and a
        stemmer does not know every one (Tigrinya has none at all).
        """
        for base in textnorm.without_ending(word, self.lang, MAX_SUFFIX):
            if len(base) < max(self.rules.min_prefix, 3):
                break
            if base in self._docs:
                return [self._phrase([base], base, prefix=False)]
        return []

    def _compound_tail(self, word: str) -> list[Phrase]:
        """A compound that ends in a title or keyword term: "huisdokter" is a kind of "dokter"."""
        if not self.rules.compounds:
            return []
        tails = [
            t
            for t in self._head_vocabulary
            if len(t) >= MIN_TAIL and len(word) - len(t) >= MIN_TAIL_BEFORE and word.endswith(t)
        ]
        longest = max(tails, key=len, default=None)
        return [self._phrase([longest], longest, prefix=False)] if longest else []

    def _corrections(self, word: str) -> list[Phrase]:
        """Known terms one or two typing mistakes away from an unknown word."""
        # Imported at the first typo, not at every start (about 20 ms).
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        close = process.extract(
            word, self._head_vocabulary, scorer=OSA.distance, score_cutoff=allowed_typos(word), limit=None
        )
        if not close:
            return []
        best = min(distance for _, distance, _ in close)
        return [self._phrase([term], term, prefix=False) for term, distance, _ in close if distance == best]

    def _counts(self, phrase: Phrase) -> bool:
        return phrase.keyword or phrase.own.bit_count() <= MAX_SHARE * self.size

    def match(self, text: str) -> list[list[Phrase]]:
        """Per query word, what to look for: its known terms, or the corrections of a typo."""
        query_words = list(dict.fromkeys(textnorm.words(text, self.lang)))[:MAX_WORDS]
        fuzzy = len(query_words) <= FUZZY_MAX_WORDS
        matched = []
        for word in query_words:
            # The word as typed may be the start of longer words; its stem and
            # parts are whole terms (a stem as a prefix reaches too far).
            typed, *others = textnorm.variants(word, self.lang)
            candidates = [self._known(typed, prefix=True), *(self._known(t, prefix=False) for t in others)]
            phrases = [p for p in candidates if p]
            if not phrases:
                phrases = self._without_suffix(typed) or self._compound_tail(typed)
            if not phrases and fuzzy and len(typed) >= self.rules.min_fuzzy:
                phrases = self._corrections(typed)
            phrases = [p for p in phrases if self._counts(p)]
            if phrases:
                matched.append(phrases)
        return matched

    def search(self, text: str) -> list[str]:
        """Ids of the best matching items, best first.

        Texts that have more of the query's words in their title or keywords
        come first, the words as typed before longer words they start; BM25
        (title and keywords weighted up) orders the rest.
        """
        matched = self.match(text)
        if not matched:
            return []
        query = " OR ".join(dict.fromkeys(p.fts for phrases in matched for p in phrases))
        rows = self._db.execute(self._sql, {"query": query}).fetchall()  # (doc, id), best BM25 first
        word_heads = [_union(p.word_head for p in phrases) for phrases in matched]
        heads = [_union(p.head for p in phrases) for phrases in matched]

        def hits(masks: list[int], doc: int) -> int:
            return sum(mask >> doc & 1 for mask in masks)

        ranked = sorted(enumerate(rows), key=lambda pair: (-hits(word_heads, pair[1][0]), -hits(heads, pair[1][0]), pair[0]))
        return [item_id for _, (_, item_id) in ranked[:LIMIT]]
