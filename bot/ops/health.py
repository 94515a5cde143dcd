"""Is this bot process healthy? The checks behind ``GET /healthz``.

- database: a real write (one row in ``health_check``), so a locked, read-only
  or full database shows. The bot's connection waits at most
  ``LOOP_BUSY_TIMEOUT_MS`` for a lock, so the check is bounded too.
- dispatcher: the JobQueue woke it within a few intervals. A stopped
  scheduler, or an event loop too busy to run it, leaves scheduled messages
  unsent while the bot still answers people.
- content: texts are loaded for the source language (a failed reload keeps
  the last good content, which still counts as loaded).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from telegram.ext import Application

from bot.core.clock import iso
from bot.core.db_locks import write_once
from bot.core.services import KEY, Services
from bot.delivery.dispatcher import DISPATCHER_KEY, Dispatcher

STALE_INTERVALS = 3
"""The dispatcher is unhealthy when it has not been woken for this many intervals ..."""
STALE_GRACE_SECONDS = 1.0
"""... plus this much, for a moment when the event loop is busy."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.name}: {'ok' if self.ok else 'FAIL'} ({self.detail})"


def database(s: Services) -> Check:
    started = time.monotonic()

    def touch() -> None:
        with s.db.atomic():
            s.db.execute(
                "INSERT INTO health_check (id, checked_at) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                [iso(s.clock.now())],
            )

    try:
        write_once(s.db, touch)
    except sqlite3.Error as exc:
        return Check("database", False, f"not writable: {exc}")
    return Check("database", True, f"writable, {1000 * (time.monotonic() - started):.0f} ms")


def dispatcher(app: Application, s: Services) -> Check:
    interval = s.settings.dispatch_seconds
    found: Dispatcher | None = app.bot_data.get(DISPATCHER_KEY)
    if interval <= 0 or found is None:
        return Check("dispatcher", True, "off in this process (WEGWIJS_DISPATCH_SECONDS=0)")
    limit = STALE_INTERVALS * interval + STALE_GRACE_SECONDS
    if found.last_tick is None:
        age = time.monotonic() - found.started
        return Check("dispatcher", age <= limit, f"no tick yet, started {age:.1f} s ago, limit {limit:g} s")
    age = time.monotonic() - found.last_tick
    return Check("dispatcher", age <= limit, f"last tick {age:.1f} s ago, limit {limit:g} s")


def content(s: Services) -> Check:
    loaded = s.renderer.content
    source = loaded.journey.source_language
    if not loaded.items.get(source) or not loaded.ui.get(source):
        return Check("content", False, f"no texts loaded for the source language {source}")
    return Check("content", True, f"{len(loaded.journey.languages)} languages, {len(loaded.items[source])} items")


def checks(app: Application) -> list[Check]:
    s: Services = app.bot_data[KEY]
    return [database(s), dispatcher(app, s), content(s)]
