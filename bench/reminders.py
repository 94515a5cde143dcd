"""Planning and dispatching many due reminders against the emulator with Telegram's limits on.

    .venv/bin/python bench/reminders.py [--users 2000] [--latencies 0,50,100,150] [--plan 10000]

First, ``--plan`` people get an appointment each and their reminders are
planned (in batches of ``BATCH`` people per transaction): the time is
printed (target: 10,000 reminders in <= 2 s).

Then, for each added round trip in ``--latencies`` (milliseconds, what the
emulator adds to every Bot API call; real Telegram from Europe: 50-150 ms),
``--users`` people each have one appointment reminder due at the same
moment. The bot (in this process, the real PTB Application and dispatcher,
``Settings.sends_in_flight`` sends at once) sends them to the emulator (its
own process: 30 messages/s overall, 1/s per chat). Printed per round trip:
messages/s as a share of the 30/s ceiling, p50/p99 delay after the due time,
duplicates, losses, 429 answers. Targets: >= 0.95 of the ceiling at 100 ms,
no loss, no duplicate. Each point takes about users / 30 seconds.
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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.reminders import appointments
from bot.delivery import outbox
from bot.channels.telegram.app import build_application, running
from bot.core.clock import ShiftedClock, iso
from bot.core.config import DEFAULT_CONTENT_DIR, DEFAULT_SENDS_IN_FLIGHT, TIMEZONE, Settings
from bot.core.db import open_db
from bot.emulator import EmulatorClient
from bot.texts.journey import load_journey
from bot.core.services import KEY
from bot.texts.timing import load_timing
from bot.people.identities import TELEGRAM, person_for
from bot.people.users import accept_privacy, choose_language

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


def plan(db_path: Path, users: range) -> tuple[float, float, float]:
    """One person per user id, each with an appointment whose 2-hour reminder is due at DUE.

    Returns the seconds it took to create the people and to plan their
    reminders (batches of ``BATCH`` people, one transaction each), and the
    processor time of that planning (what the wall time would be on an idle machine).
    """
    db = open_db(db_path)
    timing = load_timing(load_journey(DEFAULT_CONTENT_DIR / "journey.yaml"))
    planned_at = DUE - timedelta(hours=1)
    started = time.perf_counter()
    person_ids = []
    with db.atomic():
        for user_id in users:
            person = person_for(db, TELEGRAM, user_id, create=True, now=planned_at)
            choose_language(db, person, "en")
            accept_privacy(db, person, planned_at)
            person_ids.append(person)
    people = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(person_ids), BATCH):
        batch = [{"user_id": p, "kind": "tov", "starts_at": DUE + timedelta(hours=2)} for p in person_ids[first : first + BATCH]]
        appointments.add_many(db, timing, batch, now=planned_at)
    planning, cpu = time.perf_counter() - started, time.process_time() - cpu
    outbox.cancel(db, kinds=[appointments.NOTICE], reason="bench: reminders only")
    due = db.execute("SELECT count(*) FROM outbox WHERE status = ? AND due_at = ?", [outbox.PENDING, iso(DUE)])
    assert due.fetchone()[0] == len(users)
    db.close()
    return people, planning, cpu


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


@dataclass(frozen=True)
class Point:
    latency_ms: float
    rate: float
    p50: float
    p99: float
    duplicates: int
    losses: int
    rejected_429: int
    wall: float
    cpu_ms_per_message: float


async def dispatch(users: range, workdir: Path, latency_ms: float, sends_in_flight: int) -> Point:
    """Everyone's reminder due at once, sent through an emulator ``latency_ms`` away."""
    db_path = workdir / f"bench-{latency_ms:g}.db"
    plan(db_path, users)
    port = free_port()
    emulator = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "emulator", "--port", str(port), "--latency-ms", str(latency_ms),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        async with EmulatorClient(f"http://127.0.0.1:{port}/_control", timeout=60) as client:
            await wait_for_emulator(client)
            await client.register_users([{"user_id": u, "first_name": "Bench"} for u in users])
            settings = Settings(
                db_path=db_path,
                content_dir=DEFAULT_CONTENT_DIR,
                token=TOKEN,
                api_url=f"http://127.0.0.1:{port}/bot",
                reload_seconds=0,
                dispatch_seconds=1.0,
                sends_in_flight=sends_in_flight,
            )
            app = build_application(settings, clock=ShiftedClock(DUE))
            db = app.bot_data[KEY].db
            wall, cpu = time.perf_counter(), time.process_time()
            async with running(app, poll_timeout=1):
                while db.execute(
                    "SELECT count(*) FROM outbox WHERE status IN (?, ?)", [outbox.PENDING, outbox.SENDING]
                ).fetchone()[0]:
                    await asyncio.sleep(0.2)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            sent_at = [
                datetime.fromisoformat(r[0]) for r in db.execute("SELECT sent_at FROM outbox WHERE status = ?", [outbox.SENT])
            ]
            db.close()
            received = await count_received(client, users)
            stats = await client.stats()
    finally:
        emulator.terminate()
        await emulator.wait()

    delays = [(moment - DUE).total_seconds() for moment in sent_at]
    span = (max(sent_at) - min(sent_at)).total_seconds()
    return Point(
        latency_ms=latency_ms,
        rate=(len(sent_at) - 1) / span if span else float("inf"),
        p50=statistics.median(delays),
        p99=percentile(delays, 0.99),
        duplicates=sum(n - 1 for n in received if n > 1),
        losses=sum(1 for n in received if n == 0),
        rejected_429=stats["rejected_429"],
        wall=wall,
        cpu_ms_per_message=1000 * cpu / len(users),
    )


