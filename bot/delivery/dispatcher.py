"""Sending what the outbox holds, when it is due.

PTB's JobQueue wakes the dispatcher every ``Settings.dispatch_seconds``; a
wake-up starts one drain task unless one is running. The drain keeps up to
``Settings.sends_in_flight`` sends going at once, each to another chat: a
round trip to Telegram takes 50-150 ms, so one send at a time would cap the
rate far below Telegram's 30 messages/s. Each row is claimed in the database
before it is sent (two dispatchers never send the same row), so after a crash
at most the rows in flight can go twice. Messages to one chat go one at a
time and at least ``Settings.chat_gap_seconds`` apart; the bot's
AIORateLimiter keeps the overall rate.

Telegram's answers:
- 429 (too many requests): the rate limiter waits ``retry_after`` and tries
  again; if it gives up, the row waits that long and is no failed attempt.
- 403 (the person blocked the bot): the person is marked inactive and every
  pending row to their chat is cancelled; when they write again, their
  appointment reminders still ahead are planned again
  (``appointments.replan_on_return``).
- 400 (a request Telegram will never accept): failed at once.
- no answer in time after the request went out: *in doubt*. Telegram may have
  delivered it, and it has no way to ask, so the row is not sent again: it is
  marked failed with "in doubt" (``wegwijs outbox status`` lists it). A
  request that never left (no connection) is retried like any network error.
- network errors, 5xx and bugs: retried with doubling waits, then failed.

A locked database (another process holding a write lock) makes a claim wait
and try again; marking a row sent, failed or pending again is retried until
it is saved, so a lock never turns into a second send.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes

from bot.delivery import outbox
from bot.core.db_locks import is_busy, until_saved, write_once
from bot.delivery.outbox import OutboxRow, Skipped
from bot.channels.telegram.ratelimit import ChatRateLimiter
from bot.core.services import KEY, Services
from bot.texts.timing import load_timing
from bot.people.users import deactivate, get_user

log = logging.getLogger(__name__)
JOB_NAME = "outbox"
DISPATCHER_KEY = "wegwijs.dispatcher"
"""Where the running dispatcher is kept in ``bot_data`` (the health check reads its last tick)."""
NO_CHAT = 0
"""Rows whose sender picks the chat at send time count as one chat: one at a time."""
LOCKED_WAIT = 0.25
"""Seconds before a claim is tried again while another process holds the database."""
T = TypeVar("T")
AfterDelivery = Callable[[OutboxRow, float], None]
"""Called after each delivery attempt with the row as claimed and the seconds it took (metrics)."""

_requests_done: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("requests_done", default=None)
"""Bot API methods that Telegram answered during the delivery of the current row."""


class DeliveryRateLimiter(ChatRateLimiter):
    """The bot's rate limiter (``bot.channels.telegram.ratelimit``), also noting which requests of a delivery Telegram answered.

    A sender that fails *after* its message went out (its bookkeeping met a
    locked database) must not be sent again; this is how the dispatcher knows.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        result = await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        done = _requests_done.get()
        if done is not None:
            done.append(endpoint)
        return result


def went_out_in_doubt(error: TimedOut) -> bool:
    """Whether a timed-out request may have reached Telegram (it was written, the answer never came)."""
    return not isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


