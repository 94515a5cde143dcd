"""The browser demo's clock: real time from a chosen start, moved forward by the viewer.

A reminder is planned days ahead; in the demo the viewer presses "move the clock
forward" and the outbox dispatcher, which asks this clock what time it is, sends
what has become due.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.core.clock import ShiftedClock
from bot.core.config import TIMEZONE

DEMO_START = time(10, 0)
"""The demo starts at 10:00 in Amsterdam today: nothing is sent in quiet hours (21:00-08:00),
and a day forward is then 10:00 tomorrow, inside working hours again."""


class DemoClock:
    """:class:`ShiftedClock` plus the time the viewer has skipped."""

    def __init__(self, start: datetime) -> None:
        self._running = ShiftedClock(start)
        self._skipped = timedelta()

    @classmethod
    def this_morning(cls) -> DemoClock:
        today = datetime.now(UTC).astimezone(TIMEZONE).date()
        return cls(datetime.combine(today, DEMO_START, TIMEZONE))

    def now(self) -> datetime:
        return self._running.now() + self._skipped

    def advance(self, delta: timedelta) -> None:
        if delta <= timedelta():
            raise ValueError("the demo clock only moves forward")
        self._skipped += delta
