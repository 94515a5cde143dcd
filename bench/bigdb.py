"""A database at the scale of a large municipality, for the scale benchmark.

    .venv/bin/python -m bench.bigdb [--people 100000] [--outbox 1000000] [-o big.db]

The schema comes from the program itself (``open_db``: every migration), the
rows from plain SQL: ``executemany`` over generators, in one transaction.
Per 100,000 people: 1,000 klantmanagers with a caseload of 100 each, one
appointment each, 100,000 questions (one in ten open) with 300,000 thread
messages, 300,000 checks of critical items, 1,000,000 outbox rows (85% sent,
10% pending in the future, 3% cancelled, 2% failed). Nothing is due: a bot
started on it sends nothing, so its start can be timed alone.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.db import open_db

NOW = datetime.now(UTC).replace(microsecond=0)
"""The moment the data describes (when it is made): pending rows are due after it, the rest before,
so a bot started on the database finds nothing due."""
CASELOAD = 100
FIRST_PERSON = 10_000_000
"""People's Telegram ids start here; klantmanagers are 1..people/CASELOAD."""
LANGS = ("nl", "en", "ar", "fa", "ti")
STEPS = ("azc", "welkomst", "intake", "opstartklas", "tov", "taalschool", "inburgering")
CRITICAL_ITEMS = ("instemmingsverklaring", "woning", "rechtmatigheidsgesprek")
KINDS = ("appointment.reminder", "critical.item", "good_to_know", "notice", "relay", "step_card")
GENERATOR_CACHE_KB = 512 * 1024
STATUS_SHARES = (("sent", 85), ("pending", 10), ("cancelled", 3), ("failed", 2))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def klantmanager_of(person: int) -> int:
    return (person - FIRST_PERSON) // CASELOAD + 1


def telegram_identities(conn: sqlite3.Connection) -> None:
    """Everyone gets a person row and a Telegram identity at their own id, as the upgrade from
    version 9 gives people who were there before (``_v10_identities`` in bot/core/db.py)."""
    conn.execute("INSERT INTO persons (id, created_at) SELECT id, created_at FROM users UNION SELECT id, created_at FROM staff")
    conn.execute(
        "INSERT INTO identities (channel, external_id, person_id, linked_at)"
        " SELECT 'telegram', CAST(id AS TEXT), id, created_at FROM persons"
    )


