"""Handling incoming updates: many chats at once, each chat in order, floods cut short.

PTB hands every update to an update processor. :class:`ChatOrderedProcessor`
runs updates of different chats concurrently (so a slow answer, or a 429 that
makes one chat's reply wait, holds up only that chat) and updates of one chat
one after the other, in the order they came. The number of updates being
handled at once is bounded; waiting for a busy chat does not take a slot.

A chat that sends far more than a person can type (a script, a stuck key) is
cut short by :class:`FloodGuard`: a token bucket per chat, checked when an
update *arrives*, not when it is handled. Checking on arrival matters: the
flooding chat's own answers are slowed by Telegram's limit of one message per
second per chat, and a bucket checked at handling time would refill while it
waits and never run dry. Updates past the bucket are dropped before any
handler sees them, and the first of them gets a short "slow down" answer
(:func:`slow_down`, in a handler group before all others), once per flood.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, BaseUpdateProcessor, ContextTypes, TypeHandler

from bot.casework import staff
from bot.channels.telegram.handlers.common import reader_language
from bot.channels.telegram.identity import person_of
from bot.screens.messaging import send_html
from bot.core.services import services
from bot.people.users import get_user

GUARD_GROUP = -100
"""The flood guard's handler group, of its own, before every other (one handler per group runs)."""
WAITING_UPDATES = 1_000_000
"""PTB's own bound, taken before this processor sees an update. It bounds no memory (PTB makes a
task for every fetched update at once, bound or not), but an update waiting behind its chat holds
one: with a bound of a few thousand, 1,000 people sending 5 messages each at once would let the
first people's fifth messages go before the last people's first. So it is set out of reach."""


class Verdict(Enum):
    HANDLE = "handle"
    WARN = "warn"
    """The first update over the limit: answered with "slow down", not handled."""
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class FloodGuard:
    """A token bucket per chat: ``burst`` updates at once, then ``per_second`` on average.

    The chat is warned once per flood: the warning is given again only after
    the bucket has filled up completely, i.e. after the chat was quiet a while.
    """

    SWEEP_AT = 4096
    """Forget full buckets (quiet chats) when this many are kept."""

    def __init__(self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1 or per_second <= 0:
            raise ValueError("burst must be at least 1 and per_second positive")
        self.burst = burst
        self.per_second = per_second
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def _refill(self, bucket: _Bucket, now: float) -> None:
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.per_second)
        bucket.stamp = now
        if bucket.tokens >= self.burst:
            bucket.warned = False

    def arrive(self, chat_id: int) -> Verdict:
        now = self._clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= self.SWEEP_AT:
                self._sweep(now)
            bucket = self._buckets[chat_id] = _Bucket(tokens=self.burst, stamp=now)
        self._refill(bucket, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.HANDLE
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        for chat_id, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.burst:
                del self._buckets[chat_id]

    def __len__(self) -> int:
        return len(self._buckets)


def chat_of(update: object) -> int | None:
    """The chat an update belongs to (None: no chat, e.g. an inline query)."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


@dataclass
class _ChatLock:
    lock: asyncio.Lock
    users: int = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats concurrently, of one chat in arrival order.

    ``handling`` bounds the updates handled at once. PTB's own semaphore is
    taken *before* this processor sees an update (see ``WAITING_UPDATES``);
    the real bound is taken after the chat's lock, so updates waiting behind
    a busy chat hold no slot.
    ``asyncio.Lock`` wakes its waiters first come, first served, and PTB
    starts the update tasks in the order it fetched them: that keeps a chat's
    updates in order.
    """

    def __init__(self, handling: int, guard: FloodGuard | None = None) -> None:
        super().__init__(max_concurrent_updates=WAITING_UPDATES)
        if handling < 1:
            raise ValueError("handling must be at least 1")
        self.handling = handling
        self.guard = guard
        self._slots = asyncio.Semaphore(handling)
        self._chats: dict[int, _ChatLock] = {}
        self._warnings: set[int] = set()

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per chat as updates come."""

    async def shutdown(self) -> None:
        """Nothing to free: a chat's lock goes when its last update is done."""

    def warns(self, update: object) -> bool:
        """Is this the update to answer with "slow down"? (Only that one reaches the guard's handler.)"""
        return isinstance(update, Update) and update.update_id in self._warnings

    def warned(self, update: Update) -> None:
        self._warnings.discard(update.update_id)

    @property
    def warns_any(self) -> bool:
        """Is a "slow down" still to be said?"""
        return bool(self._warnings)

    @property
    def chats_in_progress(self) -> int:
        """Chats with an update being handled or waiting (their locks are kept only that long)."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = chat_of(update)
        if chat_id is None:
            async with self._slots:
                await coroutine
            return
        verdict = self.guard.arrive(chat_id) if self.guard is not None else Verdict.HANDLE
        if verdict is Verdict.DROP:
            coroutine.close()  # type: ignore[attr-defined]  # PTB passes a coroutine; it never runs
            return
        if verdict is Verdict.WARN:
            self._warnings.add(update.update_id)  # type: ignore[attr-defined]
        entry = self._chats.get(chat_id)
        if entry is None:
            entry = self._chats[chat_id] = _ChatLock(asyncio.Lock())
        entry.users += 1
        try:
            async with entry.lock, self._slots:
                await coroutine
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._chats[chat_id]


class _SlowDown(TypeHandler):
    """Matches only the update the processor marked as the first of a flood."""

    def __init__(self, processor: ChatOrderedProcessor) -> None:
        super().__init__(Update, slow_down)
        self._processor = processor

    def check_update(self, update: object) -> bool:
        return self._processor.warns(update)


async def slow_down(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The first update of a flood: say "slow down" once and handle nothing else of it."""
    context.application.update_processor.warned(update)
    if update.effective_chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # Wegwijs says nothing in groups and channels
    if update.callback_query:
        await update.callback_query.answer()
    s = services(context)
    person_id = person_of(s.db, update.effective_chat.id)  # a private chat: the chat id is the user id
    member = None if person_id is None else staff.get_staff(s.db, person_id)
    if member is not None:
        lang = member.lang
    else:
        lang = reader_language(s, update, None if person_id is None else get_user(s.db, person_id))
    await send_html(context.bot, update.effective_chat.id, s.renderer.ui(lang, "flood.slow_down"))
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    """Answer floods; the application must have been built with a :class:`ChatOrderedProcessor`."""
    if not isinstance(app.update_processor, ChatOrderedProcessor):
        raise TypeError("the flood guard needs the ChatOrderedProcessor (ApplicationBuilder.concurrent_updates)")
    app.add_handler(_SlowDown(app.update_processor), group=GUARD_GROUP)
