"""What the admin overview needs in the database: counters, one column, and indexes.

Applied once, by a migration (``bot/core/db.py``). ``item_checks.lang`` is the
language a critical item was asked in (this round): whether the Tigrinya text
was understood is a question about the text the person read, also after they
switch language.
"""

from __future__ import annotations

import sqlite_utils

from bot.dashboard import counters

INDEXES = (
    # New and active people per language in the last days: a range of one index, not every person.
    "CREATE INDEX idx_users_created_lang ON users (created_at, lang) WHERE privacy_accepted_at IS NOT NULL",
    "CREATE INDEX idx_users_active_lang ON users (last_active_at, lang) WHERE privacy_accepted_at IS NOT NULL",
    # Open questions per klantmanager, and questions answered in the last weeks.
    "CREATE INDEX idx_questions_status_km ON questions (status, klantmanager_id, created_at, answer_due_at)",
    "CREATE INDEX idx_questions_answered ON questions (answered_at, klantmanager_id, created_at, answer_due_at)",
)


def create(db: sqlite_utils.Database) -> None:
    db["item_checks"].add_column("lang", str)
    db.execute("UPDATE item_checks SET lang = (SELECT lang FROM users WHERE users.id = item_checks.user_id)")
    for counter in counters.COUNTERS:
        counter.create(db)
    counters.create_reminders_sent(db)
    for statement in INDEXES:
        db.execute(statement)
