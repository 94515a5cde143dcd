"""Incoming updates: many chats at once, one chat in order, a flooding chat cut short."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.channels.telegram.updates import FloodGuard, Verdict
from tests.harness import BotUnderTest, bot_under_test
from tests.test_search import onboarded

FLOOD_BURST = 3
"""Small, so that the flooding chat's few answers (one a second under the limits) keep the test short."""


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] or "" for m in messages]


async def test_a_flooding_chat_does_not_hold_up_another_and_hears_slow_down_once(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "wegwijs.db") as bot:
        flooder = await onboarded(bot, 501, "en")
        other = await onboarded(bot, 502, "nl")
        bot.app.update_processor.guard = FloodGuard(FLOOD_BURST, per_second=1.0)  # the harness's is out of reach
        await bot.client.set_limits(enabled=True)  # Telegram's: 30/s in all, 1/s per chat
        await asyncio.sleep(1.1)  # the onboarding's messages used up the chats' allowance
        before = len(await bot.client.bot_messages(flooder.user_id))
        loop = asyncio.get_running_loop()
        started = loop.time()
        for tenth in range(10):  # 100 messages in one second, ten every 0.1 s
            await bot.client.send_many([{"user_id": flooder.user_id, "text": f"work {tenth}{n}"} for n in range(10)])
            await asyncio.sleep(max(0.0, started + (tenth + 1) / 10 - loop.time()))

        sent = await bot.client.send_text(other.user_id, "/menu")
        asked = loop.time()
        answer = await bot.client.wait_for_bot_messages(other.user_id, after=sent["message"]["message_id"], timeout=5)
        assert loop.time() - asked <= 2.0, f"/menu answered after {loop.time() - asked:.1f} s"
        assert answer[0]["reply_markup"], "the menu comes with its buttons"

        slow_down = bot.services.renderer.ui("en", "flood.slow_down")
        await flooder.receive_until(lambda m: m["text"] == slow_down, timeout=15)
        await asyncio.sleep(1.5)  # anything still coming would come now
        flood_answers = (await bot.client.bot_messages(flooder.user_id))[before:]
        assert texts(flood_answers).count(slow_down) == 1
        # The burst is answered (in order, one a second), then "slow down", and nothing for the rest.
        assert len(flood_answers) <= FLOOD_BURST * 2 + 1, texts(flood_answers)


async def test_one_chat_in_order_and_different_chats_at_once(bot: BotUnderTest) -> None:
    """Updates of one chat are handled in order even when handling takes random time."""
    handled: dict[int, list[int]] = {}
    running = {"now": 0, "most": 0}

    async def slow_observer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        await asyncio.sleep(random.uniform(0.0, 0.05))
        handled.setdefault(update.effective_chat.id, []).append(update.update_id)
        running["now"] -= 1

    bot.app.add_handler(TypeHandler(Update, slow_observer), group=9_999)
    sent: dict[int, list[int]] = {}
    for round_ in range(5):
        for chat in range(601, 611):
            result = await bot.client.send_text(chat, f"/start {round_}")
            sent.setdefault(chat, []).append(result["update_id"])
    last = max(ids[-1] for ids in sent.values())
    for ids in sent.values():
        for update_id in ids:
            await bot.processed(update_id)
    assert last in [u for ids in handled.values() for u in ids]
    assert handled == sent
    assert running["most"] > 1, "updates of different chats were handled one at a time"


async def test_a_429_for_one_chat_does_not_pause_the_others(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "wegwijs.db") as bot:
        slow = await onboarded(bot, 701, "en")
        other = await onboarded(bot, 702, "en")
        # Telegram refuses the next send (the slow chat's answer) with "retry after 3 s".
        await bot.client.inject_fault("sendMessage", status=429, retry_after=3)
        loop = asyncio.get_running_loop()
        slow_sent = await bot.client.send_text(slow.user_id, "/menu")
        await asyncio.sleep(0.3)  # the slow chat has met its 429 and waits
        started = loop.time()
        other_sent = await bot.client.send_text(other.user_id, "/menu")
        await bot.client.wait_for_bot_messages(other.user_id, after=other_sent["message"]["message_id"], timeout=5)
        assert loop.time() - started < 1.0, "the other chat waited for the first chat's retry_after"
        await bot.client.wait_for_bot_messages(slow.user_id, after=slow_sent["message"]["message_id"], timeout=6)


async def test_the_emulator_takes_many_updates_at_once_and_times_the_answers(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 801, "en")
    menu = (await person.say("/menu"))[-1]
    ids = await bot.client.send_many(
        [
            {"user_id": person.user_id, "text": "housing"},
            {"user_id": person.user_id, "message_id": menu["message_id"], "data": "m:where"},
        ]
    )
    for update_id in ids:
        await bot.processed(update_id)
    timings = {t["update_id"]: t for t in await bot.client.timings()}
    first, second = (timings[i] for i in ids)
    assert first["chat_id"] == second["chat_id"] == person.user_id
    assert first["received"] <= second["received"]
    assert first["received"] < first["answered"] <= first["finished"] <= second["answered"] <= second["finished"]


def test_the_flood_guard_warns_once_per_flood() -> None:
    now = [0.0]
    guard = FloodGuard(2, per_second=1.0, clock=lambda: now[0])
    assert [guard.arrive(7) for _ in range(5)] == [Verdict.HANDLE, Verdict.HANDLE, Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert guard.arrive(8) is Verdict.HANDLE, "another chat has its own bucket"
    now[0] = 1.0  # one token back, but the flood is not over: no second warning
    assert [guard.arrive(7) for _ in range(2)] == [Verdict.HANDLE, Verdict.DROP]
    now[0] = 4.0  # quiet long enough to fill the bucket: a new flood is warned again
    assert [guard.arrive(7) for _ in range(4)] == [Verdict.HANDLE, Verdict.HANDLE, Verdict.WARN, Verdict.DROP]


async def test_a_flooding_group_hears_nothing(bot: BotUnderTest) -> None:
    await bot.client.register_user(901, "In a group")
    bot.app.update_processor.guard = FloodGuard(1, per_second=1.0)
    for n in range(3):  # handled (silently), warned (silently), dropped
        await bot.client.send_group_message(901, -1009, f"spam {n}", chat_type="supergroup")
    processor = bot.app.update_processor
    for _ in range(500):  # nothing reaches the harness's observer here: wait until all three are through
        if (await bot.client.stats())["updates_delivered"] >= 3 and not processor.chats_in_progress:
            break
        await asyncio.sleep(0.01)
    assert not processor.chats_in_progress and not processor.warns_any
    assert "sendMessage" not in (await bot.client.stats())["method_calls"]
