"""The SQLite database: opening it, its schema and its migrations.

The schema is created and migrated by the program itself. Each migration is a
plain function applied once, in order; the number of applied migrations is the
schema version, kept in the ``meta`` table.

Personal data is found by convention, not by a list that can go out of date:
the ``users`` table is keyed by the person id (``bot/people/identities.py``:
the ``identities`` table links it to the person's Telegram id or other channel
id), and every other table that holds something about a person has a
``user_id`` column. ``/mydata`` and ``/delete`` use that convention, so a new
table is covered the day it is added; the person's identities and ``persons``
row go with the rest (unless they are staff too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.core.db_locks import TOOL_BUSY_TIMEOUT_MS

Migration = Callable[[sqlite_utils.Database], None]
log = logging.getLogger(__name__)


def _run(db: sqlite_utils.Database, *statements: str) -> None:
    """Execute a migration's statements, one by one, inside its transaction."""
    for statement in statements:
        db.execute(statement)


def _v1_users(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """CREATE TABLE "users" (
   "id" INTEGER PRIMARY KEY,
   "lang" TEXT,
   "privacy_accepted_at" TEXT,
   "step" TEXT,
   "bilingual" INTEGER NOT NULL DEFAULT 0,
   "start_code" TEXT,
   "confirm_token" TEXT,
   "created_at" TEXT,
   "last_active_at" TEXT,
   "active" INTEGER NOT NULL DEFAULT 1
)""",
    )


def _v2_awaiting(db: sqlite_utils.Database) -> None:
    """What the bot waits for from someone (see bot/core/awaiting.py)."""
    _run(
        db,
        """CREATE TABLE "awaiting" (
   "user_id" INTEGER PRIMARY KEY,
   "kind" TEXT,
   "data" TEXT,
   "about_user_id" INTEGER
)""",
    )


def _v3_handoff(db: sqlite_utils.Database) -> None:
    """Staff, caseloads, invitation codes, question threads, the audit trail."""
    _run(
        db,
        """CREATE TABLE "staff" (
   "id" INTEGER PRIMARY KEY,
   "name" TEXT,
   "lang" TEXT DEFAULT 'nl',
   "is_admin" INTEGER NOT NULL DEFAULT 0,
   "is_klantmanager" INTEGER NOT NULL DEFAULT 0,
   "away_until" TEXT,
   "substitute_id" INTEGER,
   "active" INTEGER NOT NULL DEFAULT 1,
   "created_at" TEXT
)""",
        """CREATE TABLE "clients" (
   "user_id" INTEGER PRIMARY KEY,
   "klantmanager_id" INTEGER REFERENCES "staff"("id"),
   "name" TEXT,
   "linked_at" TEXT
)""",
        """CREATE INDEX "idx_clients_klantmanager_id"
    ON "clients" ("klantmanager_id")""",
        """CREATE TABLE "invites" (
   "code" TEXT PRIMARY KEY,
   "kind" TEXT,
   "created_by" INTEGER,
   "klantmanager_id" INTEGER,
   "name" TEXT,
   "created_at" TEXT,
   "expires_at" TEXT,
   "used_at" TEXT,
   "user_id" INTEGER
)""",
        """CREATE TABLE "wrong_codes" (
   "id" INTEGER PRIMARY KEY,
   "chat_id" INTEGER,
   "at" TEXT
)""",
        """CREATE INDEX "idx_wrong_codes_chat_id"
    ON "wrong_codes" ("chat_id")""",
        """CREATE TABLE "questions" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER,
   "klantmanager_id" INTEGER,
   "status" TEXT,
   "topic" TEXT,
   "created_at" TEXT,
   "answer_due_at" TEXT,
   "answered_at" TEXT,
   "closed_at" TEXT
)""",
        """CREATE INDEX "idx_questions_klantmanager_id_status"
    ON "questions" ("klantmanager_id", "status")""",
        """CREATE INDEX "idx_questions_user_id"
    ON "questions" ("user_id")""",
        """CREATE TABLE "thread_messages" (
   "id" INTEGER PRIMARY KEY,
   "question_id" INTEGER REFERENCES "questions"("id"),
   "user_id" INTEGER,
   "direction" TEXT,
   "sender_id" INTEGER,
   "kind" TEXT,
   "text" TEXT,
   "file_id" TEXT,
   "file_name" TEXT,
   "created_at" TEXT,
   "relay_chat_id" INTEGER,
   "relay_message_id" INTEGER,
   "relayed_at" TEXT
)""",
        """CREATE INDEX "idx_thread_messages_relay_chat_id_relay_message_id"
    ON "thread_messages" ("relay_chat_id", "relay_message_id")""",
        """CREATE INDEX "idx_thread_messages_user_id"
    ON "thread_messages" ("user_id")""",
        """CREATE TABLE "audit" (
   "id" INTEGER PRIMARY KEY,
   "at" TEXT,
   "actor_id" INTEGER,
   "action" TEXT,
   "user_id" INTEGER,
   "details" TEXT
)""",
        """CREATE INDEX "idx_audit_actor_id"
    ON "audit" ("actor_id")""",
    )


