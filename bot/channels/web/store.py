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
    file: StoredFile | None = None
    voice: str | None = None
    """A recording of the text: its path inside the content folder."""


@dataclass(frozen=True)
class StoredFile:
    """A file in the web chat, without its bytes (``file_content`` reads those)."""

    id: int
    kind: str  # "photo", "document" or "voice"
    file_name: str
    mime: str


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
    return tuple(tuple(Button(b["label"], b["action"]) for b in row) for row in json.loads(text))


def add_message(
    db: sqlite_utils.Database,
    session: Session,
    lang: str | None,
    html: str,
    keyboard: Keyboard,
    now: datetime,
    *,
    file_id: int | None = None,
    voice: str | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO web_messages (user_id, address, lang, html, buttons, created_at, delivered, file_id, voice)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [session.user_id, session.address, lang, html, keyboard_json(keyboard), iso(now), file_id, voice],
    )
    return int(cursor.lastrowid)


def add_file(
    db: sqlite_utils.Database, session: Session, kind: str, file_name: str, mime: str, content: bytes, now: datetime
) -> int:
    cursor = db.execute(
        "INSERT INTO web_files (user_id, address, kind, file_name, mime, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [session.user_id, session.address, kind, file_name, mime, content, iso(now)],
    )
    return int(cursor.lastrowid)


def file_of(db: sqlite_utils.Database, address: str, file_id: int) -> StoredFile | None:
    """A file of this session (None for another person's or an erased one)."""
    row = db.execute(
        "SELECT id, kind, file_name, mime FROM web_files WHERE id = ? AND address = ?", [file_id, address]
    ).fetchone()
    return StoredFile(*row) if row else None


def file_content(db: sqlite_utils.Database, file_id: int) -> bytes | None:
    row = db.execute("SELECT content FROM web_files WHERE id = ?", [file_id]).fetchone()
    return bytes(row[0]) if row else None


_MESSAGE = (
    "SELECT m.id, m.lang, m.html, m.buttons, m.created_at, m.voice, f.id, f.kind, f.file_name, f.mime"
    " FROM web_messages m LEFT JOIN web_files f ON f.id = m.file_id"
)


def _message(row: tuple) -> WebMessage:
    stored = StoredFile(*row[6:10]) if row[6] is not None else None
    return WebMessage(
        id=row[0], lang=row[1], html=row[2], keyboard=_keyboard(row[3]), created_at=row[4], voice=row[5], file=stored
    )


def messages_after(db: sqlite_utils.Database, address: str, after_id: int | None) -> list[WebMessage]:
    """Messages newer than ``after_id``; with None, the latest ``HISTORY`` (a page that just opened)."""
    if after_id is None:
        sql = f"SELECT * FROM ({_MESSAGE} WHERE m.address = ? ORDER BY m.id DESC LIMIT ?) ORDER BY 1"
        rows = db.execute(sql, [address, HISTORY]).fetchall()
    else:
        rows = db.execute(f"{_MESSAGE} WHERE m.address = ? AND m.id > ? ORDER BY m.id", [address, after_id]).fetchall()
    return [_message(r) for r in rows]


def voice_of(db: sqlite_utils.Database, address: str, message_id: int) -> str | None:
    row = db.execute("SELECT voice FROM web_messages WHERE id = ? AND address = ?", [message_id, address]).fetchone()
    return row[0] if row else None


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
