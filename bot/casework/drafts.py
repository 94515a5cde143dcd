"""Question drafts: the exact text a person searched for, kept for "ask my klantmanager".

A button can carry only 64 bytes, so the search result stores the person's
text here and its button carries ``ask:draft:<id>``; the handoff feature reads
the text back when the button is pressed. The table has a ``user_id`` column,
so ``/mydata`` shows it and ``/delete`` erases it. Only a person's latest few
drafts are kept: what someone typed is theirs, and older buttons are rarely
pressed. The table is made by a migration in ``bot/core/db.py``.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.core.clock import iso

TABLE = "question_drafts"
KEEP = 5
"""Drafts kept per person; an older draft's button then gets the "old button" answer."""


def save(db: sqlite_utils.Database, user_id: int, text: str, now: datetime) -> int:
    """Keep the text exactly as typed; returns the draft's id."""
    with db.atomic():
        draft_id = db.execute(
            f"INSERT INTO [{TABLE}] (user_id, text, created_at) VALUES (?, ?, ?)", [user_id, text, iso(now)]
        ).lastrowid
        db.execute(
            f"DELETE FROM [{TABLE}] WHERE user_id = ? AND id NOT IN "
            f"(SELECT id FROM [{TABLE}] WHERE user_id = ? ORDER BY id DESC LIMIT ?)",
            [user_id, user_id, KEEP],
        )
    return int(draft_id)


def text_of(db: sqlite_utils.Database, draft_id: int, user_id: int) -> str | None:
    """The draft's text, if it is this person's and still kept."""
    row = db.execute(f"SELECT text FROM [{TABLE}] WHERE id = ? AND user_id = ?", [draft_id, user_id]).fetchone()
    return row[0] if row else None
