"""Reading a date and time as a Dutch klantmanager types it.

Accepted, each optionally followed by a time (``14:00``, ``9.30``, ``9u``,
``14u30``, ``9 uur``, ``om 10:30``):

- a date: ``12-3``, ``12/3``, ``12-3-2027``, ``12 maart``, ``12 mrt 2027``;
  without a year it is the next such date (next year once this year's has
  passed: in December, ``12 maart`` is next March);
- a day: ``vandaag``, ``morgen``, ``overmorgen``, ``vrijdag`` (the next
  Friday, today included while the time is still ahead), ``donderdag 10
  december`` (the weekday must match the date);
- a shift: ``over twee weken dinsdag`` / ``dinsdag over twee weken`` (the
  Tuesday of the week two weeks on), ``volgende week dinsdag``, ``over 3
  dagen``, ``over een week``.

"Today" is the ``now`` the caller passes: the bot's clock, never the wall
clock, so tests can live in December.

Why not ``dateparser`` (which knows Dutch)? Tried (1.5.0) against these
inputs: it reads ``9 uur`` and ``9u`` as 19:00, ``12 maart om 14 uur`` as the
year 2114 and ``12-3 14u`` as tomorrow at midnight, returns midnight for a
date without a time (so "no time given" cannot be told apart), and does not
know ``over twee weken dinsdag``. For appointments a date read wrongly and
accepted is worse than one refused, and the grammar klantmanagers use is
small and closed; so it stays here, with month and weekday names from
Babel's Dutch locale data (nothing hand-listed but the number words).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from babel.dates import get_day_names, get_month_names

from bot.core.config import TIMEZONE


class DateError(ValueError):
    """The text is no date, or no date in the future.

    ``reason`` is the suffix of a ``km.date.*`` ui key; ``values`` fill it in.
    """

    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class When:
    day: date
    at: time | None

    def moment(self) -> datetime:
        """The local moment in Amsterdam (DST-aware)."""
        if self.at is None:
            raise DateError("no_time")
        return datetime.combine(self.day, self.at, tzinfo=TIMEZONE)


def _names(getter: Any, widths: tuple[str, ...]) -> dict[str, int]:
    """Dutch names (CLDR, through Babel) to numbers; read on first use, not on the bot's start path."""
    names: dict[str, int] = {}
    for width in widths:
        for context in ("format", "stand-alone"):
            for number, name in getter(width, context, locale="nl").items():
                names[name.lower().rstrip(".")] = number
    return names


@functools.cache
def months() -> dict[str, int]:
    return _names(get_month_names, ("wide", "abbreviated"))


@functools.cache
def weekdays() -> dict[str, int]:
    """Monday is 0, as in ``date.weekday()``."""
    return _names(get_day_names, ("wide", "abbreviated"))
RELATIVE = {"vandaag": 0, "morgen": 1, "overmorgen": 2}
NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8}
UNITS = {"dag": 1, "dagen": 1, "week": 7, "weken": 7}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_TIME = re.compile(r"^(?:om\s+)?(\d{1,2})(?:[:.u](\d{2}))?\s*(?:u|uur)?$")


@dataclass
class _Reading:
    """What the words said so far."""

    weekday: int | None = None
    shift_days: int | None = None
    shift_weeks: bool = False
    day: date | None = None
    year_given: bool = False
    rest: list[str] = field(default_factory=list)


def _parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise DateError("bad_time")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise DateError("bad_time")
    return time(hour, minute)


def _year(text: str | None, today: date) -> int:
    if text is None:
        return today.year
    return int(text) + 2000 if len(text) == 2 else int(text)


def _take_weekday(reading: _Reading, words: list[str]) -> list[str]:
    if words and words[0].rstrip(".") in weekdays():
        if reading.weekday is not None:
            raise DateError("bad_date")
        reading.weekday = weekdays()[words[0].rstrip(".")]
        return words[1:]
    return words