def _v4_question_drafts(db: sqlite_utils.Database) -> None:
    """Texts a person searched for, to hand to their klantmanager (see bot/casework/drafts.py)."""
    _run(
        db,
        """CREATE TABLE "question_drafts" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER,
   "text" TEXT,
   "created_at" TEXT
)""",
        """CREATE INDEX "idx_question_drafts_user_id"
    ON "question_drafts" ("user_id")""",
    )


def _v5_reminders(db: sqlite_utils.Database) -> None:
    """The outbox, appointments, and checks of what people understood (bot/delivery/outbox.py, ...)."""
    _run(
        db,
        """CREATE TABLE "outbox" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER NOT NULL,
   "chat_id" INTEGER,
   "kind" TEXT NOT NULL,
   "params" TEXT NOT NULL,
   "due_at" TEXT NOT NULL,
   "quiet" INTEGER NOT NULL DEFAULT 0,
   "status" TEXT NOT NULL DEFAULT 'pending',
   "attempts" INTEGER NOT NULL DEFAULT 0,
   "last_error" TEXT,
   "key" TEXT NOT NULL,
   "updated_at" TEXT,
   "sent_at" TEXT
)""",
        """CREATE UNIQUE INDEX "idx_outbox_key"
    ON "outbox" ("key")""",
        """CREATE INDEX "idx_outbox_status_due_at"
    ON "outbox" ("status", "due_at")""",
        """CREATE INDEX "idx_outbox_user_id_status"
    ON "outbox" ("user_id", "status")""",
        """CREATE TABLE "appointments" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER NOT NULL,
   "kind" TEXT NOT NULL,
   "starts_at" TEXT NOT NULL,
   "place" TEXT,
   "map_url" TEXT,
   "bring" TEXT,
   "note" TEXT,
   "status" TEXT NOT NULL,
   "version" INTEGER NOT NULL,
   "answer" TEXT,
   "answered_at" TEXT,
   "created_at" TEXT,
   "updated_at" TEXT
)""",
        """CREATE INDEX "idx_appointments_user_id_starts_at"
    ON "appointments" ("user_id", "starts_at")""",
        """CREATE TABLE "cannot_come" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER NOT NULL,
   "appointment_id" INTEGER NOT NULL,
   "reason" TEXT,
   "created_at" TEXT NOT NULL
)""",
        """CREATE INDEX "idx_cannot_come_user_id"
    ON "cannot_come" ("user_id")""",
        """CREATE INDEX "idx_cannot_come_appointment_id"
    ON "cannot_come" ("appointment_id")""",
        """CREATE TABLE "item_checks" (
   "user_id" INTEGER,
   "item_id" TEXT,
   "step_id" TEXT,
   "status" TEXT NOT NULL,
   "round" INTEGER NOT NULL DEFAULT 0,
   "first_sent_at" TEXT,
   "unclear_count" INTEGER NOT NULL DEFAULT 0,
   "confirmed_at" TEXT,
   "updated_at" TEXT,
   PRIMARY KEY ("user_id", "item_id")
)""",
        """CREATE TABLE "not_understood" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER NOT NULL,
   "item_id" TEXT NOT NULL,
   "round" INTEGER NOT NULL,
   "created_at" TEXT NOT NULL,
   "resolved_at" TEXT
)""",
        """CREATE UNIQUE INDEX "idx_not_understood_user_id_item_id_round"
    ON "not_understood" ("user_id", "item_id", "round")""",
        'ALTER TABLE "users" ADD COLUMN "repetition_paused_until" TEXT',
    )