async def bench(users: range, plan_users: range, latencies: list[float], sends_in_flight: int, workdir: Path) -> None:
    if plan_users:
        people, planning, cpu = plan(workdir / "plan.db", plan_users)
        print(f"planning: {len(plan_users)} people created in {people:.2f} s; their {len(plan_users)} reminders"
              f" planned in {planning:.2f} s ({cpu:.2f} s processor time;"
              f" target <= 2 s: {'met' if planning <= 2 else 'NOT met'})")
    print(f"dispatch: {len(users)} reminders due at once, {sends_in_flight} sends in flight, limits on (30/s, 1/s per chat)")
    print("round trip | rate msg/s | of ceiling | delay p50 / p99 | dupl. | lost | 429 | took | bot CPU/msg")
    for latency in latencies:
        p = await dispatch(users, workdir, latency, sends_in_flight)
        print(
            f"{p.latency_ms:7.0f} ms | {p.rate:10.2f} | {p.rate / CEILING:10.3f} | {p.p50:6.1f} / {p.p99:5.1f} s"
            f" | {p.duplicates:5d} | {p.losses:4d} | {p.rejected_429:3d} | {p.wall:4.0f} s | {p.cpu_ms_per_message:.1f} ms"
        )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bot process: {peak_rss:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2_000, help="people, each with one due reminder, per round trip")
    parser.add_argument("--latencies", default="0,50,100,150", help="added round trips in ms, comma-separated")
    parser.add_argument("--plan", type=int, default=10_000, help="people whose reminders are planned (0: skip)")
    parser.add_argument("--in-flight", type=int, default=DEFAULT_SENDS_IN_FLIGHT, help="sends in flight")
    args = parser.parse_args()
    if args.users < 2:
        parser.error("--users must be at least 2")
    latencies = [float(x) for x in args.latencies.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="wegwijs-bench-") as workdir:
        asyncio.run(
            bench(
                range(FIRST_USER, FIRST_USER + args.users),
                range(FIRST_USER, FIRST_USER + args.plan),
                latencies,
                args.in_flight,
                Path(workdir),
            )
        )


if __name__ == "__main__":
    main()
