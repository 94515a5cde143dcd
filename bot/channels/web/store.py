"""Web chat sessions and messages in the database.

A session is a random token kept in the person's browser (an HttpOnly
cookie); the database holds only its SHA-256 hash, so a copy of the database
opens no one's chat. Each session has its own ``address`` (a random id: where
the core sends, ``Turn.address``) and the internal id of its person
(``user_id``). Both tables have a ``user_id`` column, so ``/mydata`` exports
them and ``/delete`` and the retention sweep erase them with the person
(``bot/core/db.py``).

Messages are stored before they are shown: a message sent while the page is
closed waits here and appears when the page opens again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.core.channel import Button, Keyboard
from bot.core.clock import iso

TOKEN_BYTES = 32
HISTORY = 200
"""How many of a person's latest messages a page shows when it opens, and whose buttons still work."""


@dataclass(frozen=True)
class Session:
    address: str
    user_id: int


@dataclass(frozen=True)
class WebMessage:
    id: int
    lang: str | None
    html: str
    """Already safe for the page (``sanitize.safe_html``)."""
    keyboard: Keyboard
    created_at: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: sqlite_utils.Database, user_id: int, address: str, now: datetime) -> str:
    """Store a new session for a person; returns the token for the browser (never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.execute(
        "INSERT INTO web_sessions (token_hash, address, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
        [token_hash(token), address, user_id, iso(now), iso(now)],
    )
    return token


def new_address() -> str:
    """A random id for a new session's person in the web channel (their ``external_id``)."""
    return secrets.token_hex(16)


def session_for(db: sqlite_utils.Database, token: str | None) -> Session | None:
    """The session of a browser's token; None for a forged, old or erased one."""
    if not token or len(token) > 2 * TOKEN_BYTES:
        return None
    row = db.execute("SELECT address, user_id FROM web_sessions WHERE token_hash = ?", [token_hash(token)]).fetchone()
    return Session(address=row[0], user_id=row[1]) if row else None


def session_at(db: sqlite_utils.Database, address: str) -> Session | None:
    row = db.execute("SELECT address, user_id FROM web_sessions WHERE address = ?", [address]).fetchone()
    return Session(address=row[0], user_id=row[1]) if row else None


def seen(db: sqlite_utils.Database, session: Session, now: datetime) -> None:
    db.execute("UPDATE web_sessions SET last_seen_at = ? WHERE address = ?", [iso(now), session.address])


def keyboard_json(keyboard: Keyboard) -> str:
    return json.dumps([[{"label": b.label, "action": b.action} for b in row] for row in keyboard], ensure_ascii=False)


def _keyboard(text: str) -> Keyboard:
    return tuple(tuple(Button(label=b["label"], action=b["action"]) for b in row) for row in json.loads(text))


def add_message(
    db: sqlite_utils.Database, session: Session, lang: str | None, html: str, keyboard: Keyboard, now: datetime
) -> int:
    cursor = db.execute(
        "INSERT INTO web_messages (user_id, address, lang, html, buttons, created_at, delivered)"
        " VALUES (?, ?, ?, ?, ?, ?, 0)",
        [session.user_id, session.address, lang, html, keyboard_json(keyboard), iso(now)],
    )
    return int(cursor.lastrowid)


def messages_after(db: sqlite_utils.Database, address: str, after_id: int | None) -> list[WebMessage]:
    """Messages newer than ``after_id``; with None, the latest ``HISTORY`` (a page that just opened)."""
    if after_id is None:
        sql = (
            "SELECT * FROM (SELECT id, lang, html, buttons, created_at FROM web_messages WHERE address = ?"
            " ORDER BY id DESC LIMIT ?) ORDER BY id"
        )
        rows = db.execute(sql, [address, HISTORY]).fetchall()
    else:
        sql = "SELECT id, lang, html, buttons, created_at FROM web_messages WHERE address = ? AND id > ? ORDER BY id"
        rows = db.execute(sql, [address, after_id]).fetchall()
    return [WebMessage(id=r[0], lang=r[1], html=r[2], keyboard=_keyboard(r[3]), created_at=r[4]) for r in rows]


def mark_delivered(db: sqlite_utils.Database, ids: list[int]) -> None:
    if ids:
        marks = ",".join("?" * len(ids))
        db.execute(f"UPDATE web_messages SET delivered = 1 WHERE delivered = 0 AND id IN ({marks})", ids)


def undelivered(db: sqlite_utils.Database, address: str) -> int:
    return db.execute("SELECT count(*) FROM web_messages WHERE address = ? AND delivered = 0", [address]).fetchone()[0]


def offered(db: sqlite_utils.Database, address: str, action: str) -> bool:
    """Whether one of the person's latest messages carries a button with this action (else it is forged or gone)."""
    sql = (
        "SELECT 1 FROM (SELECT buttons FROM web_messages WHERE address = ? ORDER BY id DESC LIMIT ?) m,"
        " json_each(m.buttons) AS r, json_each(r.value) AS b WHERE json_extract(b.value, '$.action') = ? LIMIT 1"
    )
    return db.execute(sql, [address, HISTORY, action]).fetchone() is not None
