"""How long something is kept: a period such as ``24h``, ``30d`` or ``12mo``.

Retention periods (``retention:`` in ``content/journey.yaml``) are written
this way. Days and months count on the Amsterdam calendar (12 months after
10 March is 10 March a year later, also across a change of the clocks);
hours are real time. A period shown to a person is spelled out by Babel in
their language (``{{ keep | duration }}``: "12 maanden" is shown as "1 jaar",
"14d" as "2 weken"), so a text never repeats a number that can go stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.units import format_unit
from dateutil.relativedelta import relativedelta

from bot.core.config import TIMEZONE

_PERIOD = re.compile(r"(\d+)\s*(mo|d|h)")
UNITS = {"h": "hours", "d": "days", "mo": "months"}


class PeriodError(ValueError):
    """Not a period such as 24h, 30d or 12mo."""


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str
    """``h`` hours, ``d`` days, ``mo`` months."""

    @classmethod
    def parse(cls, value: Any) -> Period:
        match = _PERIOD.fullmatch(str(value).strip())
        if not match or int(match[1]) <= 0:
            raise PeriodError(f"{value!r} is not a period such as 24h, 30d or 12mo (more than 0)")
        return cls(amount=int(match[1]), unit=match[2])

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def _delta(self) -> timedelta | relativedelta:
        if self.unit == "mo":
            return relativedelta(months=self.amount)
        return timedelta(**{UNITS[self.unit]: self.amount})

    def after(self, moment: datetime) -> datetime:
        if self.unit == "h":
            return moment.astimezone(UTC) + self._delta()
        local = moment.astimezone(TIMEZONE).replace(tzinfo=None) + self._delta()
        return local.replace(tzinfo=TIMEZONE).astimezone(UTC)

    def before(self, moment: datetime) -> datetime:
        if self.unit == "h":
            return moment.astimezone(UTC) - self._delta()
        local = moment.astimezone(TIMEZONE).replace(tzinfo=None) - self._delta()
        return local.replace(tzinfo=TIMEZONE).astimezone(UTC)

    def spelled(self, locale: str) -> str:
        """The period in words for a reader: whole years and weeks in their own unit."""
        amount, unit = self.amount, {"h": "duration-hour", "d": "duration-day", "mo": "duration-month"}[self.unit]
        if self.unit == "mo" and amount % 12 == 0:
            amount, unit = amount // 12, "duration-year"
        elif self.unit == "d" and amount % 7 == 0:
            amount, unit = amount // 7, "duration-week"
        return format_unit(amount, unit, length="long", locale=locale)