def _staff(people: int) -> Iterator[tuple]:
    for km in range(1, people // CASELOAD + 1):
        yield km, f"Klantmanager {km:04d}", "nl", 0, 1, 1, iso(NOW - timedelta(days=400))


def _users(people: int, rng: random.Random) -> Iterator[tuple]:
    for n in range(people):
        joined = NOW - timedelta(days=rng.randint(1, 700))
        last = joined + timedelta(minutes=rng.randint(0, int((NOW - joined).total_seconds() // 60)))
        yield FIRST_PERSON + n, LANGS[n % len(LANGS)], iso(joined), STEPS[n % len(STEPS)], iso(joined), iso(last)


def _clients(people: int) -> Iterator[tuple]:
    for n in range(people):
        person = FIRST_PERSON + n
        yield person, klantmanager_of(person), f"Client {n:06d}", iso(NOW - timedelta(days=30))


def _questions(people: int, rng: random.Random) -> Iterator[tuple]:
    for n in range(people):
        person = FIRST_PERSON + n
        created = NOW - timedelta(hours=rng.randint(1, 24 * 300))
        is_open = n % 10 == 0
        waited = None if is_open else rng.randint(600, 4 * 86400)
        answered = closed = None if is_open else iso(created + timedelta(seconds=waited))
        due = iso(created + timedelta(days=2))
        waiting_since, waiting_due = (iso(created), due) if is_open else (None, None)
        yield (n + 1, person, klantmanager_of(person), "open" if is_open else "done", None, iso(created),
               due, answered, waited, closed, waiting_since, waiting_due)


def _thread_messages(people: int) -> Iterator[tuple]:
    for question in range(1, people + 1):
        person = FIRST_PERSON + question - 1
        km = klantmanager_of(person)
        for turn, direction in enumerate(("from_client", "to_client", "from_client")):
            sender = person if direction == "from_client" else km
            chat = km if direction == "from_client" else person
            yield (question, person, direction, sender, "text", f"Vraag {question} deel {turn}: waar is mijn brief?",
                   iso(NOW - timedelta(days=1)), chat, question * 3 + turn, iso(NOW - timedelta(days=1)))


def _appointments(people: int, rng: random.Random) -> Iterator[tuple]:
    for n in range(people):
        starts = NOW + timedelta(days=rng.randint(-60, 60), hours=rng.randint(0, 8))
        answer = "not_coming" if n % 20 == 0 else None
        yield (n + 1, FIRST_PERSON + n, "tov", iso(starts), "Stadhuis", "planned", 1, answer, iso(NOW - timedelta(days=70)))


def _cannot_come(people: int) -> Iterator[tuple]:
    for n in range(0, people, 20):
        yield FIRST_PERSON + n, n + 1, "Ik ben ziek", iso(NOW - timedelta(days=1))


def _item_checks(people: int) -> Iterator[tuple]:
    for n in range(people):
        for item in CRITICAL_ITEMS:
            escalated = n % 10 == 0 and item == CRITICAL_ITEMS[n % 3]  # as in ``_not_understood``
            status = "not_understood" if escalated else "understood"
            yield (FIRST_PERSON + n, item, "intake", LANGS[n % len(LANGS)], status, 1, iso(NOW - timedelta(days=20)),
                   int(n % 7 == 0))


def _not_understood(people: int) -> Iterator[tuple]:
    for n in range(0, people, 10):
        yield FIRST_PERSON + n, CRITICAL_ITEMS[n % 3], 1, iso(NOW - timedelta(days=3))


def _outbox(people: int, rows: int, rng: random.Random) -> Iterator[tuple]:
    statuses = [status for status, share in STATUS_SHARES for _ in range(share)]
    for n in range(rows):
        person = FIRST_PERSON + n % people
        kind = KINDS[n % len(KINDS)]
        status = statuses[n % len(statuses)]
        if status == "pending":
            due = NOW + timedelta(minutes=rng.randint(10, 60 * 24 * 60))
        else:
            due = NOW - timedelta(minutes=rng.randint(10, 60 * 24 * 365))
        params = json.dumps({"appointment_id": n % people + 1, "event": "2h"}, sort_keys=True)
        error = "Forbidden: bot was blocked by the user" if status == "failed" else None
        sent = iso(due) if status == "sent" else None
        yield (person, person, kind, params, iso(due), 0, status, 1, error, f"bench:{n:08d}", iso(due), sent)


def generate(path: Path, people: int, outbox_rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    db = open_db(path)
    conn = db.conn
    # Only while generating: no fsync (a crash means generating again), and the indexes in memory.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = -{GENERATOR_CACHE_KB}")
    with db.atomic():
        conn.executemany(
            "INSERT INTO staff (id, name, lang, is_admin, is_klantmanager, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            _staff(people),
        )
        conn.executemany(
            "INSERT INTO users (id, lang, privacy_accepted_at, step, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?)",
            _users(people, rng),
        )
        conn.executemany("INSERT INTO clients (user_id, klantmanager_id, name, linked_at) VALUES (?, ?, ?, ?)", _clients(people))
        conn.executemany(
            "INSERT INTO questions (id, user_id, klantmanager_id, status, topic, created_at, answer_due_at, answered_at,"
            " answer_seconds, closed_at, waiting_since, waiting_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _questions(people, rng),
        )
        conn.executemany(
            "INSERT INTO thread_messages (question_id, user_id, direction, sender_id, kind, text, created_at,"
            " relay_chat_id, relay_message_id, relayed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _thread_messages(people),
        )
        conn.executemany(
            "INSERT INTO appointments (id, user_id, kind, starts_at, place, status, version, answer, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _appointments(people, rng),
        )
        conn.executemany(
            "INSERT INTO cannot_come (user_id, appointment_id, reason, created_at) VALUES (?, ?, ?, ?)", _cannot_come(people)
        )
        conn.executemany(
            "INSERT INTO item_checks (user_id, item_id, step_id, lang, status, round, first_sent_at, unclear_count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _item_checks(people),
        )
        conn.executemany(
            "INSERT INTO not_understood (user_id, item_id, round, created_at) VALUES (?, ?, ?, ?)", _not_understood(people)
        )
        conn.executemany(
            "INSERT INTO outbox (user_id, chat_id, kind, params, due_at, quiet, status, attempts, last_error, key,"
            " updated_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _outbox(people, outbox_rows, rng),
        )
        telegram_identities(conn)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--outbox", type=int, default=1_000_000)
    parser.add_argument("-o", "--output", type=Path, default=Path("big.db"))
    args = parser.parse_args()
    if args.output.exists():
        sys.exit(f"{args.output} exists; remove it first")
    started = time.perf_counter()
    generate(args.output, args.people, args.outbox)
    size = args.output.stat().st_size / 1e6
    print(f"{args.output}: {args.people:,} people, {args.outbox:,} outbox rows, {size:.0f} MB"
          f" in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
