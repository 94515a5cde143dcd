"""How many outbox rows there are of each kind and status, kept up to date by triggers.

``wegwijs outbox status`` shows these numbers. Counting them from the outbox
itself reads every row (a million rows: a quarter of a second or more, and
slower as history grows); triggers on the outbox (created by the migration
``_v9_indexes_for_scale`` in bot/core/db.py) keep a small table of counts
instead, updated in the same transaction as each insert, change of kind or
status, and delete, so it cannot drift from the outbox. The cost is one
upsert of a tiny, cached table per outbox write.
"""

from __future__ import annotations

import sqlite_utils

TABLE = "outbox_counts"
COUNTS = f"SELECT kind, status, n FROM {TABLE} WHERE n > 0"


def counts(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    """kind -> status -> number of rows."""
    result: dict[str, dict[str, int]] = {}
    for kind, status, number in db.execute(COUNTS):
        result.setdefault(kind, {})[status] = number
    return result
