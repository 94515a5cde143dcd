"""A statushouder's own state: language, privacy consent, step, settings.

Until the person accepts the privacy notice, their row holds only their id
and the language they chose (and the link code they opened, so the link is
not lost while they read the notice); the retention sweep notes when it first
saw such a row in ``last_active_at`` and erases it after a while
(``retention.unfinished``, bot/retention.py).
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


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    rows = list(db["users"].rows_where("id = ?", [user_id]))
    if not rows:
        return None
    row = rows[0]
    return User(
        id=row["id"],
        lang=row["lang"],
        privacy_accepted_at=row["privacy_accepted_at"],
        step=row["step"],
        bilingual=bool(row["bilingual"]),
        start_code=row["start_code"],
        confirm_token=row["confirm_token"],
        active=bool(row["active"]),
    )


def _update(db: sqlite_utils.Database, user_id: int, **fields: object) -> None:
    with db.atomic():
        db["users"].update(user_id, fields)


def choose_language(db: sqlite_utils.Database, user_id: int, lang: str | None) -> None:
    """Store the chosen language (None only to keep a link code before the choice)."""
    with db.atomic():
        db["users"].upsert({"id": user_id, "lang": lang}, pk="id")


def remember_start_code(db: sqlite_utils.Database, user_id: int, code: str) -> None:
    _update(db, user_id, start_code=code)


def accept_privacy(db: sqlite_utils.Database, user_id: int, now: datetime) -> None:
    _update(db, user_id, privacy_accepted_at=iso(now), created_at=iso(now), last_active_at=iso(now))


def touch(db: sqlite_utils.Database, user_id: int, now: datetime) -> None:
    """Record activity; a person who writes again is active again."""
    _update(db, user_id, last_active_at=iso(now), active=1)


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
