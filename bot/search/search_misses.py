"""Questions search did not answer: the editors' to-do list of what people really ask.

A search that found nothing, and a search after which the person pressed "ask
my klantmanager", is kept as its text, its language and the day (not the
moment). The editors' list (``wegwijs content misses``) shows only texts and
counts, never who asked. The row does name the person (``user_id``): what
someone typed may name them, so ``/mydata`` shows it and ``/delete`` erases it
like everything else about them (issue 12: no trace of a person after
``/delete``). Long digit runs (a phone number, BSN, V-number) are masked
before the text is stored.

Rows are dropped after ``retention.search_misses`` in ``journey.yaml`` (90
days): by a daily job of the bot (``bot.channels.telegram.handlers.search``) and whenever a row
is added, so nothing older stays while the bot runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.search import textnorm
from bot.texts.periods import Period

TABLE = "search_misses"
MAX_CHARS = 300
"""Longer texts are cut: a miss is for reading in a list, not a letter."""
NOTHING = "nothing"
"""Search found no item in any language."""
ASKED = "asked"
"""Search showed items, and the person asked their klantmanager instead."""
_NUMBER = re.compile(r"\d{5,}")
NUMBER_MASK = "#"


def cleaned(text: str) -> str:
    """The text as typed, on one line, cut to ``MAX_CHARS``, long numbers masked."""
    return _NUMBER.sub(NUMBER_MASK, " ".join(text.split()))[:MAX_CHARS]


def group_key(text: str, lang: str) -> str:
    """Questions that differ only in case, marks, spacing or punctuation count as one."""
    return " ".join(textnorm.words(text, lang))


def prune(db: sqlite_utils.Database, keep: Period, now: datetime) -> int:
    """Drop rows older than ``keep``; returns how many went."""
    oldest = keep.before(now).date().isoformat()
    return db.execute(f"DELETE FROM [{TABLE}] WHERE day < ?", [oldest]).rowcount


def record(
    db: sqlite_utils.Database, user_id: int, lang: str, text: str, reason: str, keep: Period, now: datetime
) -> None:
    text = cleaned(text)
    row = {"user_id": user_id, "lang": lang, "text": text, "key": group_key(text, lang), "reason": reason}
    with db.atomic():
        db[TABLE].insert({**row, "day": now.date().isoformat()})
        prune(db, keep, now)


@dataclass(frozen=True)
class Miss:
    lang: str
    text: str
    """The latest wording of the question."""
    count: int
    asked: int
    """Of ``count``: how often the person asked their klantmanager after the results."""
    last_seen: str


def by_frequency(db: sqlite_utils.Database, lang: str | None = None, limit: int | None = None) -> list[Miss]:
    """The kept questions, most asked first (then the most recent)."""
    where = "WHERE lang = :lang" if lang else ""
    rows = db.execute(
        f"""
        SELECT lang,
               (SELECT text FROM [{TABLE}] latest
                 WHERE latest.lang = m.lang AND latest.key = m.key ORDER BY id DESC LIMIT 1),
               COUNT(*), SUM(reason = :asked), MAX(day)
          FROM [{TABLE}] m {where}
         GROUP BY lang, key
         ORDER BY COUNT(*) DESC, MAX(day) DESC, lang, key
         LIMIT :limit
        """,
        {"lang": lang, "asked": ASKED, "limit": -1 if limit is None else limit},
    ).fetchall()
    return [Miss(*row) for row in rows]
