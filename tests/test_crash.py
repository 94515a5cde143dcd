"""``kill -9`` in the middle of sending, then a restart: nothing lost, at most the sends in flight twice.

The bot runs as a real ``wegwijs run`` process against the emulator (Telegram's
limits on, so sending takes a few seconds and the kill lands mid-dispatch).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from bot.reminders import appointments
from bot.delivery import outbox
from bot.core.config import DEFAULT_CONTENT_DIR, DEFAULT_SENDS_IN_FLIGHT
from bot.core.db import open_db
from bot.emulator import EmulatorClient, running_emulator
from bot.texts.journey import load_journey
from bot.texts.timing import load_timing
from bot.people.users import accept_privacy, choose_language
from bot.channels.telegram.identity import person_of
from tests.harness import TOKEN
from tests.timeline import MONDAY

PEOPLE = range(9000, 9090)
KILL_AFTER = 25
IN_FLIGHT = DEFAULT_SENDS_IN_FLIGHT
"""The bot runs with the default, the number the README gives ("at most 8")."""


def plan_one_message_each(db_path: Path) -> None:
    db = open_db(db_path)
    timing = load_timing(load_journey(DEFAULT_CONTENT_DIR / "journey.yaml"))
    for telegram_id in PEOPLE:
        user_id = person_of(db, telegram_id, create=True)
        choose_language(db, user_id, "en")
        accept_privacy(db, user_id, MONDAY)
        appointments.add(db, timing, user_id=user_id, kind="tov", starts_at=datetime(2025, 6, 20, 10, 0), now=MONDAY)
    db.close()


async def start_bot(api_url: str, db_path: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "WEGWIJS_DISPATCH_SECONDS": "0.05",
        "WEGWIJS_CLOCK_START": MONDAY.isoformat(),
        "WEGWIJS_HTTP_PORT": "0",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--api-url", api_url, "--db", str(db_path),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


async def wait_until(condition, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def statuses(db_path: Path) -> Counter[str]:
    db = open_db(db_path)
    try:
        return Counter(r["status"] for r in db["outbox"].rows_where("kind = ?", [appointments.NOTICE]))
    finally:
        db.close()


async def test_kill_9_mid_dispatch_and_restart_sends_everything_at_most_the_sends_in_flight_twice(tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    plan_one_message_each(db_path)
    async with running_emulator(limits=True) as emu, EmulatorClient(emu.control_url) as client:
        for user_id in PEOPLE:
            await client.register_user(user_id, "Test")

        async def sent_at_least(n: int) -> bool:
            return (await client.stats())["sent_messages"] >= n

        bot = await start_bot(emu.api_url, db_path)
        try:
            await wait_until(lambda: sent_at_least(KILL_AFTER))
        finally:
            bot.kill()  # SIGKILL: no clean-up at all
            await bot.wait()
        after_kill = statuses(db_path)
        assert after_kill[outbox.PENDING] + after_kill[outbox.SENDING] > len(PEOPLE) // 2  # killed mid-dispatch

        async def everyone_has_it() -> bool:
            chats = emu.state.chats
            return all(any(m.from_bot for m in chats[u].messages.values()) for u in PEOPLE)

        bot = await start_bot(emu.api_url, db_path)
        try:
            await wait_until(everyone_has_it)
        finally:
            bot.terminate()  # a clean stop finishes the message in hand
            await asyncio.wait_for(bot.wait(), 30)

    received = Counter(
        {u: sum(1 for m in emu.state.chats[u].messages.values() if m.from_bot and m.kind == "text") for u in PEOPLE}
    )
    assert min(received.values()) == 1, "a message was lost"
    twice = [u for u, n in received.items() if n > 1]
    assert sum(n - 1 for n in received.values()) <= IN_FLIGHT, f"sent twice: {twice}"
    assert statuses(db_path) == Counter({outbox.SENT: len(PEOPLE)})
