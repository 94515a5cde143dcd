"""Questions search did not answer: the editors' to-do list of what people really ask.

A search that found nothing, and a search after which the person pressed "ask
my klantmanager", is kept as its text and language only: no person, no chat,
and the day instead of the moment, so a row cannot be matched to someone's
other rows by its time. The table has no ``user_id`` column, so ``/mydata``
and ``/delete`` (which find personal data by that column, see ``bot.db``)
rightly pass it by. What a person typed may still name them; long digit runs
(a phone number, BSN, V-number) are masked before the text is stored.

Rows are dropped after ``KEEP_DAYS``: by a daily job of the bot
(``bot.handlers.search``) and whenever a row is added, so nothing older stays
while the bot runs. ``wegwijs content misses`` lists them by frequency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from bot import textnorm

TABLE = "search_misses"
KEEP_DAYS = 90
MAX_CHARS = 300
"""Longer texts are cut: a miss is for reading in a list, not a letter."""
NOTHING = "nothing"
"""Search found no item in any language."""
ASKED = "asked"
"""Search showed items, and the person asked their klantmanager instead."""
_NUMBER = re.compile(r"\d{5,}")
NUMBER_MASK = "#"


def create_table(db: sqlite_utils.Database) -> None:
    db[TABLE].create({"id": int, "lang": str, "text": str, "key": str, "reason": str, "day": str}, pk="id")
    db[TABLE].create_index(["day"])
    db[TABLE].create_index(["lang", "key"])


def cleaned(text: str) -> str:
    """The text as typed, on one line, cut to ``MAX_CHARS``, long numbers masked."""
    return _NUMBER.sub(NUMBER_MASK, " ".join(text.split()))[:MAX_CHARS]


def group_key(text: str, lang: str) -> str:
    """Questions that differ only in case, marks, spacing or punctuation count as one."""
    return " ".join(textnorm.words(text, lang))


def prune(db: sqlite_utils.Database, today: date) -> int:
    """Drop rows older than ``KEEP_DAYS``; returns how many went."""
    oldest = (today - timedelta(days=KEEP_DAYS)).isoformat()
    return db.execute(f"DELETE FROM [{TABLE}] WHERE day < ?", [oldest]).rowcount


def record(db: sqlite_utils.Database, lang: str, text: str, reason: str, today: date) -> None:
    text = cleaned(text)
    with db.atomic():
        db[TABLE].insert(
            {"lang": lang, "text": text, "key": group_key(text, lang), "reason": reason, "day": today.isoformat()}
        )
        prune(db, today)


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
