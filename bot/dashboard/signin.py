"""Sign-in without passwords: a single-use link from the bot opens a server-side session.

A staff member sends ``/dashboard``; the bot answers with a link holding a
random token, valid ``LINK_VALID`` and good for one use. Opening it marks the
token used (one UPDATE, so two tabs racing for it cannot both win) and opens a
session of ``SESSION_VALID``, whose own random id goes into the cookie.

Only SHA-256 hashes of tokens and session ids are stored (tables
``dashboard_links`` and ``dashboard_sessions``, migration in ``bot/core/db.py``):
a copy of the database (a backup) signs no one in. Each row names the staff member and when
it was made; rows are dropped a day after they expired, when a new one is made.

Who may see what is *not* kept in the session: every page reads the role from
the ``staff`` table again (``bot/dashboard/access.py``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from bot.core.clock import iso, parse_iso

LINK_VALID = timedelta(minutes=10)
SESSION_VALID = timedelta(hours=8)
KEEP_EXPIRED = timedelta(days=1)
"""Expired links and sessions stay this long (so "expired" can be told from "forged"), then go."""

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
"""``secrets.token_urlsafe(32)``: 43 characters. Anything else is refused before the database is asked."""

USED, EXPIRED, UNKNOWN = "used", "expired", "unknown"
"""Why a link did not sign anyone in."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None


def new_link_token(db: sqlite_utils.Database, staff_id: int, now: datetime) -> str:
    """A fresh single-use token for this staff member; only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with db.atomic():
        db.execute("DELETE FROM dashboard_links WHERE expires_at < ?", [iso(now - KEEP_EXPIRED)])
        db.execute(
            "INSERT INTO dashboard_links (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [_hash(token), staff_id, iso(now), iso(now + LINK_VALID)],
        )
    return token


@dataclass(frozen=True)
class Opened:
    """A link that worked: the staff member and the session id for the cookie."""

    staff_id: int
    session_id: str


@dataclass(frozen=True)
class Refused:
    reason: str
    """``USED``, ``EXPIRED`` or ``UNKNOWN`` (forged, mistyped, or long gone)."""


def open_session(db: sqlite_utils.Database, token: str, now: datetime) -> Opened | Refused:
    """Use the link's token: a new session, or why not. Nothing is written when refused."""
    if not well_formed(token):
        return Refused(UNKNOWN)
    token_hash = _hash(token)
    with db.atomic():
        taken = db.execute(
            "UPDATE dashboard_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?"
            " RETURNING staff_id",
            [iso(now), token_hash, iso(now)],
        ).fetchone()
        if taken is None:
            row = db.execute("SELECT used_at FROM dashboard_links WHERE token_hash = ?", [token_hash]).fetchone()
            if row is None:
                return Refused(UNKNOWN)
            return Refused(USED if row[0] is not None else EXPIRED)
        session_id = secrets.token_urlsafe(TOKEN_BYTES)
        db.execute("DELETE FROM dashboard_sessions WHERE expires_at < ?", [iso(now - KEEP_EXPIRED)])
        db.execute(
            "INSERT INTO dashboard_sessions (id_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [_hash(session_id), taken[0], iso(now), iso(now + SESSION_VALID)],
        )
    return Opened(staff_id=taken[0], session_id=session_id)


def session_staff(db: sqlite_utils.Database, session_id: str | None, now: datetime) -> int | None:
    """The staff id of a live session, or None (no cookie, forged, expired or signed out)."""
    if not session_id or not well_formed(session_id):
        return None
    row = db.execute(
        "SELECT staff_id, expires_at FROM dashboard_sessions WHERE id_hash = ? AND ended_at IS NULL",
        [_hash(session_id)],
    ).fetchone()
    if row is None or parse_iso(row[1]) <= now:
        return None
    return int(row[0])


def end_session(db: sqlite_utils.Database, session_id: str | None, now: datetime) -> None:
    """Sign out: the session stops working at once."""
    if session_id and well_formed(session_id):
        db.execute(
            "UPDATE dashboard_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
            [iso(now), _hash(session_id)],
        )
