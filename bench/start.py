"""How fast ``wegwijs run`` starts, next to a minimal python-telegram-bot echo bot.

    .venv/bin/python bench/start.py [--runs 5]

Each run starts a fresh process against the emulator (in this process) and
measures, from the moment the process is started:
- until its first ``getUpdates`` (the bot is listening), for ``wegwijs run``
  and for an echo bot with the same rate limiter (target: Wegwijs <= 2x);
- for Wegwijs, until a reminder that is due at start reaches the emulator,
  and that time after the first ``getUpdates`` (target: <= 1 s).
Printed: median and range over the runs. On a busy machine the fastest
runs say more than the medians: they are the ones least held up by others.
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
from datetime import datetime
from pathlib import Path

from bot import appointments
from bot.config import DEFAULT_CONTENT_DIR, TIMEZONE
from bot.db import open_db
from bot.emulator import RunningEmulator, running_emulator
from bot.journey import load_journey
from bot.timing import load_timing
from bot.users import accept_privacy, choose_language

TOKEN = "123456:START"
PERSON = 4242
START = datetime(2025, 6, 2, 10, 0, tzinfo=TIMEZONE)
"""The bot's clock at start: the new appointment's notice is due at once."""
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
    choose_language(db, PERSON, "en")
    accept_privacy(db, PERSON, START)
    appointments.add(db, timing, user_id=PERSON, kind="tov", starts_at=datetime(2025, 6, 20, 10, 0), now=START)
    db.close()


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> float:
    """Monotonic time at which ``condition`` first held (checked every millisecond)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.001)
    return time.monotonic()


async def measure(emu: RunningEmulator, argv: list[str], env: dict[str, str], wait_for_send: bool) -> tuple[float, float | None]:
    """Seconds from process start to its first getUpdates, and to its first sendMessage.

    A sendMessage counts when the emulator receives it (the person is unknown
    to it, so it is refused, which does not matter here).
    """
    emu.state.reset()
    await asyncio.sleep(0.2)  # the previous process's last long poll is over
    stats = emu.state.stats
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv, env={**os.environ, **env}, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        polled = await until(lambda: emu.state.stats.method_calls["getUpdates"] > 0) - started
        sent = None
        if wait_for_send:
            sent = await until(lambda: stats.method_calls["sendMessage"] > 0) - started
    finally:
        process.terminate()
        await process.wait()
    return polled, sent


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


async def bench(runs: int, workdir: Path) -> None:
    async with running_emulator(limits=True) as emu:
        wegwijs, first_send, echo = [], [], []
        for run in range(runs):
            db_path = workdir / f"start-{run}.db"
            one_due_notice(db_path)
            env = {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "WEGWIJS_DB": str(db_path),
                "WEGWIJS_CLOCK_START": START.isoformat(),
            }
            polled, sent = await measure(
                emu, [sys.executable, "-m", "bot", "run", "--api-url", emu.api_url], env, wait_for_send=True
            )
            wegwijs.append(polled)
            first_send.append(sent - polled)
            polled, _ = await measure(
                emu, [sys.executable, "-c", ECHO_BOT], {"TELEGRAM_BOT_TOKEN": TOKEN, "API_URL": emu.api_url}, False
            )
            echo.append(polled)
    ratio = statistics.median(wegwijs) / statistics.median(echo)
    fastest = min(wegwijs) / min(echo)
    print(f"runs: {runs}; median (range)")
    print(f"start to first getUpdates, wegwijs run: {summary(wegwijs)}")
    print(f"start to first getUpdates, echo bot:    {summary(echo)}")
    print(f"ratio of medians: {ratio:.2f}x, of the fastest runs: {fastest:.2f}x"
          f" (target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    late = max(first_send)
    print(
        f"due reminder sent after first getUpdates: {summary(first_send)}"
        f" (target <= 1 s: {'met' if late <= 1 else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wegwijs-start-") as workdir:
        asyncio.run(bench(args.runs, Path(workdir)))


if __name__ == "__main__":
    main()
