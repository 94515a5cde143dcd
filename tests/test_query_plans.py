"""Every query on a hot path uses an index: checked with EXPLAIN QUERY PLAN on the SQL the code runs.

The hot paths are called for real on a small database made by the scale
generator (``bench/bigdb.py``); SQLite's trace callback hands over each
statement as run, with its values filled in, and each is explained. A plan
that reads a whole big table, or sorts in a temporary b-tree, fails. SQLite
plans without statistics here (no ANALYZE, as in production), as for tables of
a million rows, so the plans are those of the big database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlite_utils

from bench.bigdb import FIRST_PERSON, NOW, generate
from bot.reminders import appointments, repetition
from bot.core import awaiting
from bot.casework import caseload, questions, staff
from bot.delivery import outbox
from bot.core.clock import iso
from bot.core.config import DEFAULT_CONTENT_DIR
from bot.core.db import open_db
from bot.dashboard import caseload_view, insights, signin
from bot.dashboard.counters import COUNTERS, REMINDERS_SENT
from bot.texts.content import load_content
from bot.texts.render import Renderer
from bot.people import identities
from bot.people.users import get_user
from bot.ops import metrics

MAY_SCAN = ("json_each", "CONSTANT", "staff", "meta", "outbox_counts", *(c.table for c in COUNTERS), REMINDERS_SENT)
"""A list given as JSON, a constant row, and the small tables (staff: one row per colleague; the
counts kept by triggers: a row per bucket, bot/dashboard/counters.py).
Any other SCAN (plans name a table by its alias, if it has one) reads a table that grows with people."""
SMALL_SORTS = {
    "FROM not_understood WHERE user_id =": "one person's items not understood: a handful of rows",
    "JOIN appointments a ON a.id = c.appointment_id WHERE c.user_id =": "one person's 'cannot come' answers",
    "FROM appointments a JOIN clients c ON c.user_id = a.user_id": "one caseload's appointments ahead (dashboard)",
    "FROM questions q WHERE q.user_id =": "one person's open questions (dashboard)",
    "FROM staff WHERE is_klantmanager = 1 ORDER BY": "the klantmanagers, numbered on the admin overview",
}
"""Sorts allowed: the rows of one person, found by index, few enough to sort on the spot."""
PERSON = FIRST_PERSON  # has an open question, an item not understood and a "cannot come"
KLANTMANAGER = 1


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite_utils.Database]:
    path = tmp_path_factory.mktemp("plans") / "small.db"
    generate(path, people=300, outbox_rows=3_000)
    database = open_db(path)
    yield database
    database.close()


@contextmanager
def statements(db: sqlite_utils.Database) -> Iterator[list[str]]:
    """The data statements run inside the block (not sqlite-utils' look-ups of the schema)."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        first = sql.lstrip().split(None, 1)[0].upper()
        if first in ("SELECT", "UPDATE", "DELETE", "INSERT", "WITH") and "sqlite_master" not in sql:
            seen.append(sql)

    db.conn.set_trace_callback(trace)
    try:
        yield seen
    finally:
        db.conn.set_trace_callback(None)


def problems(db: sqlite_utils.Database, sql: str) -> list[str]:
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    bad = []
    for step in plan:
        words = step.split()
        if words[:1] == ["SCAN"] and words[1] not in MAY_SCAN:
            bad.append(step)
        if "TEMP B-TREE" in step and not any(fragment in sql for fragment in SMALL_SORTS):
            bad.append(step)
    return bad


def _question_id(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT id FROM questions WHERE user_id = ? AND status = 'open'", [PERSON]).fetchone()[0]


HOT_PATHS: dict[str, Callable[[sqlite_utils.Database], object]] = {
    "claim due rows": lambda db: outbox.claim_next(db, NOW + timedelta(days=400), quiet_now=False),
    "anything due": lambda db: outbox.has_due(db, NOW, quiet_now=True),
    "outbox status": lambda db: outbox.status(db, NOW),
    "a person's pending rows": lambda db: outbox.pending(db, user_id=PERSON),
    "user lookup": lambda db: get_user(db, PERSON),
    "person of a Telegram user": lambda db: identities.person_for(db, identities.TELEGRAM, PERSON),
    "where to send to a person": lambda db: identities.address_of(db, PERSON),
    "staff lookup": lambda db: staff.get_staff(db, KLANTMANAGER),
    "may act for": lambda db: staff.may_act_for(db, KLANTMANAGER, PERSON, NOW),
    "whom a klantmanager stands in for": lambda db: staff.substituted_by(db, KLANTMANAGER, NOW),
    "awaited answer": lambda db: awaiting.current(db, PERSON),
    "/clients": lambda db: caseload.lines(db, KLANTMANAGER),
    "client card": lambda db: (
        caseload.line(db, PERSON), repetition.not_understood(db, PERSON), appointments.cannot_come_answers(db, PERSON)
    ),
    "/open": lambda db: questions.open_questions(db, [KLANTMANAGER]),
    "question lookup": lambda db: questions.get_question(db, _question_id(db)),
    "reply to a relayed question": lambda db: questions.find_relayed(db, KLANTMANAGER, 3),
    "dashboard: a caseload's appointments ahead": lambda db: db.execute(
        caseload_view.UPCOMING, [KLANTMANAGER, appointments.PLANNED, iso(NOW)]
    ).fetchall(),
    "dashboard: a client's open questions": lambda db: db.execute(
        caseload_view.OPEN_OF_CLIENT, [questions.FROM_CLIENT, PERSON, questions.OPEN]
    ).fetchall(),
    "dashboard: session": lambda db: signin.session_staff(db, "A" * 43, NOW),
    "dashboard: sign-in link": lambda db: signin.open_session(db, "A" * 43, NOW),
    "/metrics": lambda db: list(metrics.database_families(db, NOW)),
    "admin overview": lambda db: insights.admin_overview(db, Renderer(load_content(DEFAULT_CONTENT_DIR)), NOW),
}


@pytest.mark.parametrize("path", HOT_PATHS)
def test_hot_path_queries_use_an_index(db: sqlite_utils.Database, path: str) -> None:
    with statements(db) as seen:
        HOT_PATHS[path](db)
    assert seen, f"{path}: no statement traced"
    found = {sql: problems(db, sql) for sql in seen}
    assert not {sql: bad for sql, bad in found.items() if bad}, f"{path}: plans read whole tables or sort"


def test_the_sample_has_what_the_paths_look_for(db: sqlite_utils.Database) -> None:
    line = caseload.line(db, PERSON)
    assert (line.open_questions, line.unclear, line.cannot_come) == (1, 1, 1)
    assert len(caseload.lines(db, KLANTMANAGER)) == 100
    assert [q.question.user_id for q in questions.open_questions(db, [KLANTMANAGER])][0] in range(PERSON, PERSON + 100)