class Dispatcher:
    def __init__(self, app: Application) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None
        self._last_sent: dict[int, float] = {}
        """chat id -> monotonic time of our last scheduled message there."""
        self._in_flight: dict[asyncio.Task[None], int] = {}
        """send task -> the chat it sends to."""
        self.started = time.monotonic()
        self.last_tick: float | None = None
        """Monotonic time of the last wake-up by the JobQueue (None: none yet)."""
        self.after_delivery: list[AfterDelivery] = []

    @property
    def services(self) -> Services:
        return self.app.bot_data[KEY]

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.last_tick = time.monotonic()
        if self.app.running and (self._task is None or self._task.done()):
            self._task = self.app.create_task(self.drain(), name="outbox-drain")

    def _busy_chats(self) -> list[int]:
        """Chats that get nothing now: a send to them is in flight, or the last one was too recent."""
        gap = self.services.settings.chat_gap_seconds
        horizon = time.monotonic() - gap
        self._last_sent = {chat: at for chat, at in self._last_sent.items() if at > horizon}
        return [*self._last_sent, *self._in_flight.values()]

    def _next_gap_end(self) -> float | None:
        """Seconds until the earliest paced chat may get its next message."""
        if not self._last_sent:
            return None
        return max(0.0, min(self._last_sent.values()) + self.services.settings.chat_gap_seconds - time.monotonic())

    def _claim(self) -> OutboxRow | None:
        s = self.services
        now = s.clock.now()
        quiet_now = load_timing(s.renderer.journey).quiet.contains(now)
        return outbox.claim_next(s.db, now, quiet_now=quiet_now, skip_chats=self._busy_chats())

    def _anything_due(self) -> bool:
        s = self.services
        now = s.clock.now()
        return outbox.has_due(s.db, now, quiet_now=load_timing(s.renderer.journey).quiet.contains(now))

    async def drain(self) -> None:
        """Send every due row, several at a time, until none is left or the bot stops.

        A clean stop lets the sends in flight finish and be recorded.
        """
        limit = max(1, self.services.settings.sends_in_flight)
        locked = False
        try:
            while self.app.running:
                row = None
                if len(self._in_flight) < limit:
                    try:
                        row = write_once(self.services.db, self._claim)
                        locked = False
                    except sqlite3.OperationalError as exc:
                        if not is_busy(exc):
                            raise
                        if not locked:
                            log.warning("database locked; the outbox tries again every %.2f s", LOCKED_WAIT)
                        locked = True
                        await self._wait(LOCKED_WAIT)
                        continue
                if row is not None:
                    task = asyncio.create_task(self._deliver_timed(row), name=f"outbox-{row.id}")
                    self._in_flight[task] = NO_CHAT if row.chat_id is None else row.chat_id
                    continue
                if self._in_flight:
                    await self._wait(self._next_gap_end())
                    continue
                gap = self._next_gap_end()
                if gap is None or not self._anything_due():
                    break
                await asyncio.sleep(gap)
        finally:
            if self._in_flight:
                await asyncio.wait(self._in_flight)
                self._in_flight.clear()

    async def _wait(self, timeout: float | None) -> None:
        """Until a send finishes (or ``timeout`` passes); forget finished sends."""
        if self._in_flight:
            done, _ = await asyncio.wait(self._in_flight, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                del self._in_flight[task]
                if not task.cancelled() and task.exception() is not None:
                    log.error("outbox send task failed", exc_info=task.exception())
        elif timeout:
            await asyncio.sleep(timeout)

    async def _save(self, call: Callable[[], T], what: str) -> T:
        return await until_saved(self.services.db, call, what)

    async def _deliver_timed(self, row: OutboxRow) -> None:
        started = time.monotonic()
        await self.deliver(row)
        took = time.monotonic() - started
        for hook in self.after_delivery:
            hook(row, took)

    async def deliver(self, row: OutboxRow) -> None:
        s = self.services
        sender = outbox.sender_for(row.kind)
        if sender is None:
            await self._save(lambda: outbox.fail(s.db, row.id, s.clock.now(), f"no sender for kind {row.kind!r}"), "failing a row")
            return
        done: list[str] = []
        token = _requests_done.set(done)
        try:
            if row.chat_id is not None:
                recipient = get_user(s.db, row.chat_id)
                if recipient is not None and not recipient.active:
                    await self._save(lambda: outbox.skip(s.db, row.id, s.clock.now(), outbox.INACTIVE), "skipping a row")
                    return
            result = await sender(self.app.bot, s, row)
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, timedelta) else timedelta(seconds=exc.retry_after)
            await self._save(
                lambda: outbox.retry(s.db, row.id, s.clock.now() + wait, str(exc), count_attempt=False), "retrying a row"
            )
        except Forbidden as exc:
            await self._save(lambda: self._blocked(row, str(exc)), "recording a blocked chat")
        except BadRequest as exc:
            log.error("outbox row %s (%s) refused by Telegram: %s", row.id, row.kind, exc)
            await self._save(lambda: outbox.fail(s.db, row.id, s.clock.now(), f"{type(exc).__name__}: {exc}"), "failing a row")
        except TimedOut as exc:
            if went_out_in_doubt(exc):
                log.warning("outbox row %s (%s): no answer from Telegram in time; in doubt, not sent again", row.id, row.kind)
                error = f"in doubt: no answer within {s.settings.send_timeout_seconds:g} s, Telegram may have delivered it"
                await self._save(lambda: outbox.fail(s.db, row.id, s.clock.now(), error), "failing a row")
            else:
                await self._save(lambda: self._failed_attempt(row, exc), "retrying a row")
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                await self._save(lambda: self._failed_attempt(row, exc), "retrying a row")
            elif done:
                log.error("outbox row %s (%s) went out, but its bookkeeping met a locked database", row.id, row.kind)
                await self._sent(row, note=f"sent; bookkeeping after the send failed: {exc}")
            else:
                await self._save(
                    lambda: outbox.retry(s.db, row.id, s.clock.now(), str(exc), count_attempt=False), "retrying a row"
                )
        except Exception as exc:  # network, 5xx, or a bug in a sender: retry, then fail
            await self._save(lambda: self._failed_attempt(row, exc), "retrying a row")
        else:
            if isinstance(result, Skipped):
                await self._save(lambda: outbox.skip(s.db, row.id, s.clock.now(), result.reason), "skipping a row")
            else:
                await self._sent(row)
        finally:
            _requests_done.reset(token)

    async def _sent(self, row: OutboxRow, note: str | None = None) -> None:
        s = self.services
        if row.chat_id is not None:
            self._last_sent[row.chat_id] = time.monotonic()
        await self._save(lambda: outbox.complete(s.db, row.id, s.clock.now(), note), "marking a row sent")

    def _blocked(self, row: OutboxRow, error: str) -> None:
        s = self.services
        now = s.clock.now()
        if row.chat_id is None:
            outbox.fail(s.db, row.id, now, f"Forbidden: {error}")
            return
        with s.db.atomic():
            if get_user(s.db, row.chat_id) is not None:
                deactivate(s.db, row.chat_id)
            outbox.skip(s.db, row.id, now, f"{outbox.BLOCKED}: {error}")
            cancelled = outbox.cancel(s.db, chat_id=row.chat_id, reason=outbox.BLOCKED)
        log.info("chat %s blocked the bot; %d scheduled messages cancelled", row.chat_id, cancelled)

    def _failed_attempt(self, row: OutboxRow, exc: Exception) -> None:
        s = self.services
        now = s.clock.now()
        error = f"{type(exc).__name__}: {exc}"
        if row.attempts >= s.settings.send_attempts:
            log.error("outbox row %s (%s) failed after %d attempts: %s", row.id, row.kind, row.attempts, error)
            outbox.fail(s.db, row.id, now, error)
            return
        log.warning("outbox row %s (%s) attempt %d: %s", row.id, row.kind, row.attempts, error, exc_info=exc)
        wait = timedelta(seconds=s.settings.retry_seconds * 2 ** (row.attempts - 1))
        outbox.retry(s.db, row.id, now + wait, error)


def start(app: Application) -> None:
    """Check the timing rules, take back what a crash left half-sent, and run the dispatcher."""
    s: Services = app.bot_data[KEY]
    load_timing(s.renderer.journey)
    if s.settings.dispatch_seconds <= 0:
        return
    recovered = outbox.recover(s.db)
    if recovered:
        log.warning("%d scheduled message(s) were being sent when the bot stopped; sending again", recovered)
    dispatcher = Dispatcher(app)
    app.bot_data[DISPATCHER_KEY] = dispatcher
    # The scheduler starts only when the application does (after getMe,
    # setMyCommands, deleteWebhook). An interval job added now with first=0
    # would by then count as started in the past, and APScheduler makes its
    # first run one whole interval later. A one-off run at 0 without a grace
    # limit does run as soon as the scheduler starts.
    once = {"misfire_grace_time": None}
    app.job_queue.run_once(dispatcher.tick, when=0, name=JOB_NAME, job_kwargs=once)
    interval = s.settings.dispatch_seconds
    app.job_queue.run_repeating(dispatcher.tick, interval=interval, first=interval, name=JOB_NAME)
