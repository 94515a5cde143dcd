"""Incoming messages: many people writing at once, Wegwijs beside a minimal echo bot.

    .venv/bin/python -m bench.incoming [--people 10 100 1000] [--spread-people 10 100]

Each of N people sends 5 messages: three free texts (each a search) and two
button presses (the menu's "My step" and "The whole path"), each answered with
one message. The emulator runs in this process with Telegram's limits off;
each bot runs as its own process: ``wegwijs run`` on a database of N
onboarded people, and a minimal python-telegram-bot echo bot (one answer per
message or press, PTB's defaults: one update at a time) with the same rate
limiter as Wegwijs (``bot.channels.telegram.ratelimit.ChatRateLimiter`` at 29.5 messages/s,
10 at once: ``OVERALL_RATE``, ``OVERALL_BURST``). Two ways:

- spread out: the 5N messages come one by one at ``--rate`` (25/s, under
  Telegram's 30/s), a person's next message only after everyone's previous;
- all at once: all 5N in one go, each person's five in a row.

Printed per run: p50 and p99 of the time from the emulator receiving a
message to the bot's answer (the emulator's ``/_control/timings``), answers
per second, and whether every person's first answer came before anyone's
fifth. Targets (issue 11): spread out, p99 <= 50 ms at 100 people; all at
once, >= 0.95 of the echo bot's answers/s, and every first answer before
anyone's fifth.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.bigdb import telegram_identities
from bot.screens import views
from bot.channels.telegram.app import OVERALL_BURST, OVERALL_RATE, RATE_LIMIT_RETRIES, WARM_UP_SECONDS
from bot.core.clock import iso
from bot.core.db import open_db
from bot.emulator import EmulatorClient, running_emulator

TOKEN = "123456:INCOMING"
FIRST_PERSON = 200_000
MESSAGES = (
    ("text", "where can I learn dutch"),
    ("press", views.data(views.MENU, views.MENU_WHERE)),
    ("text", "housing"),
    ("press", views.data(views.MENU, views.MENU_PATH)),
    ("text", "money for study"),
)
"""What each person sends, in order: every one is answered with one message."""


@dataclass(frozen=True)
class Result:
    p50: float
    p99: float
    answers_per_second: float
    fair: bool
    """Every person's first answer came before anyone's fifth."""
    missing: int


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def onboarded_people(db_path: Path, people: int) -> None:
    """N people who chose English, accepted the privacy notice and are at the intake step."""
    db = open_db(db_path)
    now = iso(datetime.now(UTC))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO users (id, lang, privacy_accepted_at, step, created_at, last_active_at) VALUES (?, 'en', ?, 'intake', ?, ?)",
            [(FIRST_PERSON + n, now, now, now) for n in range(people)],
        )
        telegram_identities(db.conn)
    db.close()


def echo_bot(api_url: str) -> None:
    """A minimal PTB bot: echoes each text, answers each button press with its data."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

    from bot.channels.telegram.ratelimit import ChatRateLimiter

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data)

    limiter = ChatRateLimiter(overall_rate=OVERALL_RATE, burst=OVERALL_BURST, max_retries=RATE_LIMIT_RETRIES)
    app = ApplicationBuilder().token(TOKEN).base_url(api_url).rate_limiter(limiter).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(poll_interval=0.0, timeout=10)


