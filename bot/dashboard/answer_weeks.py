"""A week's answer times for the admin's chart, a finished week's kept in memory per database.

A week that is over gets no new first answers (``answered_at`` is the moment
the answer came, never earlier), so its figures change only when questions
are deleted (a person erased, retention): that changes the week's count, the
sum of its seconds or its highest question id. So a finished week's figures
are kept with that fingerprint, which SQLite reads from one range of the
covering index ``idx_questions_answered`` without handing rows to Python,
and are made again only when the fingerprint differs. The week in progress is
always read whole. ``tests/test_dashboard_insights.py`` compares the kept
figures with the straightforward computation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

import sqlite_utils

T = TypeVar("T")

KEPT_WEEKS = 64
"""Finished weeks kept per database (the chart shows 12; older ones are dropped first)."""

_WAITED = "SELECT group_concat(answer_seconds) FROM questions WHERE answered_at >= :since AND answered_at < :until"
"""A week's answer times as one text (a quarter faster than a row per question)."""
_FINGERPRINT = """SELECT count(*), total(answer_seconds), max(id) FROM questions
WHERE answered_at >= :since AND answered_at < :until"""

_kept: WeakKeyDictionary[sqlite_utils.Database, dict[str, tuple[tuple, object]]] = WeakKeyDictionary()


def waited(db: sqlite_utils.Database, since: str, until: str) -> list[int]:
    """The seconds each question first answered in [since, until) waited, unsorted."""
    (text,) = db.execute(_WAITED, {"since": since, "until": until}).fetchone()
    return [int(seconds) for seconds in text.split(",")] if text else []


def week_figures(
    db: sqlite_utils.Database, since: str, until: str, finished: bool, summarize: Callable[[list[int]], T]
) -> T:
    """``summarize`` of the week's answer times; for a finished week the kept result while it still holds."""
    if not finished:
        return summarize(waited(db, since, until))
    span = {"since": since, "until": until}
    fingerprint = tuple(db.execute(_FINGERPRINT, span).fetchone())
    weeks = _kept.setdefault(db, {})
    kept = weeks.get(since)
    if kept is not None and kept[0] == fingerprint:
        return kept[1]  # type: ignore[return-value]  # the same summarize made it (one caller)
    figures = summarize(waited(db, since, until))
    weeks[since] = (fingerprint, figures)
    while len(weeks) > KEPT_WEEKS:
        del weeks[min(weeks)]
    return figures