def _v6_staff_activity(db: sqlite_utils.Database) -> None:
    """When each staff member was last active, for the admin's overview (bot/casework/staff_admin.py)."""
    _run(
        db,
        'ALTER TABLE "staff" ADD COLUMN "last_active_at" TEXT',
    )


def _v7_search_misses(db: sqlite_utils.Database) -> None:
    """Questions search did not answer, without the person (bot/search/search_misses.py)."""
    _run(
        db,
        """CREATE TABLE "search_misses" (
   "id" INTEGER PRIMARY KEY,
   "user_id" INTEGER,
   "lang" TEXT,
   "text" TEXT,
   "key" TEXT,
   "reason" TEXT,
   "day" TEXT
)""",
        """CREATE INDEX "idx_search_misses_day"
    ON "search_misses" ("day")""",
        """CREATE INDEX "idx_search_misses_user_id"
    ON "search_misses" ("user_id")""",
        """CREATE INDEX "idx_search_misses_lang_key"
    ON "search_misses" ("lang", "key")""",
    )


def _v8_privacy(db: sqlite_utils.Database) -> None:
    """Retention (bot/people/retention.py): every personal row can be found and has an age.

    ``wrong_codes`` is keyed by the person (``user_id``: in a private chat the
    chat id is the user id), so ``/mydata`` shows it and ``/delete`` erases it;
    half-finished input gets ``seen_at``, stamped by the retention sweep.
    """
    _run(
        db,
        'ALTER TABLE wrong_codes RENAME COLUMN chat_id TO user_id',
        'ALTER TABLE "awaiting" ADD COLUMN "seen_at" TEXT',
        """CREATE INDEX IF NOT EXISTS "idx_audit_at"
    ON "audit" ("at")""",
        """CREATE INDEX IF NOT EXISTS "idx_users_last_active_at"
    ON "users" ("last_active_at")""",
        """CREATE INDEX IF NOT EXISTS "idx_audit_user_id"
    ON "audit" ("user_id")""",
        """CREATE INDEX IF NOT EXISTS "idx_invites_user_id"
    ON "invites" ("user_id")""",
        """CREATE INDEX IF NOT EXISTS "idx_awaiting_about_user_id"
    ON "awaiting" ("about_user_id")""",
    )


def _v9_indexes_for_scale(db: sqlite_utils.Database) -> None:
    """Indexes for the hot paths at 100,000 people (issue 11; ``tests/test_query_plans.py``).

    /open reads each question's first message (``thread_messages.question_id``)
    and lists questions oldest first; /clients lists a caseload by name;
    ``wegwijs outbox status`` reads counts kept by triggers (bot/delivery/outbox_counts.py).
    """
    _run(
        db,
        'CREATE INDEX idx_thread_messages_question_id ON thread_messages (question_id)',
        'DROP INDEX idx_questions_klantmanager_id_status',
        'CREATE INDEX idx_questions_klantmanager_status_created ON questions (klantmanager_id, status, created_at)',
        'DROP INDEX idx_clients_klantmanager_id',
        'CREATE INDEX idx_clients_klantmanager_name ON clients (klantmanager_id, name)',
        'CREATE TABLE outbox_counts (kind TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, status))',
        'INSERT INTO outbox_counts (kind, status, n) SELECT kind, status, count(*) FROM outbox GROUP BY kind, status',
        """CREATE TRIGGER outbox_counted_insert AFTER INSERT ON outbox BEGIN INSERT INTO outbox_counts (kind, status, n) VALUES (NEW.kind, NEW.status, 1)
        ON CONFLICT (kind, status) DO UPDATE SET n = n + 1; END""",
        'CREATE TRIGGER outbox_counted_delete AFTER DELETE ON outbox BEGIN UPDATE outbox_counts SET n = n - 1 WHERE kind = OLD.kind AND status = OLD.status; END',
        """CREATE TRIGGER outbox_counted_update AFTER UPDATE OF kind, status ON outbox WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status BEGIN UPDATE outbox_counts SET n = n - 1 WHERE kind = OLD.kind AND status = OLD.status; INSERT INTO outbox_counts (kind, status, n) VALUES (NEW.kind, NEW.status, 1)
        ON CONFLICT (kind, status) DO UPDATE SET n = n + 1; END""",
    )


