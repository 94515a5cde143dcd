"""A statushouder's own state: language, privacy consent, step, settings.

Until the person accepts the privacy notice, their row holds only their id
and the language they chose (and the link code they opened, so the link is
not lost while they read the notice); the retention sweep notes when it first
saw such a row in ``last_active_at`` and erases it after a while
(``retention.unfinished``, bot/people/retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from bot.core.clock import iso, parse_iso
from bot.screens import buttons


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


TOUCH_EVERY = timedelta(minutes=1)
"""Activity is recorded at most this often: one write per person per minute,
not one commit for every message or button (klantmanagers see the day)."""


def touch(db: sqlite_utils.Database, user_id: int, now: datetime) -> bool:
    """Record activity; a person who writes again is active again. True if they were inactive."""
    before = db.execute("SELECT active, last_active_at FROM users WHERE id = ?", [user_id]).fetchone()
    if before is None:
        return False
    active, last = before
    if active and last is not None and parse_iso(last) > now - TOUCH_EVERY:
        return False
    db.execute("UPDATE users SET last_active_at = ?, active = 1 WHERE id = ?", [iso(now), user_id])
    return not active


def deactivate(db: sqlite_utils.Database, user_id: int) -> None:
    """The person blocked the bot; ``touch`` makes them active again when they write."""
    _update(db, user_id, active=0)


def set_step(db: sqlite_utils.Database, user_id: int, step_id: str) -> None:
    _update(db, user_id, step=step_id)


def set_bilingual(db: sqlite_utils.Database, user_id: int, on: bool) -> None:
    _update(db, user_id, bilingual=int(on))


def new_confirm_token(db: sqlite_utils.Database, user_id: int) -> str:
    """A token that only the latest confirmation question carries."""
    token = buttons.new_token()
    _update(db, user_id, confirm_token=token)
    return token


def clear_confirm_token(db: sqlite_utils.Database, user_id: int) -> None:
    _update(db, user_id, confirm_token=None)
