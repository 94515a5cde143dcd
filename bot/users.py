"""A statushouder's own state: language, privacy consent, step, settings.

Until the person accepts the privacy notice, their row holds only their id
and the language they chose (and the link code they opened, so the link is
not lost while they read the notice).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.clock import iso


@dataclass(frozen=True)
class User:
    id: int
    lang: str
    privacy_accepted_at: str | None
    step: str | None
    bilingual: bool
    start_code: str | None
    confirm_token: str | None
    active: bool

    @property
    def onboarded(self) -> bool:
        return self.privacy_accepted_at is not None


_USER_COLUMNS = "id, lang, privacy_accepted_at, step, bilingual, start_code, confirm_token, active"


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    # Plain SQL: this runs for nearly every update and every message sent, and
    # sqlite-utils' table helpers look up the schema on each call.
    row = db.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        return None
    user_id, lang, accepted, step, bilingual, start_code, confirm_token, active = row
    return User(
        id=user_id,
        lang=lang,
        privacy_accepted_at=accepted,
        step=step,
        bilingual=bool(bilingual),
        start_code=start_code,
        confirm_token=confirm_token,
        active=bool(active),
    )


def _update(db: sqlite_utils.Database, user_id: int, **fields: object) -> None:
    if not all(name.isidentifier() for name in fields):
        raise TypeError(f"not column names: {sorted(fields)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    db.execute(f"UPDATE users SET {assignments} WHERE id = ?", [*fields.values(), user_id])


def choose_language(db: sqlite_utils.Database, user_id: int, lang: str | None) -> None:
    """Store the chosen language (None only to keep a link code before the choice)."""
    db.execute(
        "INSERT INTO users (id, lang) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET lang = excluded.lang", [user_id, lang]
    )


def remember_start_code(db: sqlite_utils.Database, user_id: int, code: str) -> None:
    _update(db, user_id, start_code=code)


def accept_privacy(db: sqlite_utils.Database, user_id: int, now: datetime) -> None:
    _update(db, user_id, privacy_accepted_at=iso(now), created_at=iso(now), last_active_at=iso(now))


def touch(db: sqlite_utils.Database, user_id: int, now: datetime) -> bool:
    """Record activity; a person who writes again is active again. True if they were inactive."""
    before = db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
    db.execute("UPDATE users SET last_active_at = ?, active = 1 WHERE id = ?", [iso(now), user_id])
    return before is not None and not before[0]


def deactivate(db: sqlite_utils.Database, user_id: int) -> None:
    """The person blocked the bot; ``touch`` makes them active again when they write."""
    _update(db, user_id, active=0)


def set_step(db: sqlite_utils.Database, user_id: int, step_id: str) -> None:
    _update(db, user_id, step=step_id)


def set_bilingual(db: sqlite_utils.Database, user_id: int, on: bool) -> None:
    _update(db, user_id, bilingual=int(on))


def new_confirm_token(db: sqlite_utils.Database, user_id: int) -> str:
    """A token that only the latest confirmation question carries."""
    token = secrets.token_urlsafe(6)
    _update(db, user_id, confirm_token=token)
    return token


def clear_confirm_token(db: sqlite_utils.Database, user_id: int) -> None:
    _update(db, user_id, confirm_token=None)