def _v10_operations(db: sqlite_utils.Database) -> None:
    """Operations (bot/ops/): one row the health check writes, to prove the database takes writes;
    open questions counted for /metrics from an index, not by reading every question."""
    _run(
        db,
        "CREATE TABLE health_check (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TEXT NOT NULL)",
        "CREATE INDEX idx_questions_status_answered ON questions (status, answered_at)",
    )


def _v11_thread_files_by_channel(db: sqlite_utils.Database) -> None:
    """Which channel a relayed file came through (issue 15): its ``file_id`` means something only there.

    NULL: Telegram, where every file before this came from.
    """
    db.execute("ALTER TABLE thread_messages ADD COLUMN file_channel TEXT")


def _counted(table: str, source: str, buckets: dict[str, str], watched: str, where: str = "1") -> tuple[str, ...]:
    """SQL of a count table kept by triggers (part of ``_v12_dashboard``, so frozen with it: never change it; see bot/dashboard/counters.py).

    ``buckets``: column -> expression over a row, with ``{row}`` for NEW, OLD or the table.
    """
    columns = ", ".join(buckets)

    def values(row: str) -> str:
        return ", ".join(f"coalesce({expression.format(row=row)}, '')" for expression in buckets.values())

    def add(row: str) -> str:
        return (f"INSERT INTO {table} ({columns}, n) SELECT {values(row)}, 1 WHERE {where.format(row=row)}"
                f" ON CONFLICT ({columns}) DO UPDATE SET n = n + 1;")

    def remove(row: str) -> str:
        match = " AND ".join(f"{c} = coalesce({e.format(row=row)}, '')" for c, e in buckets.items())
        return f"UPDATE {table} SET n = n - 1 WHERE {match} AND {where.format(row=row)};"

    named = ", ".join(f"coalesce({e.format(row=source)}, '') AS {c}" for c, e in buckets.items())
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched.split(", "))
    return (
        f"CREATE TABLE {table} ({', '.join(f'{c} NOT NULL' for c in buckets)}, n INTEGER NOT NULL, PRIMARY KEY ({columns}))",
        f"INSERT INTO {table} ({columns}, n) SELECT {columns}, count(*)"
        f" FROM (SELECT {named} FROM {source} WHERE {where.format(row=source)}) GROUP BY {columns}",
        f"CREATE TRIGGER {table}_counted_insert AFTER INSERT ON {source} BEGIN {add('NEW')} END",
        f"CREATE TRIGGER {table}_counted_delete AFTER DELETE ON {source} BEGIN {remove('OLD')} END",
        f"CREATE TRIGGER {table}_counted_update AFTER UPDATE OF {watched} ON {source}"
        f" WHEN {changed} BEGIN {remove('OLD')} {add('NEW')} END",
    )


