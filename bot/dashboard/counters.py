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
    """A table of counts of the rows of ``source`` per bucket (made by ``_v10_dashboard`` in bot/core/db.py).

    ``buckets``: bucket column -> the SQL expression over a row of ``source``
    it counts by (``{row}.`` before each column); a NULL is counted as ''.
    ``where``: which rows count. The triggers are written out in the
    migration; ``tests/test_dashboard_insights.py`` recounts ``source`` by
    these expressions and finds the same numbers.
    """

    table: str
    source: str
    buckets: dict[str, str]
    where: str = "1"

    def rows(self, db: sqlite_utils.Database) -> list[tuple]:
        """(bucket values..., n) for every bucket with rows."""
        return db.execute(f"SELECT {', '.join(self.buckets)}, n FROM {self.table} WHERE n > 0").fetchall()


PEOPLE = Counter(
    table="people_counts",
    source="users",
    buckets={"step": "{row}.step", "lang": "{row}.lang", "active": "{row}.active"},
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
)
"""Checks of critical items per item, language, status, whether sent and whether marked "not clear"."""

APPOINTMENTS = Counter(
    table="appointment_counts",
    source="appointments",
    buckets={"kind": "{row}.kind", "status": "{row}.status", "answer": "{row}.answer"},
)
"""Appointments per kind, status and answer ("coming", "not_coming" or none)."""

COUNTERS = (PEOPLE, CHECKS, APPOINTMENTS)

REMINDERS_SENT = "reminders_sent"
"""Reminders sent per kind of appointment, counted when a reminder row becomes ``sent`` (the kind
the appointment had then). Unlike the counters above this is history: erasing a person does not
take the count back (it holds no one; the appointment rows themselves go)."""


def reminders_sent(db: sqlite_utils.Database) -> dict[str, int]:
    return dict(db.execute(f"SELECT kind, n FROM {REMINDERS_SENT}").fetchall())
