"""The outbox: every scheduled message is a row in SQLite, never a pickled job.

A row says who gets what and when: a *kind* with its parameters (ids and
values, never rendered text) and a due time in UTC. At the due time the
dispatcher (``bot/delivery/dispatcher.py``) claims the row, and the sender registered
for its kind renders and sends it, so the person's language and the content
of that moment apply.

Each row has an idempotency key: planning the same message twice gives one
row. Statuses::

    pending -> sending -> sent | failed | cancelled
                      \\-> pending (retry later)

The dispatcher claims each row before it sends it, and keeps a bounded
number of sends in flight (``Settings.sends_in_flight``). After a crash, rows
still marked ``sending`` go back to ``pending``: only the messages that were
in flight can then be sent twice, and nothing is lost.

Rows marked ``quiet`` wait while it is quiet hours (see ``bot/texts/timing.py``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.delivery import outbox_counts
from bot.core.clock import iso, parse_iso
from bot.core.db import rows_of

if TYPE_CHECKING:
    from bot.core.services import Services

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED)
TABLE = "outbox"
BLOCKED = "the person blocked the bot"
"""Why rows were cancelled when Telegram answered 403 (the row that met it: this, then the error)."""
INACTIVE = "inactive"
"""Why a row that fell due while its person had blocked the bot was not sent."""
_ABSENCE = "(last_error = ? OR substr(last_error, 1, ?) = ?)"
_ABSENCE_VALUES = [INACTIVE, len(BLOCKED), BLOCKED]


@dataclass(frozen=True)
class OutboxRow:
    id: int
    user_id: int
    """The person the message is about (``/delete`` erases their rows)."""
    chat_id: int | None
    """Where it goes; None when the sender picks the chat at send time."""
    kind: str
    params: dict[str, Any]
    due_at: datetime
    quiet: bool
    status: str
    attempts: int
    last_error: str | None
    key: str


@dataclass(frozen=True)
class Skipped:
    """What a sender returns when, at send time, the message is no longer wanted."""

    reason: str


Sender = Callable[["Services", OutboxRow], Awaitable[Skipped | None]]
"""Sends the rows of one kind; a feature declares it (``Feature.senders``).