def _v12_dashboard(db: sqlite_utils.Database) -> None:
    """The admin overview (issue 16, bot/dashboard/): counts kept by triggers, two columns, indexes.

    ``item_checks.lang``: the language an item was asked in; ``questions.answer_seconds``:
    the wait for the first answer. The count tables hold no person, only counts per bucket.
    """
    _run(
        db,
        'ALTER TABLE "item_checks" ADD COLUMN "lang" TEXT',
        "UPDATE item_checks SET lang = (SELECT lang FROM users WHERE users.id = item_checks.user_id)",
        'ALTER TABLE "questions" ADD COLUMN "answer_seconds" INTEGER',
        "UPDATE questions SET answer_seconds = CAST(round((julianday(answered_at) - julianday(created_at)) * 86400)"
        " AS INTEGER) WHERE answered_at IS NOT NULL",
        *_counted(
            "people_counts", "users", {"step": "{row}.step", "lang": "{row}.lang", "active": "{row}.active"},
            "step, lang, active, privacy_accepted_at", where="{row}.privacy_accepted_at IS NOT NULL",
        ),
        *_counted(
            "understanding_counts", "item_checks",
            {"item_id": "{row}.item_id", "lang": "{row}.lang", "status": "{row}.status",
             "sent": "{row}.first_sent_at IS NOT NULL", "unclear": "{row}.unclear_count > 0"},
            "item_id, lang, status, first_sent_at, unclear_count",
        ),
        *_counted(
            "appointment_counts", "appointments", {"kind": "{row}.kind", "status": "{row}.status", "answer": "{row}.answer"},
            "kind, status, answer",
        ),
        # Reminders sent per kind of appointment: history, counted when a reminder becomes sent.
        "CREATE TABLE reminders_sent (kind TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL)",
        "INSERT INTO reminders_sent (kind, n) SELECT a.kind, count(*) FROM outbox o"
        " JOIN appointments a ON a.id = json_extract(o.params, '$.appointment_id')"
        " WHERE o.kind = 'appointment.reminder' AND o.status = 'sent' GROUP BY a.kind",
        "CREATE TRIGGER reminders_sent_counted AFTER UPDATE OF status ON outbox"
        " WHEN NEW.status = 'sent' AND OLD.status IS NOT 'sent' AND NEW.kind = 'appointment.reminder' BEGIN"
        " INSERT INTO reminders_sent (kind, n) SELECT kind, 1 FROM appointments"
        " WHERE id = json_extract(NEW.params, '$.appointment_id') ON CONFLICT (kind) DO UPDATE SET n = n + 1; END",
        # New and active people per language: index ranges (privacy_accepted_at in them, so they cover).
        "CREATE INDEX idx_users_lang_created ON users (lang, created_at, privacy_accepted_at)",
        "CREATE INDEX idx_users_lang_active ON users (lang, last_active_at, privacy_accepted_at)",
        # Questions waiting per klantmanager; questions answered in the last weeks.
        "CREATE INDEX idx_questions_status_km ON questions (status, klantmanager_id, answered_at, created_at, answer_due_at)",
        "CREATE INDEX idx_questions_answered ON questions (answered_at, klantmanager_id, answer_seconds, answer_due_at)",
    )


def _v13_dashboard_signin(db: sqlite_utils.Database) -> None:
    """Single-use sign-in links and sessions of the staff dashboard (bot/dashboard/signin.py).

    Staff rows, not a statushouder's (``staff_id``, no ``user_id``); only hashes of the secrets.
    """
    _run(
        db,
        """CREATE TABLE dashboard_links (
   token_hash TEXT PRIMARY KEY,
   staff_id INTEGER NOT NULL,
   created_at TEXT NOT NULL,
   expires_at TEXT NOT NULL,
   used_at TEXT
)""",
        """CREATE TABLE dashboard_sessions (
   id_hash TEXT PRIMARY KEY,
   staff_id INTEGER NOT NULL,
   created_at TEXT NOT NULL,
   expires_at TEXT NOT NULL,
   ended_at TEXT
)""",
        "CREATE INDEX idx_dashboard_links_expires_at ON dashboard_links (expires_at)",
        "CREATE INDEX idx_dashboard_sessions_expires_at ON dashboard_sessions (expires_at)",
    )


