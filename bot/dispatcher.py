"""Sending what the outbox holds, when it is due.

PTB's JobQueue wakes the dispatcher every ``Settings.dispatch_seconds``; a
wake-up starts one drain task unless one is running. The drain sends due rows
one at a time (so a crash can leave at most one message in doubt), through
the bot's AIORateLimiter, and keeps scheduled messages to one chat at least
``Settings.chat_gap_seconds`` apart.

Telegram's answers:
- 429 (too many requests): the rate limiter waits ``retry_after`` and tries
  again; if it gives up, the row waits that long and is no failed attempt.
- 403 (the person blocked the bot): the person is marked inactive and every
  pending row to their chat is cancelled.
- 400 (a request Telegram will never accept): failed at once.
- network errors, 5xx and bugs: retried with doubling waits, then failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, ContextTypes

from bot import outbox
from bot.outbox import OutboxRow, Skipped
from bot.services import KEY, Services
from bot.timing import load_timing
from bot.users import deactivate, get_user

log = logging.getLogger(__name__)
JOB_NAME = "outbox"


class Dispatcher:
    def __init__(self, app: Application) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None
        self._last_sent: dict[int, float] = {}
        """chat id -> monotonic time of our last scheduled message there."""

    @property
    def services(self) -> Services:
        return self.app.bot_data[KEY]

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.app.running and (self._task is None or self._task.done()):
            self._task = self.app.create_task(self.drain(), name="outbox-drain")

    def _busy_chats(self) -> list[int]:
        gap = self.services.settings.chat_gap_seconds
        horizon = time.monotonic() - gap
        self._last_sent = {chat: at for chat, at in self._last_sent.items() if at > horizon}
        return list(self._last_sent)

    async def drain(self) -> None:
        """Send every due row, one at a time, until none is left or the bot stops."""
        s = self.services
        while self.app.running:
            now = s.clock.now()
            quiet_now = load_timing(s.renderer.journey).quiet.contains(now)
            busy = self._busy_chats()
            row = outbox.claim_next(s.db, now, quiet_now=quiet_now, skip_chats=busy)
            if row is None:
                if not busy or not outbox.has_due(s.db, now, quiet_now=quiet_now):
                    break
                await asyncio.sleep(min(self._last_sent.values()) + s.settings.chat_gap_seconds - time.monotonic())
                continue
            await self.deliver(row)

    async def deliver(self, row: OutboxRow) -> None:
        s = self.services
        sender = outbox.sender_for(row.kind)
        if sender is None:
            outbox.fail(s.db, row.id, s.clock.now(), f"no sender for kind {row.kind!r}")
            return
        if row.chat_id is not None:
            recipient = get_user(s.db, row.chat_id)
            if recipient is not None and not recipient.active:
                outbox.skip(s.db, row.id, s.clock.now(), "inactive")
                return
        try:
            result = await sender(self.app.bot, s, row)
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, timedelta) else timedelta(seconds=exc.retry_after)
            outbox.retry(s.db, row.id, s.clock.now() + wait, str(exc), count_attempt=False)
        except Forbidden as exc:
            self._blocked(row, str(exc))
        except BadRequest as exc:
            log.error("outbox row %s (%s) refused by Telegram: %s", row.id, row.kind, exc)
            outbox.fail(s.db, row.id, s.clock.now(), f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # network, 5xx, or a bug in a sender: retry, then fail
            self._failed_attempt(row, exc)
        else:
            if isinstance(result, Skipped):
                outbox.skip(s.db, row.id, s.clock.now(), result.reason)
                return
            outbox.complete(s.db, row.id, s.clock.now())
            if row.chat_id is not None:
                self._last_sent[row.chat_id] = time.monotonic()

    def _blocked(self, row: OutboxRow, error: str) -> None:
        s = self.services
        now = s.clock.now()
        if row.chat_id is None:
            outbox.fail(s.db, row.id, now, f"Forbidden: {error}")
            return
        if get_user(s.db, row.chat_id) is not None:
            deactivate(s.db, row.chat_id)
        outbox.skip(s.db, row.id, now, f"Forbidden: {error}")
        cancelled = outbox.cancel(s.db, chat_id=row.chat_id, reason="the person blocked the bot")
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
    app.job_queue.run_repeating(dispatcher.tick, interval=s.settings.dispatch_seconds, first=0, name=JOB_NAME)
