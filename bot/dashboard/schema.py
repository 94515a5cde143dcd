"""What the admin overview needs in the database: counters, one column, and indexes.

Applied once, by a migration (``bot/core/db.py``). ``questions.answer_seconds``:
from the question to its first answer, kept when it is answered, so answer
times are read, not computed from two dates per question. ``item_checks.lang`` is the
language a critical item was asked in (this round): whether the Tigrinya text
was understood is a question about the text the person read, also after they
switch language.
"""

from __future__ import annotations

import sqlite_utils

from bot.dashboard import counters

INDEXES = (
    # New and active people per language in the last days: a range of one index, not every person.
    # (privacy_accepted_at in them so they cover the query; a partial index did not.)
    "CREATE INDEX idx_users_lang_created ON users (lang, created_at, privacy_accepted_at)",
    "CREATE INDEX idx_users_lang_active ON users (lang, last_active_at, privacy_accepted_at)",
    # Questions waiting for an answer per klantmanager, and questions answered in the last weeks.
    "CREATE INDEX idx_questions_status_km ON questions (status, klantmanager_id, answered_at, created_at, answer_due_at)",
    "CREATE INDEX idx_questions_answered ON questions (answered_at, klantmanager_id, answer_seconds, answer_due_at)",
)


def create(db: sqlite_utils.Database) -> None:
    db["item_checks"].add_column("lang", str)
    db.execute("UPDATE item_checks SET lang = (SELECT lang FROM users WHERE users.id = item_checks.user_id)")
    db["questions"].add_column("answer_seconds", int)
    db.execute(
        "UPDATE questions SET answer_seconds = CAST(round((julianday(answered_at) - julianday(created_at)) * 86400) AS INTEGER)"
        " WHERE answered_at IS NOT NULL"
    )
    for counter in counters.COUNTERS:
        counter.create(db)
    counters.create_reminders_sent(db)
    for statement in INDEXES:
        db.execute(statement)
