"""The SQLite database: opening it, its schema and its migrations.

The schema is created and migrated by the program itself. Each migration is a
plain function applied once, in order; the number of applied migrations is the
schema version, kept in the ``meta`` table.

Personal data is found by convention, not by a list that can go out of date:
the ``users`` table is keyed by the person's Telegram id, and every other table
that holds something about a person has a ``user_id`` column. ``/mydata`` and
``/delete`` use that convention, so a new table is covered the day it is added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.core.db_locks import TOOL_BUSY_TIMEOUT_MS

Migration = Callable[[sqlite_utils.Database], None]
log = logging.getLogger(__name__)


def _v1_users(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "id": int,
            "lang": str,
            "privacy_accepted_at": str,
            "step": str,
            "bilingual": int,
            "start_code": str,
            "confirm_token": str,
            "created_at": str,
            "last_active_at": str,
            "active": int,
        },
        pk="id",
        defaults={"bilingual": 0, "active": 1},
        not_null={"bilingual", "active"},
    )


def _v2_awaiting(db: sqlite_utils.Database) -> None:
    """What the bot waits for from someone (see bot/core/awaiting.py)."""
    db["awaiting"].create({"user_id": int, "kind": str, "data": str, "about_user_id": int}, pk="user_id")


def _v3_handoff(db: sqlite_utils.Database) -> None:
    """Staff, caseloads, invitation codes, question threads, the audit trail."""
    from bot.people import audit
    from bot.casework import invites, questions, staff

    staff.create_tables(db)
    invites.create_tables(db)
    questions.create_tables(db)
    audit.create_table(db)


def _v4_question_drafts(db: sqlite_utils.Database) -> None:
    """Texts a person searched for, to hand to their klantmanager (see bot/casework/drafts.py)."""
    db["question_drafts"].create({"id": int, "user_id": int, "text": str, "created_at": str}, pk="id")
    db["question_drafts"].create_index(["user_id"])


def _v5_reminders(db: sqlite_utils.Database) -> None:
    """The outbox, appointments, and checks of what people understood (bot/delivery/outbox.py, ...)."""
    from bot.reminders import appointments, repetition
    from bot.delivery import outbox

    outbox.create_table(db)
    appointments.create_tables(db)
    repetition.create_tables(db)


def _v6_staff_activity(db: sqlite_utils.Database) -> None:
    """When each staff member was last active, for the admin's overview (bot/casework/staff_admin.py)."""
    from bot.casework import staff_admin

    staff_admin.add_activity_column(db)


def _v7_search_misses(db: sqlite_utils.Database) -> None:
    """Questions search did not answer, without the person (bot/search/search_misses.py)."""
    from bot.search import search_misses

    search_misses.create_table(db)


def _v8_privacy(db: sqlite_utils.Database) -> None:
    """Retention (bot/people/retention.py): every personal row can be found and has an age.

    ``wrong_codes`` is keyed by the person (``user_id``: in a private chat the
    chat id is the user id), so ``/mydata`` shows it and ``/delete`` erases it;
    half-finished input gets ``seen_at``, stamped by the retention sweep.
    """
    db.execute("ALTER TABLE wrong_codes RENAME COLUMN chat_id TO user_id")
    db["awaiting"].add_column("seen_at", str)
    # What the sweep looks for (old audit rows, people inactive long), and the
    # columns an erase finds a person's rows by.
    for table, column in (
        ("audit", "at"),
        ("users", "last_active_at"),
        ("audit", "user_id"),
        ("invites", "user_id"),
        ("awaiting", "about_user_id"),
    ):
        db[table].create_index([column], if_not_exists=True)


def _v9_indexes_for_scale(db: sqlite_utils.Database) -> None:
    """Indexes for the hot paths at 100,000 people (issue 11; ``tests/test_query_plans.py``).

    /open reads each question's first message (``thread_messages.question_id``)
    and lists questions oldest first; /clients lists a caseload by name;
    ``wegwijs outbox status`` reads counts kept by triggers (bot/delivery/outbox_counts.py).
    """
    from bot.delivery import outbox_counts

    db.execute("CREATE INDEX idx_thread_messages_question_id ON thread_messages (question_id)")
    db.execute("DROP INDEX idx_questions_klantmanager_id_status")
    db.execute("CREATE INDEX idx_questions_klantmanager_status_created ON questions (klantmanager_id, status, created_at)")
    db.execute("DROP INDEX idx_clients_klantmanager_id")
    db.execute("CREATE INDEX idx_clients_klantmanager_name ON clients (klantmanager_id, name)")
    outbox_counts.create(db)


