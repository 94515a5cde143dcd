"""Counts kept by triggers, so the admin overview reads a few small rows, not every person.

Counting people per step and language, or checks per item and language, from
the tables themselves reads every row (100,000 people: tens of milliseconds
each, more under load, and slower as the gemeente grows). As with
``bot/delivery/outbox_counts.py``, a small table per question holds the counts
per *bucket* (a few columns of the row), and triggers keep it right in the
same transaction as each insert, update and delete, so it cannot drift. A row
leaves its old bucket and joins its new one only when a bucket column changes.

The buckets hold no person: a count per step and language, never an id.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Counter:
    """A count of the rows of ``source`` per bucket.

    ``buckets``: bucket column -> SQL expression over a row of ``source``,
    written with ``{row}.`` before each column (``NEW``, ``OLD`` or the table);
    a NULL becomes ''. ``where``: which rows count (same notation).
    ``watched``: the columns of ``source`` the buckets and ``where`` read.
    """

    table: str
    source: str
    buckets: dict[str, str]
    watched: tuple[str, ...]
    where: str = "1"

    def _values(self, row: str) -> list[str]:
        return [f"coalesce({expression.format(row=row)}, '')" for expression in self.buckets.values()]

    def _add(self, row: str) -> str:
        columns = ", ".join(self.buckets)
        return (
            f"INSERT INTO {self.table} ({columns}, n) SELECT {', '.join(self._values(row))}, 1"
            f" WHERE {self.where.format(row=row)} ON CONFLICT ({columns}) DO UPDATE SET n = n + 1;"
        )

    def _remove(self, row: str) -> str:
        match = " AND ".join(f"{column} = {value}" for column, value in zip(self.buckets, self._values(row), strict=True))
        return f"UPDATE {self.table} SET n = n - 1 WHERE {match} AND {self.where.format(row=row)};"

    def create(self, db: sqlite_utils.Database) -> None:
        """The table, filled from ``source`` as it is now, and its three triggers."""
        columns = ", ".join(self.buckets)
        db.execute(
            f"CREATE TABLE {self.table} ({', '.join(f'{c} NOT NULL' for c in self.buckets)}, n INTEGER NOT NULL,"
            f" PRIMARY KEY ({columns}))"
        )
        db.execute(
            f"INSERT INTO {self.table} ({columns}, n) SELECT {columns}, count(*) FROM (SELECT "
            + ", ".join(f"{value} AS {column}" for column, value in zip(self.buckets, self._values(self.source), strict=True))
            + f" FROM {self.source} WHERE {self.where.format(row=self.source)}) GROUP BY {columns}"
        )
        name = f"{self.table}_counted"
        db.execute(f"CREATE TRIGGER {name}_insert AFTER INSERT ON {self.source} BEGIN {self._add('NEW')} END")
        db.execute(f"CREATE TRIGGER {name}_delete AFTER DELETE ON {self.source} BEGIN {self._remove('OLD')} END")
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in self.watched)
        db.execute(
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(self.watched)} ON {self.source}"
            f" WHEN {changed} BEGIN {self._remove('OLD')} {self._add('NEW')} END"
        )

    def rows(self, db: sqlite_utils.Database) -> list[tuple]:
        """(bucket values..., n) for every bucket with rows."""
        return db.execute(f"SELECT {', '.join(self.buckets)}, n FROM {self.table} WHERE n > 0").fetchall()


PEOPLE = Counter(
    table="people_counts",
    source="users",
    buckets={"step": "{row}.step", "lang": "{row}.lang", "active": "{row}.active"},
    watched=("step", "lang", "active", "privacy_accepted_at"),
    where="{row}.privacy_accepted_at IS NOT NULL",
)
"""People who accepted the privacy notice, per step, language and whether they still take messages."""

CHECKS = Counter(
    table="understanding_counts",
    source="item_checks",
    buckets={
        "item_id": "{row}.item_id",
        "lang": "{row}.lang",
        "status": "{row}.status",
        "sent": "{row}.first_sent_at IS NOT NULL",
        "unclear": "{row}.unclear_count > 0",
    },
    watched=("item_id", "lang", "status", "first_sent_at", "unclear_count"),
)
"""Checks of critical items per item, language, status, whether sent and whether marked "not clear"."""

APPOINTMENTS = Counter(
    table="appointment_counts",
    source="appointments",
    buckets={"kind": "{row}.kind", "status": "{row}.status", "answer": "{row}.answer"},
    watched=("kind", "status", "answer"),
)
"""Appointments per kind, status and answer ("coming", "not_coming" or none)."""

COUNTERS = (PEOPLE, CHECKS, APPOINTMENTS)

REMINDERS_SENT = "reminders_sent"


def create_reminders_sent(db: sqlite_utils.Database) -> None:
    """Reminders sent per kind of appointment: counted when a reminder row becomes ``sent``.

    The kind is the appointment's kind at that moment. Unlike the counters
    above, this is history: erasing a person does not take back the count
    (it holds no one; the appointment rows themselves go).
    """
    db.execute(f"CREATE TABLE {REMINDERS_SENT} (kind TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute(
        f"INSERT INTO {REMINDERS_SENT} (kind, n) SELECT a.kind, count(*) FROM outbox o"
        " JOIN appointments a ON a.id = json_extract(o.params, '$.appointment_id')"
        " WHERE o.kind = 'appointment.reminder' AND o.status = 'sent' GROUP BY a.kind"
    )
    db.execute(
        "CREATE TRIGGER reminders_sent_counted AFTER UPDATE OF status ON outbox"
        " WHEN NEW.status = 'sent' AND OLD.status IS NOT 'sent' AND NEW.kind = 'appointment.reminder' BEGIN"
        f" INSERT INTO {REMINDERS_SENT} (kind, n)"
        " SELECT kind, 1 FROM appointments WHERE id = json_extract(NEW.params, '$.appointment_id')"
        " ON CONFLICT (kind) DO UPDATE SET n = n + 1; END"
    )


def reminders_sent(db: sqlite_utils.Database) -> dict[str, int]:
    return dict(db.execute(f"SELECT kind, n FROM {REMINDERS_SENT}").fetchall())