async def start_bot(kind: str, api_url: str, file_url: str, db_path: Path) -> asyncio.subprocess.Process:
    if kind == "echo":
        command = [sys.executable, "-m", "bench.incoming", "--echo-bot", api_url]
    else:
        command = [sys.executable, "-m", "bot", "run", "--api-url", api_url, "--file-url", file_url, "--db", str(db_path)]
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "WEGWIJS_HTTP_PORT": "0"}  # several bots: no HTTP servers
    return await asyncio.create_subprocess_exec(*command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_answered(client: EmulatorClient, update_ids: set[int], timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        timings = [t for t in await client.timings() if t["update_id"] in update_ids]
        if all(t["answered"] is not None for t in timings) or time.monotonic() > deadline:
            return timings
        await asyncio.sleep(0.2)


async def one_run(kind: str, people: int, spread_rate: float | None, folder: Path) -> Result:
    db_path = folder / f"{kind}-{people}-{spread_rate}.db"
    if kind == "wegwijs":
        onboarded_people(db_path, people)
    async with running_emulator(limits=False) as emu, EmulatorClient(emu.control_url, timeout=60) as client:
        await client.register_users([{"user_id": FIRST_PERSON + n, "language_code": "en"} for n in range(people)])
        bot = await start_bot(kind, emu.api_url, emu.file_url, db_path)
        try:
            while emu.state.stats.method_calls["getUpdates"] == 0:
                await asyncio.sleep(0.01)
            started = time.monotonic()
            # Not timed: each person opens the menu, so there are buttons to press.
            setup = await client.send_many([{"user_id": FIRST_PERSON + n, "text": "/menu"} for n in range(people)])
            await wait_answered(client, set(setup), timeout=people / 10 + 30)
            # A second after its start the bot builds its search index and command menus
            # (WARM_UP_SECONDS): measured after that, as bench/scale.py does; the echo bot waits the same.
            await asyncio.sleep(max(0.0, started + WARM_UP_SECONDS + 1 - time.monotonic()))
            menus = {}
            for n in range(people):
                chat = FIRST_PERSON + n
                menus[chat] = (await client.bot_messages(chat))[-1]["message_id"]
            updates = [
                [
                    {"user_id": chat, "text": value} if what == "text"
                    else {"user_id": chat, "message_id": menus[chat], "data": value}
                    for what, value in MESSAGES
                ]
                for chat in menus
            ]
            update_ids: list[int] = []
            if spread_rate is None:
                update_ids = await client.send_many([u for person in updates for u in person])
            else:
                in_turn = [person[k] for k in range(len(MESSAGES)) for person in updates]
                started = time.monotonic()
                sent = 0
                while sent < len(in_turn):
                    due = min(len(in_turn), int((time.monotonic() - started) * spread_rate) + 1)
                    update_ids += await client.send_many(in_turn[sent:due])
                    sent = due
                    await asyncio.sleep(max(0.0, started + sent / spread_rate - time.monotonic()))
            timings = await wait_answered(client, set(update_ids), timeout=len(update_ids) / 10 + 60)
        finally:
            bot.terminate()
            await asyncio.wait_for(bot.wait(), 15)
    answered = [t for t in timings if t["answered"] is not None]
    delays = [t["answered"] - t["received"] for t in answered]
    by_person: dict[int, list[dict]] = {}
    for timing in sorted(answered, key=lambda t: t["update_id"]):
        by_person.setdefault(timing["chat_id"], []).append(timing)
    firsts = [t[0]["answered"] for t in by_person.values()]
    fifths = [t[len(MESSAGES) - 1]["answered"] for t in by_person.values() if len(t) == len(MESSAGES)]
    span = max(t["answered"] for t in answered) - min(t["received"] for t in timings)
    return Result(
        p50=percentile(delays, 0.5),
        p99=percentile(delays, 0.99),
        answers_per_second=len(answered) / span,
        fair=bool(fifths) and max(firsts) < min(fifths),
        missing=len(timings) - len(answered),
    )


def show(label: str, ours: Result, echo: Result) -> None:
    def cell(r: Result) -> str:
        text = f"p50 {r.p50 * 1000:7.1f} ms  p99 {r.p99 * 1000:7.1f} ms  {r.answers_per_second:5.1f}/s"
        text += "  firsts first" if r.fair else "  a fifth before a first"
        return text + (f"  {r.missing} UNANSWERED" if r.missing else "")

    ratio = ours.answers_per_second / echo.answers_per_second
    print(f"{label:<22} wegwijs: {cell(ours)}")
    print(f"{'':<22} echo:    {cell(echo)}   wegwijs/echo answers/s: {ratio:.2f}", flush=True)


async def bench(people: list[int], spread_people: list[int], rate: float) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for n in spread_people:
            ours = await one_run("wegwijs", n, rate, folder)
            echo = await one_run("echo", n, rate, folder)
            show(f"{n} people, {rate:g}/s", ours, echo)
        for n in people:
            ours = await one_run("wegwijs", n, None, folder)
            echo = await one_run("echo", n, None, folder)
            show(f"{n} people, all at once", ours, echo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, nargs="*", default=[10, 100, 1000], help="all at once")
    parser.add_argument("--spread-people", type=int, nargs="*", default=[10, 100], help="spread out")
    parser.add_argument("--rate", type=float, default=25.0, help="messages per second when spread out")
    parser.add_argument("--echo-bot", metavar="API_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        echo_bot(args.echo_bot)
        return
    print("Targets: spread out p99 <= 50 ms at 100 people; all at once >= 0.95 of the echo bot's answers/s,"
          " every first answer before anyone's fifth.")
    asyncio.run(bench(args.people, args.spread_people, args.rate))


if __name__ == "__main__":
    main()
