"""The migrations are frozen: a database brought up step by step from any old version has the schema of a fresh one."""

from __future__ import annotations

import sqlite_utils

from bot.core import db as database


def _schema(db: sqlite_utils.Database) -> list[tuple[str, str, str, str | None]]:
    return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _at_version(version: int) -> sqlite_utils.Database:
    """A database as the code of ``version`` left it: only the first ``version`` migrations applied."""
    db = sqlite_utils.Database(memory=True)
    db.conn.isolation_level = None
    db["meta"].create({"key": str, "value": str}, pk="key")
    for number, migration in enumerate(database.MIGRATIONS[:version], start=1):
        with db.atomic():
            migration(db)
            db["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")
    return db


def test_every_old_version_migrates_to_the_fresh_schema() -> None:
    fresh = database.open_db(":memory:")
    assert database.schema_version(fresh) == len(database.MIGRATIONS)
    for version in range(1, len(database.MIGRATIONS)):
        old = _at_version(version)
        assert database.schema_version(old) == version
        database.migrate(old)
        assert database.schema_version(old) == len(database.MIGRATIONS)
        assert _schema(old) == _schema(fresh), f"from version {version}"


def test_migrations_write_their_own_sql() -> None:
    """A migration is the SQL of its day: no call into modules whose tables change later."""
    import inspect

    for migration in database.MIGRATIONS:
        source = inspect.getsource(migration)
        assert "import" not in source, f"{migration.__name__} imports code that may change"


def test_v16_fills_which_questions_wait_and_until_when() -> None:
    """Never answered: waits since asked, due as promised. A follow-up after the answer: waits since it,
    due two working days later (a Thursday's on Monday). Answered last, or closed: waits for nothing."""
    db = _at_version(15)
    asked, due = "2027-03-01T09:00:00+00:00", "2027-03-03T09:00:00+00:00"
    rows = {1: ("open", None), 2: ("open", "2027-03-02T09:00:00+00:00"), 3: ("open", "2027-03-02T09:00:00+00:00"),
            4: ("done", None)}
    for question_id, (status, answered) in rows.items():
        db["questions"].insert({"id": question_id, "user_id": 5, "klantmanager_id": 9, "status": status,
                                "created_at": asked, "answer_due_at": due, "answered_at": answered})
    thread = {1: ["from_client"], 2: ["from_client", "to_client", "from_client", "from_client"],
              3: ["from_client", "to_client"], 4: ["from_client"]}
    moments = ["2027-03-01T09:00:00+00:00", "2027-03-02T09:00:00+00:00", "2027-03-04T08:00:00+00:00",
               "2027-03-04T09:00:00+00:00"]
    for question_id, directions in thread.items():
        for direction, moment in zip(directions, moments):
            db["thread_messages"].insert({"question_id": question_id, "user_id": 5, "direction": direction,
                                          "sender_id": 5, "kind": "text", "created_at": moment})
    database.migrate(db)
    found = {row["id"]: (row["waiting_since"], row["waiting_due_at"]) for row in db["questions"].rows}
    assert found == {
        1: (asked, due),
        2: ("2027-03-04T08:00:00+00:00", "2027-03-08T08:00:00+00:00"),
        3: (None, None),
        4: (None, None),
    }
