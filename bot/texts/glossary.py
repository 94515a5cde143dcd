"""The glossary: Dutch institutional terms, with per language an explanation,
the spellings people say, and the everyday words they use (``content/glossary.yaml``).

The checker uses it to keep the Dutch word in translations and to keep
explanations apart, the PO export to brief translators, search to find a
text by the words people use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.texts.parsed_yaml import YamlSyntaxError, parse

GLOSSARY_FILE = "glossary.yaml"
FIELDS = ("explain", "say", "words")


class GlossaryError(ValueError):
    """The glossary file cannot be read."""


@dataclass(frozen=True)
class Entry:
    """One term in one language."""

    explain: str
    say: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    term: str
    """The Dutch word, as texts write it."""
    entries: dict[str, Entry]
    line: int
    """Line of ``- term:`` in the file (for findings)."""

    def entry(self, lang: str) -> Entry | None:
        return self.entries.get(lang)

    @property
    def pattern(self) -> re.Pattern[str]:
        return term_pattern(self.term)

    @property
    def pattern_anywhere(self) -> re.Pattern[str]:
        return term_pattern(self.term, at_word_start=False)

    def used_in(self, dutch_text: str) -> bool:
        """Whether a Dutch text uses this term (also inflected or as the start of a compound)."""
        return bool(self.pattern.search(dutch_text))

    def kept_in(self, translation: str) -> bool:
        """Whether a translation keeps the Dutch word (anywhere, in any case: Farsi glues suffixes on)."""
        return bool(self.pattern_anywhere.search(translation))


@lru_cache(maxsize=256)
def term_pattern(term: str, at_word_start: bool = True) -> re.Pattern[str]:
    """The term (at the start of a word, or anywhere), spaces in multi-word terms flexible.

    Any case, except for an abbreviation such as COA or TOV: that is a word
    of its own in capitals, so "coach" does not use COA.
    """
    words = r"\s+".join(re.escape(w) for w in term.split())
    if term.isupper():
        return re.compile(rf"(?<!\w){words}(?![^\W\d_])" if at_word_start else words)
    return re.compile(rf"(?<!\w){words}" if at_word_start else words, re.IGNORECASE)


@dataclass(frozen=True)
class Glossary:
    path: Path
    terms: tuple[Term, ...]

    def used_in(self, dutch_text: str) -> list[Term]:
        """The terms a Dutch text uses (voorinburgering does not count as inburgering: a term starts a word)."""
        return [term for term in self.terms if term.used_in(dutch_text)]

    def term(self, word: str) -> Term | None:
        return next((t for t in self.terms if t.term.casefold() == word.casefold()), None)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def load_glossary(root: Path) -> Glossary:
    """The glossary of a content tree; an empty one when the tree has none."""
    path = root / GLOSSARY_FILE
    if not path.exists():
        return Glossary(path, ())
    try:
        text = path.read_text(encoding="utf-8")
        raw = parse(text) or {}
    except (OSError, UnicodeDecodeError, YamlSyntaxError) as exc:
        raise GlossaryError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("terms", []), list):
        raise GlossaryError(f"{path}: must have 'terms:' with a list of entries")
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"\s*-\s+term:", line)]
    terms = []
    for number, record in enumerate(raw.get("terms") or []):
        if not isinstance(record, dict) or not str(record.get("term") or "").strip():
            raise GlossaryError(f"{path}: entry {number + 1} has no 'term:'")
        entries = {
            str(lang): Entry(
                explain=str(value.get("explain") or "").strip(),
                say=_strings(value.get("say")),
                words=_strings(value.get("words")),
            )
            for lang, value in record.items()
            if lang != "term" and isinstance(value, dict)
        }
        line = lines[number] if number < len(lines) else 1
        terms.append(Term(term=str(record["term"]).strip(), entries=entries, line=line))
    return Glossary(path, tuple(terms))


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".።۔").casefold()


def file_problems(glossary: Glossary, languages: list[str]) -> list[tuple[int, str, str]]:
    """What is wrong in the glossary file itself: (line, message, how to fix)."""
    found: list[tuple[int, str, str]] = []
    seen: dict[str, Term] = {}
    explained: dict[tuple[str, str], Term] = {}
    for term in glossary.terms:
        key = term.term.casefold()
        if key in seen:
            found.append((term.line, f"'{term.term}' is in the glossary twice", "keep one entry per term"))
        seen[key] = term
        for lang in languages:
            entry = term.entry(lang)
            if entry is None or not entry.explain:
                fix = f'add {lang}: {{explain: "...", say: [...], words: [...]}}'
                found.append((term.line, f"'{term.term}' has no explanation in {lang}", fix))
                continue
            if not entry.say:
                fix = "write how people say the Dutch word, in the reader's script"
                found.append((term.line, f"'{term.term}' has no spelling in {lang} ('say:')", fix))
            other = explained.get((lang, _normal(entry.explain)))
            if other is not None:
                found.append(
                    (
                        term.line,
                        f"'{term.term}' and '{other.term}' share an explanation in {lang}",
                        "give each term its own explanation: they are different things or people",
                    )
                )
            explained[(lang, _normal(entry.explain))] = term
    return found
