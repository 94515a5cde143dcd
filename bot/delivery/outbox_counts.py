"""How many outbox rows there are of each kind and status, kept up to date by triggers.

``wegwijs outbox status`` shows these numbers. Counting them from the outbox
itself reads every row (a million rows: a quarter of a second or more, and
slower as history grows); the triggers below keep a small table of counts
instead, updated in the same transaction as each insert, change of kind or
status, and delete, so it cannot drift from the outbox. The cost is one
upsert of a tiny, cached table per outbox write.
"""

from __future__ import annotations

import sqlite_utils

TABLE = "outbox_counts"
COUNTS = f"SELECT kind, status, n FROM {TABLE} WHERE n > 0"

_ADD = f"""INSERT INTO {TABLE} (kind, status, n) VALUES (NEW.kind, NEW.status, 1)
        ON CONFLICT (kind, status) DO UPDATE SET n = n + 1;"""
_REMOVE = f"UPDATE {TABLE} SET n = n - 1 WHERE kind = OLD.kind AND status = OLD.status;"


def create(db: sqlite_utils.Database) -> None:
    """The counts table, filled from the outbox as it is now, and its triggers (in one transaction)."""
    db.execute(f"CREATE TABLE {TABLE} (kind TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, status))")
    db.execute(f"INSERT INTO {TABLE} (kind, status, n) SELECT kind, status, count(*) FROM outbox GROUP BY kind, status")
    db.execute(f"CREATE TRIGGER outbox_counted_insert AFTER INSERT ON outbox BEGIN {_ADD} END")
    db.execute(f"CREATE TRIGGER outbox_counted_delete AFTER DELETE ON outbox BEGIN {_REMOVE} END")
    db.execute(
        "CREATE TRIGGER outbox_counted_update AFTER UPDATE OF kind, status ON outbox"
        f" WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status BEGIN {_REMOVE} {_ADD} END"
    )


def counts(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    """kind -> status -> number of rows."""
    result: dict[str, dict[str, int]] = {}
    for kind, status, number in db.execute(COUNTS):
        result.setdefault(kind, {})[status] = number
    return result