def _v14_identities(db: sqlite_utils.Database) -> None:
    """Internal person ids, linked to each channel's own id (bot/people/identities.py; issue 15).

    Everyone who exists today (statushouders and staff) keeps their number as
    their person id: those numbers are already in every table, in the JSON of
    outbox params, awaited input and audit details, and in the data of buttons
    already sent to klantmanagers' chats, so renumbering would break what
    cannot be rewritten. Each gets an identity ('telegram', that number).
    New persons get ids from 2**52 up (AUTOINCREMENT: an erased person's id
    never comes back); Telegram user ids have at most 52 bits, so an id from
    that range is never a Telegram id and cannot be mistaken for one.
    """
    _run(
        db,
        """CREATE TABLE persons (
   id INTEGER PRIMARY KEY AUTOINCREMENT,
   created_at TEXT
)""",
        """CREATE TABLE identities (
   channel TEXT NOT NULL,
   external_id TEXT NOT NULL,
   person_id INTEGER NOT NULL REFERENCES persons (id),
   linked_at TEXT,
   PRIMARY KEY (channel, external_id)
)""",
        "CREATE INDEX idx_identities_person_id ON identities (person_id)",
        """INSERT INTO persons (id, created_at)
SELECT id, min(created_at) FROM (SELECT id, created_at FROM users UNION ALL SELECT id, created_at FROM staff)
GROUP BY id""",
        """INSERT INTO identities (channel, external_id, person_id, linked_at)
SELECT 'telegram', CAST(id AS TEXT), id, created_at FROM persons""",
        """INSERT INTO sqlite_sequence (name, seq)
SELECT 'persons', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'persons')""",
        "UPDATE sqlite_sequence SET seq = max(seq, 4503599627370495) WHERE name = 'persons'",
    )


# The web chat's tables came with the core's migrations, before channels had their own
# (``migrate_channel``). Migrations are frozen history, so this one stays here and the web
# chat's own list (``bot/channels/web/spec.py``) starts empty.
def _v15_web_chat(db: sqlite_utils.Database) -> None:
    """The web chat's sessions, messages and files (bot/channels/web/store.py; issue 15).

    A session is found by the hash of the browser's token; a message waits
    (``delivered`` 0) until an open page has shown it; a file is one the
    person sent or was sent (a photo, their data export). All have ``user_id``
    (the person's internal id), so they are exported and erased with the person.
    """
    _run(
        db,
        """CREATE TABLE web_sessions (
   token_hash TEXT PRIMARY KEY,
   address TEXT NOT NULL UNIQUE,
   user_id INTEGER NOT NULL,
   created_at TEXT NOT NULL,
   last_seen_at TEXT NOT NULL
)""",
        "CREATE INDEX idx_web_sessions_user_id ON web_sessions (user_id)",
        """CREATE TABLE web_files (
   id INTEGER PRIMARY KEY,
   user_id INTEGER NOT NULL,
   address TEXT NOT NULL,
   kind TEXT NOT NULL,
   file_name TEXT NOT NULL,
   mime TEXT NOT NULL,
   content BLOB NOT NULL,
   created_at TEXT NOT NULL
)""",
        "CREATE INDEX idx_web_files_user_id ON web_files (user_id)",
        """CREATE TABLE web_messages (
   id INTEGER PRIMARY KEY,
   user_id INTEGER NOT NULL,
   address TEXT NOT NULL,
   lang TEXT,
   html TEXT NOT NULL,
   buttons TEXT NOT NULL DEFAULT '[]',
   created_at TEXT NOT NULL,
   delivered INTEGER NOT NULL DEFAULT 0,
   file_id INTEGER REFERENCES web_files (id) ON DELETE SET NULL,
   voice TEXT
)""",
        "CREATE INDEX idx_web_messages_address_id ON web_messages (address, id)",
        "CREATE INDEX idx_web_messages_user_id ON web_messages (user_id)",
    )


