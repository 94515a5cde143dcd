"""The retention sweep on a large database: how long one run takes.

    .venv/bin/python bench/retention.py [--users 100000]

Fills a fresh database with ``--users`` onboarded people (each with a saved
search text and an outbox row), a tenth of them inactive long enough to be
told, and times three sweeps (``bot.people.retention.sweep``): the one that plans
the warnings, one with nothing due, and the one, past the erase moment, that
erases the people who were told (every table, then a TRUNCATE checkpoint).
Also times ``wegwijs privacy status``'s query. Figures, not pass/fail; the
sweep runs in the bot's event loop, so a long run delays other updates.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.delivery import outbox
from bot.people import retention
from bot.core.clock import iso
from bot.core.config import DEFAULT_CONTENT_DIR, TIMEZONE
from bot.core.db import open_db
from bot.texts.journey import load_journey

NOW = datetime(2027, 6, 1, 10, 0, tzinfo=TIMEZONE)


def fill(db, users: int) -> None:  # type: ignore[no-untyped-def]
    recent, long_ago = iso(NOW - timedelta(days=10)), iso(NOW - timedelta(days=400))
    with db.atomic():
        db["users"].insert_all(
            (
                {
                    "id": 10_000_000 + n,
                    "lang": "ar",
                    "privacy_accepted_at": long_ago,
                    "step": "intake",
                    "created_at": long_ago,
                    "last_active_at": long_ago if n % 10 == 0 else recent,
                }
                for n in range(users)
            ),
            batch_size=5000,
        )
        db["question_drafts"].insert_all(
            ({"user_id": 10_000_000 + n, "text": "waar is mijn uitkering", "created_at": recent} for n in range(users)),
            batch_size=5000,
        )
        for n in range(users):
            outbox.enqueue(
                db, user_id=10_000_000 + n, chat_id=10_000_000 + n, kind="notice", params={"key": "x"},
                due_at=NOW - timedelta(days=20), key=f"bench:{n}",
            )
        db.execute("UPDATE outbox SET status = 'sent'")


def timed(label: str, run):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = run()
    print(f"{label}: {(time.perf_counter() - start) * 1000:.0f} ms  {result}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    args = parser.parse_args()
    rules = retention.load_rules(load_journey(DEFAULT_CONTENT_DIR / "journey.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        start = time.perf_counter()
        fill(db, args.users)
        print(f"{args.users} people filled in {time.perf_counter() - start:.1f} s")
        timed("sweep, warnings planned", lambda: retention.sweep(db, rules, NOW))
        db.execute("UPDATE outbox SET status = 'sent' WHERE kind = ?", [retention.WARNING])
        timed("sweep, nothing due", lambda: retention.sweep(db, rules, NOW + timedelta(minutes=1)))
        timed("privacy status", lambda: len(retention.status(db, rules, NOW + timedelta(minutes=2))))
        timed("sweep, erasing the people told", lambda: retention.sweep(db, rules, NOW + timedelta(days=15)))
        print(f"people left: {db['users'].count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
