"""Living with another process's lock on the database.

The bot runs every database call on the event loop, so a call that waits for
a lock freezes every chat. The bot's connection waits at most
``LOOP_BUSY_TIMEOUT_MS``; after that "database is locked" is raised. A
handler then tells the person to try again (``bot/channels/telegram/handlers/fallback.py``);
the dispatcher tries again later, off the loop (``until_saved``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlite_utils

T = TypeVar("T")
log = logging.getLogger(__name__)

TOOL_BUSY_TIMEOUT_MS = 5000
"""Command-line tools wait this long for a lock another process holds."""
LOOP_BUSY_TIMEOUT_MS = 200
"""The running bot waits at most this long: every database call runs on the
event loop, so a longer wait would freeze every chat. The bot's own write
transactions take milliseconds; a lock held longer is trouble (a backup, a
stuck tool), and the caller says "please try again" or retries later."""


def is_busy(error: BaseException) -> bool:
    """Whether an error means another connection holds the lock (worth trying again)."""
    return isinstance(error, sqlite3.OperationalError) and any(
        word in str(error) for word in ("database is locked", "database is busy", "database table is locked")
    )


@contextmanager
def without_waiting(db: sqlite_utils.Database) -> Iterator[None]:
    """Inside: a statement that meets a lock fails at once instead of waiting ``busy_timeout``.

    For trying again while the lock is known to be held: each try would
    otherwise freeze the event loop for the whole busy timeout. Safe on the
    loop, as nothing else runs between entering and leaving (no await inside).
    """
    waited = db.execute("PRAGMA busy_timeout").fetchone()[0]
    db.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(waited)}")


_lock_seen = False
"""The last write tried here met another process's lock (and none succeeded since)."""


def write_once(db: sqlite_utils.Database, call: Callable[[], T]) -> T:
    """Run a write; while a lock is known to be held, without waiting for it.

    Raises "database is locked" like any call. Several senders finishing while
    a lock is held would otherwise each freeze the loop for the busy timeout.
    """
    global _lock_seen
    try:
        if _lock_seen:
            with without_waiting(db):
                result = call()
        else:
            result = call()
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            _lock_seen = True
        raise
    _lock_seen = False
    return result


async def until_saved(
    db: sqlite_utils.Database, call: Callable[[], T], what: str, *, first_wait: float = 0.05, longest_wait: float = 1.0
) -> T:
    """Run a write until no lock stands in its way, waiting off the event loop between tries.

    For writes that must not be lost while the bot runs, such as marking a sent
    message ``sent`` (else it would go out twice after a restart).
    """
    wait = first_wait
    while True:
        try:
            return write_once(db, call)
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
        log.warning("database locked while %s; trying again in %.2f s", what, wait)
        await asyncio.sleep(wait)
        wait = min(wait * 2, longest_wait)