def _v10_web_chat(db: sqlite_utils.Database) -> None:
    """The web chat's sessions and messages (bot/channels/web/store.py).

    A session is found by the hash of the browser's token; a message waits
    (``delivered`` 0) until an open page has shown it. Both have ``user_id``,
    so they are exported and erased with the person.
    """
    db.execute(
        """CREATE TABLE web_sessions (
            token_hash TEXT PRIMARY KEY,
            address TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX idx_web_sessions_user_id ON web_sessions (user_id)")
    db.execute(
        """CREATE TABLE web_messages (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            address TEXT NOT NULL,
            lang TEXT,
            html TEXT NOT NULL,
            buttons TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            delivered INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX idx_web_messages_address_id ON web_messages (address, id)")
    db.execute("CREATE INDEX idx_web_messages_user_id ON web_messages (user_id)")


MIGRATIONS: list[Migration] = [
    _v1_users,
    _v2_awaiting,
    _v3_handoff,
    _v4_question_drafts,
    _v5_reminders,
    _v6_staff_activity,
    _v7_search_misses,
    _v8_privacy,
    _v9_indexes_for_scale,
    _v10_web_chat,
]


def open_db(path: Path | str, busy_timeout_ms: int = TOOL_BUSY_TIMEOUT_MS) -> sqlite_utils.Database:
    """Open (or create) the database in WAL mode and bring its schema up to date.

    ``busy_timeout_ms``: how long a statement waits for another connection's lock
    before it fails with "database is locked" (see ``is_busy``).
    """
    db = sqlite_utils.Database(path)
    # Autocommit: a statement outside ``db.atomic()`` is durable at once, and
    # ``db.atomic()`` (BEGIN/COMMIT, savepoints when nested) is the only way
    # to group writes. Python's implicit transactions would otherwise keep a
    # write pending until some later commit.
    db.conn.isolation_level = None
    # Erased rows are overwritten with zeros, not just marked free: after
    # /delete a person's words are gone from the file (see ``forget``).
    db.execute("PRAGMA secure_delete = ON")
    if str(path) != ":memory:":
        db.enable_wal()
    # NORMAL in WAL: a commit is not synced to disk until the next checkpoint.
    # It survives a crash of the program (kill -9); a power cut can lose the
    # last commits, never corrupt the file. Planning and dispatching commit
    # often, and FULL (a sync per commit) made that 2-4x slower (README).
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    migrate(db)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    if not db["meta"].exists():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> None:
    if not db["meta"].exists():
        db["meta"].create({"key": str, "value": str}, pk="key")
    version = schema_version(db)
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.atomic():
            migration(db)
            db["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")


PERSON_COLUMNS = ("user_id", "about_user_id")
"""Columns that name the statushouder a row is about (``about_user_id``: a
row that belongs to someone else, e.g. a klantmanager's half-finished action)."""


def personal_tables(db: sqlite_utils.Database) -> list[str]:
    """Tables other than ``users`` that hold rows about a person."""
    return sorted(
        table.name
        for table in db.tables
        if table.name != "users" and any(c in table.columns_dict for c in PERSON_COLUMNS)
    )


def _about(db: sqlite_utils.Database, table: str) -> str:
    return " OR ".join(f"[{c}] = :person" for c in PERSON_COLUMNS if c in db[table].columns_dict)


def export_person(db: sqlite_utils.Database, user_id: int) -> dict[str, Any]:
    """Everything stored about one person, table by table."""
    data: dict[str, Any] = {"users": list(db["users"].rows_where("id = ?", [user_id]))}
    for name in personal_tables(db):
        data[name] = list(db[name].rows_where(_about(db, name), {"person": user_id}))
    return data


def erase_person(db: sqlite_utils.Database, user_id: int) -> None:
    """Remove every row about one person, and every trace of it in the files."""
    erase_people(db, [user_id])


def erase_people(
    db: sqlite_utils.Database, user_ids: Iterable[int], *, before_each: Callable[[int], None] | None = None
) -> int:
    """Remove every row about these people, in one transaction, then ``forget``.

    ``before_each(user_id)`` runs in that transaction before a person's rows
    go (``bot/people/leaving.py`` plans the klantmanager's notice there).

    Foreign keys are checked at commit, when every table is done, so the
    order of the tables does not matter. Returns how many people were erased.
    """
    erased = 0
    deletes = [f"DELETE FROM [{name}] WHERE {_about(db, name)}" for name in personal_tables(db)]
    with db.atomic():
        db.execute("PRAGMA defer_foreign_keys = ON")
        for user_id in user_ids:
            if before_each is not None:
                before_each(user_id)
            for delete in deletes:
                db.execute(delete, {"person": user_id})
            erased += db.execute("DELETE FROM users WHERE id = ?", [user_id]).rowcount
    forget(db)
    return erased


def forget(db: sqlite_utils.Database) -> None:
    """Leave no copy of erased rows in the write-ahead log.

    With ``secure_delete`` the database file holds zeros where the rows were,
    but the WAL still holds the pages as they were before. A TRUNCATE
    checkpoint copies the new pages into the database and empties the WAL
    file. Call it after a transaction, never inside one.
    """
    if str(db.conn.execute("PRAGMA database_list").fetchone()[2]) == "":
        return  # in memory: no files
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.warning("the WAL could not be emptied after an erase (another connection is reading); next erase tries again")