def _v16_questions_waiting(db: sqlite_utils.Database) -> None:
    """A question waits for an answer again when its newest message is the client's (a follow-up).

    ``waiting_since``: the first client message after the newest answer (NULL: the newest
    message is an answer); ``waiting_due_at``: when an answer to it is due. Both are set by a
    client message and cleared by an answer; ``answered_at`` and ``answer_seconds`` keep
    meaning the first answer (the admin overview's answer times). Existing questions: a
    question never answered waits since it was asked, due as promised; a follow-up after an
    answer, due two working days later (the default, weekdays counted in UTC). A closed
    question waits for nothing (a follow-up opens it again and starts a new wait).
    """
    _run(
        db,
        'ALTER TABLE "questions" ADD COLUMN "waiting_since" TEXT',
        'ALTER TABLE "questions" ADD COLUMN "waiting_due_at" TEXT',
        """UPDATE questions SET waiting_since = (
    SELECT min(t.created_at) FROM thread_messages t WHERE t.question_id = questions.id AND t.direction = 'from_client'
    AND t.id > coalesce((SELECT max(a.id) FROM thread_messages a
        WHERE a.question_id = questions.id AND a.direction = 'to_client'), 0))
WHERE status = 'open'""",
        "UPDATE questions SET waiting_due_at = answer_due_at WHERE waiting_since IS NOT NULL AND answered_at IS NULL",
        """UPDATE questions SET waiting_due_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', waiting_since,
    CASE strftime('%w', waiting_since) WHEN '4' THEN '+4 days' WHEN '5' THEN '+4 days' WHEN '6' THEN '+3 days'
    ELSE '+2 days' END) WHERE waiting_since IS NOT NULL AND answered_at IS NOT NULL""",
        "DROP INDEX idx_questions_status_answered",
        "CREATE INDEX idx_questions_status_waiting ON questions (status, waiting_since)",
        "DROP INDEX idx_questions_status_km",
        "CREATE INDEX idx_questions_status_km_waiting ON questions (status, klantmanager_id, waiting_since, waiting_due_at)",
    )


def _v17_channel_schemas(db: sqlite_utils.Database) -> None:
    """How many of its own migrations each channel beside Telegram has applied (``migrate_channel``)."""
    _run(
        db,
        """CREATE TABLE channel_schemas (
   channel TEXT PRIMARY KEY,
   version INTEGER NOT NULL
)""",
    )


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
    _v10_operations,
    _v11_thread_files_by_channel,
    _v12_dashboard,
    _v13_dashboard_signin,
    _v14_identities,
    _v15_web_chat,
    _v16_questions_waiting,
    _v17_channel_schemas,
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


def rows_of(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """A plain SELECT's rows as dicts, for hot paths.

    sqlite-utils' ``db[table].get`` and ``rows_where`` look up the schema first
    (three ``sqlite_master`` queries) and ``db.query`` wraps each read in a
    savepoint; a question asked on every update needs neither.
    """
    cursor = db.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor]


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


def migrate_channel(db: sqlite_utils.Database, channel: str, migrations: Iterable[Migration]) -> None:
    """A channel's own migrations (``bot/core/channels.py``), after the core's: those it has not
    applied yet, each in a transaction with its count in ``channel_schemas``.

    A channel's migrations are frozen as the core's are: new steps go at the end of its list.
    """
    row = db.execute("SELECT version FROM channel_schemas WHERE channel = ?", [channel]).fetchone()
    version = row[0] if row else 0
    for number, migration in enumerate(list(migrations)[version:], start=version + 1):
        with db.atomic():
            migration(db)
            db.execute(
                "INSERT INTO channel_schemas (channel, version) VALUES (?, ?)"
                " ON CONFLICT (channel) DO UPDATE SET version = excluded.version",
                [channel, number],
            )


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
    data: dict[str, Any] = {
        "users": list(db["users"].rows_where("id = ?", [user_id])),
        "identities": list(db["identities"].rows_where("person_id = ?", [user_id])),
    }
    for name in personal_tables(db):
        data[name] = list(db[name].rows_where(_about(db, name), {"person": user_id}))
    return data


_FORGET_PERSON = (
    "DELETE FROM identities WHERE person_id = :person AND NOT EXISTS (SELECT 1 FROM staff WHERE id = :person)",
    "DELETE FROM persons WHERE id = :person AND NOT EXISTS (SELECT 1 FROM staff WHERE id = :person)",
)
"""A person's identities and their ``persons`` row, unless they are staff (staff are never erased here)."""


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
            for delete in _FORGET_PERSON:
                db.execute(delete, {"person": user_id})
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
