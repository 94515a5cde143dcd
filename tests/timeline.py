"""Moving time for scheduled messages: set the fake clock, then wait until the
dispatcher (running every few milliseconds) has sent everything that is due."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import datetime

from bot.delivery import outbox
from bot.core.clock import FakeClock
from bot.core.config import TIMEZONE
from bot.texts.timing import load_timing
from tests.harness import BotUnderTest

DISPATCH_SECONDS = 0.05
MONDAY = datetime(2025, 6, 2, 10, 0, tzinfo=TIMEZONE)
"""A Monday morning: no clock change near, no quiet hours."""


async def settle(bot: BotUnderTest, timeout: float = 10.0) -> None:
    """Wait until no message is due or being sent."""
    s = bot.services
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        now = s.clock.now()
        quiet_now = load_timing(s.renderer.journey).quiet.contains(now)
        sending = s.db.execute("SELECT count(*) FROM outbox WHERE status = ?", [outbox.SENDING]).fetchone()[0]
        if not sending and not outbox.has_due(s.db, now, quiet_now=quiet_now):
            return
        if loop.time() > deadline:
            raise AssertionError(f"the outbox did not settle at {now}: {outbox.status(s.db, now)}")
        await asyncio.sleep(0.005)


async def at(bot: BotUnderTest, clock: FakeClock, moment: datetime) -> list[dict]:
    """Move the clock to ``moment``; returns the bot messages sent because of it, to anyone."""
    before = {chat: len(await bot.client.bot_messages(chat)) for chat in bot.emulator.state.chats}
    clock.set(moment)
    await settle(bot)
    new: list[dict] = []
    for chat in bot.emulator.state.chats:
        new.extend((await bot.client.bot_messages(chat))[before.get(chat, 0) :])
    return new


def plain(message: dict) -> str:
    """The visible text of a message, tags removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", message.get("html") or message.get("text") or ""))


def local(moment: datetime) -> datetime:
    return moment.astimezone(TIMEZONE)
