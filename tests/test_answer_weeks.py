"""The answer times per week (issue 16): finished weeks' figures are kept in memory
(``bot/dashboard/answer_weeks.py``); they must be the numbers of the straightforward computation,
also after questions of a finished week are deleted (a person erased)."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from pathlib import Path

import sqlite_utils

from bench.bigdb import NOW, generate
from bot.core.clock import iso
from bot.core.config import TIMEZONE
from bot.core.db import erase_person, open_db
from bot.dashboard import insights
from bot.dashboard.sections import ANSWER_WEEKS
from bot.texts.render import Renderer


def expected_weeks(db: sqlite_utils.Database) -> list[list[object]]:
    """Per week: count, p50 and p90 in hours (nearest rank), straight from every question's row."""
    today = NOW.astimezone(TIMEZONE).date()
    rows = []
    for back in range(ANSWER_WEEKS, -1, -1):
        monday = today - timedelta(days=today.weekday(), weeks=back)
        start = datetime.combine(monday, time(), TIMEZONE)
        waited = sorted(
            seconds for (seconds,) in db.execute(
                "SELECT answer_seconds FROM questions WHERE answered_at >= ? AND answered_at < ?",
                [iso(start), iso(start + timedelta(weeks=1))],
            )
        )
        if len(waited) == 0:
            rows.append([0, "0,0", "0,0"])
        elif len(waited) < 5:
            rows.append(["<5", "–", "–"])
        else:
            p50, p90 = (waited[math.ceil(share * len(waited)) - 1] for share in (0.5, 0.9))
            rows.append([len(waited), f"{p50 / 3600:.1f}".replace(".", ","), f"{p90 / 3600:.1f}".replace(".", ",")])
    return rows


def shown_weeks(db: sqlite_utils.Database, renderer: Renderer) -> list[list[object]]:
    table = insights.table(db, renderer, NOW, "answer_weeks")
    assert table is not None
    return [row[1:] for row in table.rows]


def test_kept_weeks_give_the_straightforward_numbers_also_after_an_erasure(tmp_path: Path, renderer: Renderer) -> None:
    db_path = tmp_path / "seeded.db"
    generate(db_path, people=2000, outbox_rows=1000)
    db = open_db(db_path)
    expected = expected_weeks(db)
    assert sum(isinstance(row[0], int) and row[0] >= 5 for row in expected) >= 8  # weeks with figures to compare
    assert shown_weeks(db, renderer) == expected  # computed, then kept
    assert shown_weeks(db, renderer) == expected  # the finished weeks from memory

    # People are erased (as /delete does): a finished week loses answers, as may others.
    today = NOW.astimezone(TIMEZONE).date()
    monday = datetime.combine(today - timedelta(days=today.weekday(), weeks=3), time(), TIMEZONE)
    span = [iso(monday), iso(monday + timedelta(weeks=1))]
    askers = [user for (user,) in db.execute(
        "SELECT DISTINCT user_id FROM questions WHERE answered_at >= ? AND answered_at < ? LIMIT 3", span)]
    for user_id in askers:
        erase_person(db, user_id)
    changed = expected_weeks(db)
    assert changed != expected
    assert shown_weeks(db, renderer) == changed
    db.close()
