"""Dispatching many due reminders at once against the emulator with Telegram's limits on.

    .venv/bin/python bench/reminders.py [--users 10000]

Each of ``--users`` people has one appointment reminder due at the same
moment. The bot (in this process, the real PTB Application and dispatcher)
sends them to the emulator (its own process: 30 messages/s overall, 1/s per
chat). Printed: messages/s as a share of the 30/s ceiling, p50/p99 delay
after the due time, duplicates, losses, 429 answers, and the peak RSS of this
process. Targets: >= 0.95 of the ceiling, no loss, no duplicate.
10,000 people take about 6 minutes (30/s is the ceiling).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot import appointments, outbox
from bot.app import build_application, running
from bot.clock import ShiftedClock, iso
from bot.config import DEFAULT_CONTENT_DIR, TIMEZONE, Settings
from bot.db import open_db
from bot.emulator import EmulatorClient
from bot.journey import load_journey
from bot.services import KEY
from bot.timing import load_timing
from bot.users import accept_privacy, choose_language

TOKEN = "123456:BENCH"
CEILING = 30.0
DUE = datetime(2025, 6, 2, 10, 0, tzinfo=TIMEZONE)
"""A Monday morning, no quiet hours: every reminder is due at this moment."""
FIRST_USER = 100_000
BATCH = 1000
"""People planned per transaction: one commit each, and short enough not to hold up the bot."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def plan(db_path: Path, users: range) -> tuple[float, float]:
    """One person per user id, each with an appointment whose 2-hour reminder is due at DUE.

    Returns the seconds it took to create the people and to plan their
    reminders (batches of ``BATCH`` people, one transaction each).
    """
    db = open_db(db_path)
    timing = load_timing(load_journey(DEFAULT_CONTENT_DIR / "journey.yaml"))
    planned_at = DUE - timedelta(hours=1)
    started = time.perf_counter()
    with db.atomic():
        for user_id in users:
            choose_language(db, user_id, "en")
            accept_privacy(db, user_id, planned_at)
    people = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(0, len(users), BATCH):
        with db.atomic():
            for user_id in users[first : first + BATCH]:
                appointments.add(db, timing, user_id=user_id, kind="tov", starts_at=DUE + timedelta(hours=2), now=planned_at)
    planning = time.perf_counter() - started
    outbox.cancel(db, kinds=[appointments.NOTICE], reason="bench: reminders only")
    due = db.execute("SELECT count(*) FROM outbox WHERE status = ? AND due_at = ?", [outbox.PENDING, iso(DUE)])
    assert due.fetchone()[0] == len(users)
    db.close()
    return people, planning


async def wait_for_emulator(client: EmulatorClient) -> None:
    for _ in range(200):
        try:
            await client.stats()
            return
        except Exception:  # not listening yet
            await asyncio.sleep(0.05)
    raise RuntimeError("the emulator did not start")


async def count_received(client: EmulatorClient, users: range) -> list[int]:
    semaphore = asyncio.Semaphore(32)

    async def one(user_id: int) -> int:
        async with semaphore:
            return len(await client.bot_messages(user_id))

    return list(await asyncio.gather(*(one(u) for u in users)))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def bench(users: range, workdir: Path) -> None:
    db_path = workdir / "bench.db"
    started = time.perf_counter()
    plan(db_path, users)
    print(f"planned {len(users)} reminders in {time.perf_counter() - started:.1f} s")

    port = free_port()
    emulator = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "emulator", "--port", str(port), stdout=asyncio.subprocess.DEVNULL
    )
    try:
        async with EmulatorClient(f"http://127.0.0.1:{port}/_control", timeout=60) as client:
            await wait_for_emulator(client)
            for user_id in users:
                await client.register_user(user_id, "Bench")
            settings = Settings(
                db_path=db_path,
                content_dir=DEFAULT_CONTENT_DIR,
                token=TOKEN,
                api_url=f"http://127.0.0.1:{port}/bot",
                reload_seconds=0,
                dispatch_seconds=1.0,
            )
            app = build_application(settings, clock=ShiftedClock(DUE))
            db = app.bot_data[KEY].db
            wall = time.perf_counter()
            async with running(app, poll_timeout=1):
                while db.execute(
                    "SELECT count(*) FROM outbox WHERE status IN (?, ?)", [outbox.PENDING, outbox.SENDING]
                ).fetchone()[0]:
                    await asyncio.sleep(0.5)
            wall = time.perf_counter() - wall
            sent_at = [
                datetime.fromisoformat(r[0]) for r in db.execute("SELECT sent_at FROM outbox WHERE status = ?", [outbox.SENT])
            ]
            failed = db.execute(
                "SELECT count(*) FROM outbox WHERE kind = ? AND status != ?", [appointments.REMINDER, outbox.SENT]
            ).fetchone()[0]
            db.close()
            received = await count_received(client, users)
            stats = await client.stats()
    finally:
        emulator.terminate()
        await emulator.wait()

    delays = [(moment - DUE).total_seconds() for moment in sent_at]
    span = (max(sent_at) - min(sent_at)).total_seconds()
    rate = (len(sent_at) - 1) / span if span else float("inf")
    losses = sum(1 for n in received if n == 0)
    duplicates = sum(n - 1 for n in received if n > 1)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"people, one due reminder each:   {len(users)}")
    print(f"sent in:                         {wall:.1f} s (from bot start until the outbox was empty)")
    print(f"rate:                            {rate:.2f} messages/s = {rate / CEILING:.3f} of the {CEILING:.0f}/s ceiling")
    print(f"delay after due, p50 / p99:      {statistics.median(delays):.1f} s / {percentile(delays, 0.99):.1f} s")
    print(f"duplicates / losses:             {duplicates} / {losses} (rows not sent: {failed})")
    print(f"429 answers from the emulator:   {stats['rejected_429']}")
    print(f"peak RSS of the bot process:     {peak_rss:.0f} MiB")
    ok = rate / CEILING >= 0.95 and losses == 0 and duplicates == 0
    print(f"targets (>= 0.95 of ceiling, no loss, no duplicate): {'met' if ok else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="people, each with one due reminder")
    args = parser.parse_args()
    if args.users < 2:
        parser.error("--users must be at least 2")
    with tempfile.TemporaryDirectory(prefix="wegwijs-bench-") as workdir:
        asyncio.run(bench(range(FIRST_USER, FIRST_USER + args.users), Path(workdir)))


if __name__ == "__main__":
    main()
