"""Another process holds the database's write lock for 10 s in the middle of a dispatch.

Every scheduled message still goes out once, no row stays ``sending``, and
the bot keeps answering: a person whose action cannot be saved hears
"please try again" in their language within 2 s.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from bot.reminders import appointments
from bot.delivery import outbox
from bot.core.clock import FakeClock
from bot.texts.timing import load_timing
from bot.people.users import accept_privacy, choose_language
from bot.channels.telegram.identity import person_of
from tests.harness import BotUnderTest, bot_under_test
from tests.test_spine import onboard, ui_file
from tests.timeline import DISPATCH_SECONDS, MONDAY, settle

PEOPLE = range(8000, 8060)
LOCK_SECONDS = 10
ANSWER_WITHIN = 2.0
HOLD_LOCK = f"""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
print("ready", flush=True)
sys.stdin.readline()
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep({LOCK_SECONDS})
db.execute("COMMIT")
print("released", flush=True)
"""


def plan_notices(bot: BotUnderTest, due: datetime) -> list[int]:
    """One appointment each for PEOPLE; its notice is due at ``due``. Returns their person ids."""
    db = bot.services.db
    timing = load_timing(bot.services.renderer.journey)
    person_ids = []
    with db.atomic():
        for telegram_id in PEOPLE:
            user_id = person_of(db, telegram_id, create=True)
            choose_language(db, user_id, "en")
            accept_privacy(db, user_id, MONDAY)
            appointments.add(db, timing, user_id=user_id, kind="tov", starts_at=datetime(2025, 6, 20, 10, 0), now=due)
            person_ids.append(user_id)
    return person_ids


async def answer_time(bot: BotUnderTest, user_id: int, text: str) -> tuple[float, str]:
    """Seconds until the bot's first answer to ``text``, and that answer."""
    loop = asyncio.get_running_loop()
    before = len(await bot.client.bot_messages(user_id))
    started = loop.time()
    await bot.client.send_text(user_id, text)
    while True:
        answers = (await bot.client.bot_messages(user_id))[before:]
        if answers:
            return loop.time() - started, answers[0]["text"] or ""
        assert loop.time() - started < 10, "no answer at all"
        await asyncio.sleep(0.02)


async def test_a_write_lock_held_for_10_s_mid_dispatch_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    db_path = tmp_path / "w.db"
    # 400 ms round trips: sends are in flight when the lock comes (60 people, 8 at a time: 3 s).
    async with bot_under_test(db_path, clock=clock, dispatch_seconds=DISPATCH_SECONDS, latency_ms=400) as bot:
        await onboard(bot.person(8999, language_code="fa"), "fa", step_number=2)
        await bot.client.register_users([{"user_id": u, "first_name": "Test"} for u in PEOPLE])
        due = MONDAY + timedelta(hours=1)
        person_ids = plan_notices(bot, due)
        locker = await asyncio.create_subprocess_exec(
            sys.executable, "-c", HOLD_LOCK, str(db_path),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert await locker.stdout.readline() == b"ready\n"
            before = (await bot.client.stats())["sent_messages"]  # the onboarding's messages
            clock.set(due)
            while (await bot.client.stats())["sent_messages"] < before + 3:
                await asyncio.sleep(0.01)
            locker.stdin.write(b"go\n")
            await locker.stdin.drain()
            assert await locker.stdout.readline() == b"locked\n"
            sending_when_locked = bot.services.db.execute(
                "SELECT count(*) FROM outbox WHERE status = ?", [outbox.SENDING]
            ).fetchone()[0]

            # While locked: the person's /menu (their first message in an hour) cannot save
            # their activity; they hear so, in Farsi, at once.
            seconds, answer = await answer_time(bot, 8999, "/menu")
            assert seconds < ANSWER_WITHIN
            assert answer == ui_file("fa")["errors.try_again"]
            assert await locker.stdout.readline() == b"released\n"
        finally:
            if locker.returncode is None:
                locker.kill()
            await locker.wait()

        await settle(bot, timeout=30)
        statuses = Counter(r[0] for r in bot.services.db.execute(
            "SELECT status FROM outbox WHERE kind = ? AND user_id IN (SELECT value FROM json_each(?))",
            [appointments.NOTICE, json.dumps(person_ids)],
        ))
        assert statuses == Counter({outbox.SENT: len(PEOPLE)})
        received = Counter({u: len(await bot.client.bot_messages(u)) for u in PEOPLE})
        assert set(received.values()) == {1}, received
        assert sending_when_locked > 0  # the lock did land mid-dispatch

        seconds, answer = await answer_time(bot, 8999, "/menu")
        assert answer != ui_file("fa")["errors.try_again"]
