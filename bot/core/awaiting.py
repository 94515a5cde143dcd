"""What the bot is waiting for from someone, kept in the database.

Some answers are free text (or a photo): the reason for "I cannot come", a
question for the klantmanager, a klantmanager's answer. The state lives in
SQLite, not in memory, so a restart in the middle of such a conversation loses
nothing. A feature declares a handler for its kind (``Feature.awaited``, or
``Feature.staff_awaited`` for the klantmanager's Telegram handlers); a message
that no awaited answer claims goes on to search. Keyed by person id, for
statushouders and staff alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class Awaiting:
    kind: str
    data: dict[str, Any]


def expect(db: sqlite_utils.Database, user_id: int, kind: str, /, *, about: int | None = None, **data: Any) -> None:
    """Wait for a message of this kind; ``data`` is what the answer will need (any names).

    ``about``: the statushouder this is about when it is not ``user_id``
    (a klantmanager's half-finished answer), so ``/delete`` finds it.
    ``seen_at`` starts empty: the retention sweep stamps it and drops the row
    once it is older than ``retention.unfinished`` (bot/people/retention.py).
    """
    with db.atomic():
        db["awaiting"].upsert(
            {"user_id": user_id, "kind": kind, "data": json.dumps(data), "about_user_id": about, "seen_at": None},
            pk="user_id",
        )


def current(db: sqlite_utils.Database, user_id: int) -> Awaiting | None:
    row = db.execute("SELECT kind, data FROM awaiting WHERE user_id = ?", [user_id]).fetchone()
    return Awaiting(kind=row[0], data=json.loads(row[1] or "{}")) if row else None


def clear(db: sqlite_utils.Database, user_id: int) -> None:
    with db.atomic():
        db.execute("DELETE FROM awaiting WHERE user_id = ?", [user_id])
