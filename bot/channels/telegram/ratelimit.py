"""Keeping under Telegram's limits without one chat holding up the others.

PTB's ``AIORateLimiter`` pauses *every* request when any request gets a 429:
one person who writes too fast (Telegram allows about one message a second
per chat) would make everyone else wait too. :class:`ChatRateLimiter` keeps
the same overall and group limits, but a 429 pauses only the chat it came
for: that chat's requests wait ``retry_after`` and are tried again, the other
chats go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from datetime import timedelta
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning
from telegram.ext import BaseRateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]
MARGIN_SECONDS = 0.1
"""Added to retry_after, so the retry does not land just before Telegram's limit lifts."""
GROUP_LIMITERS_KEPT = 512


class ChatRateLimiter(BaseRateLimiter[int]):
    """``overall_rate`` messages per second in all (``burst`` at once), 20 a minute per group; a 429 waits per chat.

    ``max_retries``: how often a request that got a 429 is tried again before
    the ``RetryAfter`` goes to the caller (the dispatcher then plans a retry).
    """

    def __init__(
        self, overall_rate: float = FloodLimit.MESSAGES_PER_SECOND, max_retries: int = 0, burst: float | None = None
    ) -> None:
        burst = burst or overall_rate  # at most this many at once, then ``overall_rate`` a second
        self._overall = AsyncLimiter(burst, burst / overall_rate)
        self._max_retries = max_retries
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[int | str | None, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    def _group_limiter(self, group: int | str) -> AsyncLimiter:
        if len(self._groups) > GROUP_LIMITERS_KEPT:
            for key, limiter in list(self._groups.items()):
                if key != group and limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        if group not in self._groups:
            self._groups[group] = AsyncLimiter(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60)
        return self._groups[group]

    async def _wait_for_pause(self, chat: int | str | None) -> None:
        loop = asyncio.get_running_loop()
        while (until := self._paused_until.get(chat)) is not None:
            remaining = until - loop.time()
            if remaining <= 0:
                self._paused_until.pop(chat, None)
                return
            await asyncio.sleep(remaining)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat: int | str | None = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat)  # type: ignore[arg-type]
        is_group = isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        for attempt in range(retries + 1):
            await self._wait_for_pause(chat)
            try:
                if chat is None:  # not a message (getMe, answerCallbackQuery...): Telegram does not count it
                    return await callback(*args, **kwargs)
                group = self._group_limiter(chat) if is_group else contextlib.nullcontext()
                async with group, self._overall:
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                loop = asyncio.get_running_loop()
                until = loop.time() + retry_seconds(exc) + MARGIN_SECONDS
                self._paused_until[chat] = max(until, self._paused_until.get(chat, 0.0))
        raise AssertionError("unreachable: the last attempt returns or raises")


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asks to wait, in seconds.

    ``retry_after`` is seconds or a timedelta depending on PTB's ``PTB_TIMEDELTA``
    setting, and reading it as seconds warns that it will become a timedelta.
    Both forms are read here, so the warning says nothing we have to act on.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
