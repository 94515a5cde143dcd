"""How fast ``wegwijs run`` starts, next to a minimal python-telegram-bot echo bot.

    .venv/bin/python bench/start.py [--runs 5]

Each run starts a fresh process against the emulator (in this process) and
measures, from the moment the process is started:
- until its first ``getUpdates`` (the bot is listening), for ``wegwijs run``
  and for an echo bot with the same rate limiter (target: Wegwijs <= 2x);
- for Wegwijs, until a reminder that is due at start reaches the emulator,
  and that time after the first ``getUpdates`` (target: <= 1 s).
Both run from a bytecode cache, as an installed program does (a first,
untimed run of each writes it). Printed: median and range over the runs, and
the processor time each had used by its first ``getUpdates``, which depends
far less on other work on the machine than the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.reminders import appointments
from bot.core.config import DEFAULT_CONTENT_DIR, TIMEZONE
from bot.core.db import open_db
from bot.emulator import RunningEmulator, running_emulator
from bot.texts.journey import load_journey
from bot.texts.timing import load_timing
from bot.people.identities import TELEGRAM, person_for
from bot.people.users import accept_privacy, choose_language

TOKEN = "123456:START"
PERSON = 4242
START = datetime(2025, 6, 2, 10, 0, tzinfo=TIMEZONE)
"""The bot's clock at start: the new appointment's notice is due at once."""
CACHED_BYTECODE: dict[str, str] = {"PYTHONDONTWRITEBYTECODE": ""}
"""Both bots run from compiled bytecode, as after an install (the cache folder is set in ``bench``)."""
ECHO_BOT = """
import os
from telegram.ext import AIORateLimiter, ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)

app = (
    ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["API_URL"])
    .rate_limiter(AIORateLimiter(overall_max_rate=29.5, max_retries=5)).build()
)
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling()
"""


def one_due_notice(db_path: Path) -> None:
    db = open_db(db_path)
    timing = load_timing(load_journey(DEFAULT_CONTENT_DIR / "journey.yaml"))
    person = person_for(db, TELEGRAM, PERSON, create=True)
    choose_language(db, person, "en")
    accept_privacy(db, person, START)
    appointments.add(db, timing, user_id=person, kind="tov", starts_at=datetime(2025, 6, 20, 10, 0), now=START)
    db.close()


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> float:
    """Monotonic time at which ``condition`` first held (checked every millisecond)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.001)
    return time.monotonic()


def processor_seconds(pid: int) -> float:
    """User + system time a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Start:
    polled: float
    """Seconds from process start to its first getUpdates."""
    cpu: float
    """Processor seconds the process had used by then."""
    sent: float | None
    """Seconds from process start to its first sendMessage."""


async def measure(emu: RunningEmulator, argv: list[str], env: dict[str, str], wait_for_send: bool) -> Start:
    """Start a bot process and time it until it listens (and, if asked, until it sends).

    A sendMessage counts when the emulator receives it (the person is unknown
    to it, so it is refused, which does not matter here).
    """
    emu.state.reset()
    await asyncio.sleep(0.2)  # the previous process's last long poll is over
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv, env={**os.environ, **CACHED_BYTECODE, **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        polled = await until(lambda: emu.state.stats.method_calls["getUpdates"] > 0) - started
        cpu = processor_seconds(process.pid)
        sent = None
        if wait_for_send:
            sent = await until(lambda: emu.state.stats.method_calls["sendMessage"] > 0) - started
    finally:
        process.terminate()
        await process.wait()
    return Start(polled, cpu, sent)


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


async def bench(runs: int, workdir: Path) -> None:
    CACHED_BYTECODE["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    async with running_emulator(limits=True) as emu:
        wegwijs: list[Start] = []
        echo: list[Start] = []
        for run in range(runs + 1):  # the first run of each only writes the bytecode cache
            db_path = workdir / f"start-{run}.db"
            one_due_notice(db_path)
            env = {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "WEGWIJS_DB": str(db_path),
                "WEGWIJS_CLOCK_START": START.isoformat(),
            }
            ours = await measure(
                emu, [sys.executable, "-m", "bot", "run", "--api-url", emu.api_url], env, wait_for_send=True
            )
            theirs = await measure(
                emu, [sys.executable, "-c", ECHO_BOT], {"TELEGRAM_BOT_TOKEN": TOKEN, "API_URL": emu.api_url}, False
            )
            if run:
                wegwijs.append(ours)
                echo.append(theirs)
    ratio = statistics.median(s.polled for s in wegwijs) / statistics.median(s.polled for s in echo)
    cpu_ratio = statistics.median(s.cpu for s in wegwijs) / statistics.median(s.cpu for s in echo)
    print(f"runs: {runs}; median (range)")
    print(f"start to first getUpdates, wegwijs run: {summary([s.polled for s in wegwijs])},"
          f" processor time {summary([s.cpu for s in wegwijs])}")
    print(f"start to first getUpdates, echo bot:    {summary([s.polled for s in echo])},"
          f" processor time {summary([s.cpu for s in echo])}")
    print(f"ratio: {ratio:.2f}x wall, {cpu_ratio:.2f}x processor time (target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    after_poll = [s.sent - s.polled for s in wegwijs if s.sent is not None]
    print(
        f"due reminder sent after first getUpdates: {summary(after_poll)}"
        f" (target <= 1 s: {'met' if max(after_poll) <= 1 else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wegwijs-start-") as workdir:
        asyncio.run(bench(args.runs, Path(workdir)))


if __name__ == "__main__":
    main()