def _take_shift(reading: _Reading, words: list[str]) -> list[str]:
    """``volgende week``, ``over twee weken``, ``over 3 dagen``."""
    if words[:2] == ["volgende", "week"]:
        reading.shift_days, reading.shift_weeks = 7, True
        return words[2:]
    if len(words) >= 3 and words[0] == "over" and words[2] in UNITS:
        count = int(words[1]) if words[1].isdigit() and len(words[1]) <= 3 else NUMBER_WORDS.get(words[1])
        if count is None:
            raise DateError("bad_date")
        reading.shift_days, reading.shift_weeks = count * UNITS[words[2]], UNITS[words[2]] == 7
        return words[3:]
    return words


def _take_date(reading: _Reading, words: list[str], today: date) -> list[str]:
    """A relative day (``morgen``), ``12-3[-2027]`` or ``12 maart [2027]``."""
    if not words:
        return words
    first = words[0]
    if first in RELATIVE:
        reading.day = today + timedelta(days=RELATIVE[first])
        return words[1:]
    numeric = _NUMERIC.match(first)
    try:
        if numeric:
            reading.year_given = numeric.group(3) is not None
            day, month = int(numeric.group(1)), int(numeric.group(2))
            reading.day = date(_year(numeric.group(3), today), month, day)
            return words[1:]
        if first.isdigit() and len(words) > 1 and words[1].rstrip(".") in months():
            month = months()[words[1].rstrip(".")]
            rest = words[2:]
            year = None
            if rest and re.fullmatch(r"\d{4}", rest[0]):
                year, rest = rest[0], rest[1:]
            reading.year_given = year is not None
            reading.day = date(_year(year, today), month, int(first))
            return rest
    except ValueError as exc:  # 31-2, 0-13 and the like
        raise DateError("bad_date") from exc
    return words


def _read(words: list[str], today: date) -> _Reading:
    reading = _Reading()
    words = _take_weekday(reading, words)
    words = _take_shift(reading, words)
    words = _take_weekday(reading, words)
    if reading.shift_days is None:
        words = _take_date(reading, words, today)
    reading.rest = words
    if reading.day is None and reading.weekday is None and reading.shift_days is None:
        raise DateError("bad_date")
    return reading


def _next_year_if_passed(day: date, today: date) -> date:
    try:
        return day if day >= today else day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        raise DateError("bad_date") from None


def _day(reading: _Reading, today: date) -> date:
    """The calendar day the reading names (a bare weekday: its next occurrence, today included)."""
    if reading.shift_days is not None:
        if reading.weekday is None:
            return today + timedelta(days=reading.shift_days)
        if not reading.shift_weeks:
            raise DateError("bad_date")  # "dinsdag over 3 dagen"
        monday = today - timedelta(days=today.weekday()) + timedelta(days=reading.shift_days)
        return monday + timedelta(days=reading.weekday)
    if reading.day is not None:
        day = reading.day if reading.year_given else _next_year_if_passed(reading.day, today)
        if reading.weekday is not None and day.weekday() != reading.weekday:
            raise DateError("weekday_mismatch", day=day.isoformat())
        return day
    assert reading.weekday is not None
    return today + timedelta(days=(reading.weekday - today.weekday()) % 7)


def parse(text: str, now: datetime) -> When:
    """Parse a Dutch date with an optional time; refuse dates in the past.

    ``now`` comes from the bot's clock.
    """
    words = text.lower().replace(",", " ").split()
    if not words:
        raise DateError("bad_date")
    today = now.astimezone(TIMEZONE).date()
    reading = _read(words, today)
    day = _day(reading, today)
    at = _parse_time(" ".join(reading.rest)) if reading.rest else None
    bare_weekday = reading.weekday is not None and reading.day is None and reading.shift_days is None
    if bare_weekday and day == today and at is not None and When(day, at).moment() <= now:
        day += timedelta(days=7)  # "vrijdag 14:00" on a Friday afternoon: next Friday
    if day < today:
        raise DateError("past")
    when = When(day, at)
    if at is not None and when.moment() <= now:
        raise DateError("past")
    return when