The sender renders one row at send time and sends it through
``bot/delivery/deliver.py``, and returns None, or a ``Skipped`` when there
is nothing to send any more. The channel errors it raises
(``bot/core/channel.py``) are handled by the dispatcher (retry, backoff,
blocked). It must be safe to run twice for one row: after a crash it may be.
"""


def _row(values: dict[str, Any]) -> OutboxRow:
    return OutboxRow(
        id=values["id"],
        user_id=values["user_id"],
        chat_id=values["chat_id"],
        kind=values["kind"],
        params=json.loads(values["params"]),
        due_at=parse_iso(values["due_at"]),
        quiet=bool(values["quiet"]),
        status=values["status"],
        attempts=values["attempts"],
        last_error=values["last_error"],
        key=values["key"],
    )


@dataclass(frozen=True)
class Planned:
    """A message to plan (see ``enqueue``)."""

    user_id: int
    chat_id: int | None
    kind: str
    params: dict[str, Any]
    due_at: datetime
    key: str
    quiet: bool = False

    def values(self) -> list[Any]:
        return [
            self.user_id, self.chat_id, self.kind, json.dumps(self.params, sort_keys=True),
            iso(self.due_at), int(self.quiet), PENDING, self.key,
        ]


_INSERT = (
    f"INSERT INTO {TABLE} (user_id, chat_id, kind, params, due_at, quiet, status, attempts, key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT(key) DO NOTHING"
)


def enqueue(
    db: sqlite_utils.Database,
    *,
    user_id: int,
    chat_id: int | None,
    kind: str,
    params: dict[str, Any],
    due_at: datetime,
    key: str,
    quiet: bool = False,
) -> int:
    """Plan a message; returns its row id. A second call with the same key changes nothing.

    One statement, so no transaction of its own: planning several messages
    wraps the calls in one ``db.atomic()`` and commits once.
    """
    planned = Planned(user_id=user_id, chat_id=chat_id, kind=kind, params=params, due_at=due_at, key=key, quiet=quiet)
    inserted = db.execute(f"{_INSERT} RETURNING id", planned.values()).fetchone()
    if inserted is not None:
        return inserted[0]
    return db.execute(f"SELECT id FROM {TABLE} WHERE key = ?", [key]).fetchone()[0]


def enqueue_many(db: sqlite_utils.Database, messages: Iterable[Planned]) -> None:
    """Plan many messages in one statement (keys already planned change nothing).

    For planning for many people at once (a broadcast, an import); the caller
    holds the transaction.
    """
    db.conn.executemany(_INSERT, (message.values() for message in messages))


def _where(
    *,
    ids: Collection[int] | None = None,
    user_id: int | None = None,
    chat_id: int | None = None,
    kinds: Collection[str] | None = None,
    key_prefix: str | None = None,
    key_family: str | None = None,
) -> tuple[str, list[Any]]:
    clauses, values = ["status = ?"], [PENDING]
    if ids is not None:
        clauses.append("id IN (SELECT value FROM json_each(?))")
        values.append(json.dumps(list(ids)))
    if user_id is not None:
        clauses.append("user_id = ?")
        values.append(user_id)
    if chat_id is not None:
        clauses.append("chat_id = ?")
        values.append(chat_id)
    if kinds is not None:
        clauses.append("kind IN (SELECT value FROM json_each(?))")
        values.append(json.dumps(list(kinds)))
    if key_prefix is not None:
        clauses.append("substr(key, 1, ?) = ?")
        values.extend([len(key_prefix), key_prefix])
    if key_family is not None:
        clauses.append(_FAMILY)
        values.extend(_family_values(key_family))
    return " AND ".join(clauses), values


_FAMILY = "(key = ? OR substr(key, 1, ?) = ?)"
"""A key family: the key itself and its versions ``<key>:...`` (``cannot_come:5`` and
``cannot_come:5:<time>``, not ``cannot_come:51``)."""


def _family_values(family: str) -> list[Any]:
    return [family, len(family) + 1, f"{family}:"]


def pending(db: sqlite_utils.Database, **filters: Any) -> list[OutboxRow]:
    """Pending rows, earliest first; filters: ids, user_id, chat_id, kinds, key_prefix, key_family."""
    where, values = _where(**filters)
    return [_row(r) for r in db.query(f"SELECT * FROM {TABLE} WHERE {where} ORDER BY due_at, id", values)]


def cancel(db: sqlite_utils.Database, *, reason: str, **filters: Any) -> int:
    """Cancel pending rows (filters as for ``pending``); returns how many."""
    where, values = _where(**filters)
    cursor = db.execute(f"UPDATE {TABLE} SET status = ?, last_error = ? WHERE {where}", [CANCELLED, reason, *values])
    return cursor.rowcount


def cancelled_for_absence(db: sqlite_utils.Database, *, user_id: int, kind: str, key_prefix: str) -> list[str]:
    """Keys of rows not sent because the person had blocked the bot."""
    found = db.execute(
        f"SELECT key FROM {TABLE} WHERE user_id = ? AND kind = ? AND status = ? AND substr(key, 1, ?) = ?"
        f" AND {_ABSENCE}",
        [user_id, kind, CANCELLED, len(key_prefix), key_prefix, *_ABSENCE_VALUES],
    )
    return [key for (key,) in found]


def revive(db: sqlite_utils.Database, key: str, due_at: datetime, *, quiet: bool) -> int:
    """Plan a row cancelled because its person had blocked the bot again (1), or nothing (0).

    Rows cancelled for any other reason (the appointment changed, it was
    answered...) stay cancelled.
    """
    cursor = db.execute(
        f"UPDATE {TABLE} SET status = ?, due_at = ?, quiet = ?, attempts = 0, last_error = NULL"
        f" WHERE key = ? AND status = ? AND {_ABSENCE}",
        [PENDING, iso(due_at), int(quiet), key, CANCELLED, *_ABSENCE_VALUES],
    )
    return cursor.rowcount


def count(db: sqlite_utils.Database, *, user_id: int, kind: str, key_prefix: str) -> int:
    """Rows of any status, for chains that stop after a number of messages."""
    return db.execute(
        f"SELECT count(*) FROM {TABLE} WHERE user_id = ? AND kind = ? AND substr(key, 1, ?) = ?",
        [user_id, kind, len(key_prefix), key_prefix],
    ).fetchone()[0]


@dataclass(frozen=True)
class FamilyRow:
    kind: str
    status: str
    sent_at: str | None


def family_rows(db: sqlite_utils.Database, *, user_id: int, families: dict[str, str]) -> list[FamilyRow]:
    """Every row of these key families (``{kind: family}``, see ``_FAMILY``), in the order they were planned."""
    rows: list[tuple[int, FamilyRow]] = []
    for kind, family in families.items():
        found = db.execute(
            f"SELECT id, status, sent_at FROM {TABLE} WHERE user_id = ? AND kind = ? AND {_FAMILY}",
            [user_id, kind, *_family_values(family)],
        )
        rows.extend((row_id, FamilyRow(kind, status, sent_at)) for row_id, status, sent_at in found)
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def sent_count(db: sqlite_utils.Database, *, user_id: int, kind: str, key_prefix: str) -> int:
    """Rows that reached the person: whether they were ever told (an appointment's notice)."""
    return db.execute(
        f"SELECT count(*) FROM {TABLE} WHERE user_id = ? AND kind = ? AND status = ? AND substr(key, 1, ?) = ?",
        [user_id, kind, SENT, len(key_prefix), key_prefix],
    ).fetchone()[0]


def _due_clause(quiet_now: bool) -> str:
    return "status = 'pending' AND due_at <= ?" + (" AND quiet = 0" if quiet_now else "")


def claim_next(
    db: sqlite_utils.Database, now: datetime, *, quiet_now: bool, skip_chats: Collection[int] = ()
) -> OutboxRow | None:
    """Atomically take the earliest due row (pending -> sending, one more attempt)."""
    with db.atomic():
        found = rows_of(
            db,
            f"UPDATE {TABLE} SET status = ?, attempts = attempts + 1, updated_at = ?"
            f" WHERE id = (SELECT id FROM {TABLE} WHERE {_due_clause(quiet_now)}"
            "   AND coalesce(chat_id, 0) NOT IN (SELECT value FROM json_each(?))"
            "   ORDER BY due_at, id LIMIT 1)"
            " RETURNING *",
            [SENDING, iso(now), iso(now), json.dumps(list(skip_chats))],
        )
    return _row(found[0]) if found else None


def has_due(db: sqlite_utils.Database, now: datetime, *, quiet_now: bool) -> bool:
    return db.execute(f"SELECT 1 FROM {TABLE} WHERE {_due_clause(quiet_now)} LIMIT 1", [iso(now)]).fetchone() is not None


def has_work(db: sqlite_utils.Database, now: datetime, *, quiet_now: bool) -> bool:
    """Rows due now or being sent: the dispatcher is not done yet (the demo waits for them before it ends)."""
    sending = db.execute(f"SELECT 1 FROM {TABLE} WHERE status = ? LIMIT 1", [SENDING]).fetchone() is not None
    return sending or has_due(db, now, quiet_now=quiet_now)


def _finish(db: sqlite_utils.Database, row_id: int, status: str, now: datetime, error: str | None = None) -> None:
    with db.atomic():
        db.execute(
            f"UPDATE {TABLE} SET status = ?, last_error = ?, updated_at = ?, sent_at = ? WHERE id = ?",
            [status, error, iso(now), now.isoformat(timespec="milliseconds") if status == SENT else None, row_id],
        )


def complete(db: sqlite_utils.Database, row_id: int, now: datetime, note: str | None = None) -> None:
    _finish(db, row_id, SENT, now, note)


def skip(db: sqlite_utils.Database, row_id: int, now: datetime, reason: str) -> None:
    _finish(db, row_id, CANCELLED, now, reason)


def fail(db: sqlite_utils.Database, row_id: int, now: datetime, error: str) -> None:
    _finish(db, row_id, FAILED, now, error)


def retry(db: sqlite_utils.Database, row_id: int, due_at: datetime, error: str, *, count_attempt: bool = True) -> None:
    """Back to pending, due again at ``due_at``; a rate limit is no failed attempt."""
    with db.atomic():
        db.execute(
            f"UPDATE {TABLE} SET status = ?, due_at = ?, last_error = ?, attempts = attempts - ? WHERE id = ?",
            [PENDING, iso(due_at), error, 0 if count_attempt else 1, row_id],
        )


def recover(db: sqlite_utils.Database) -> int:
    """After a crash: rows that were being sent are pending again (returns how many)."""
    with db.atomic():
        cursor = db.execute(f"UPDATE {TABLE} SET status = ? WHERE status = ?", [PENDING, SENDING])
    return cursor.rowcount


@dataclass(frozen=True)
class Status:
    counts: dict[str, dict[str, int]]
    """kind -> status -> number of rows."""
    due_now: int
    next_due: datetime | None
    failed: list[OutboxRow]
    held: int = 0
    """Due, but held back by quiet hours (not counted in ``due_now``)."""


def status(db: sqlite_utils.Database, now: datetime, failed_limit: int = 20, *, quiet_now: bool = False) -> Status:
    counts = outbox_counts.counts(db)  # kept by triggers: counting here would read every row
    every_due, quiet_due = db.execute(
        f"SELECT count(*), coalesce(sum(quiet), 0) FROM {TABLE} WHERE {_due_clause(False)}", [iso(now)]
    ).fetchone()
    held = quiet_due if quiet_now else 0
    due_now = every_due - held
    upcoming = db.execute(f"SELECT min(due_at) FROM {TABLE} WHERE status = ? AND due_at > ?", [PENDING, iso(now)])
    next_due = upcoming.fetchone()[0]
    failed = [
        _row(r)
        for r in db.query(f"SELECT * FROM {TABLE} WHERE status = ? ORDER BY due_at DESC, id DESC LIMIT ?", [FAILED, failed_limit])
    ]
    return Status(
        counts=counts,
        due_now=due_now,
        next_due=parse_iso(next_due) if next_due else None,
        failed=failed,
        held=held,
    )
