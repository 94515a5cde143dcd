"""Reading a date and time as a Dutch klantmanager types it.

Accepted: ``12-3``, ``12-3-2027``, ``12/3``, ``12 maart``, ``12 mrt 2027``,
``vandaag``, ``morgen``, ``overmorgen``; optionally followed by a time:
``14:00``, ``14.00``, ``9u``, ``9 uur``, ``om 14:30``. Month names come from
Babel's Dutch locale data (full and abbreviated), so nothing is hand-listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import get_month_names

from bot.config import TIMEZONE


class DateError(ValueError):
    """The text is no date, or no date in the future. ``reason`` is a ui key suffix."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class When:
    day: date
    at: time | None

    def moment(self) -> datetime:
        """The local moment in Amsterdam (DST-aware)."""
        if self.at is None:
            raise DateError("no_time")
        return datetime.combine(self.day, self.at, tzinfo=TIMEZONE)


def _month_lookup() -> dict[str, int]:
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale="nl").items():
                names[name.lower().rstrip(".")] = number
    return names


MONTHS = _month_lookup()
RELATIVE = {"vandaag": 0, "morgen": 1, "overmorgen": 2}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_TIME = re.compile(r"^(?:om\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(?:u|uur)?$")


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


def _split_date(words: list[str], today: date) -> tuple[date, list[str]]:
    first = words[0]
    if first in RELATIVE:
        return today + timedelta(days=RELATIVE[first]), words[1:]
    numeric = _NUMERIC.match(first)
    try:
        if numeric:
            day, month = int(numeric.group(1)), int(numeric.group(2))
            return date(_year(numeric.group(3), today), month, day), words[1:]
        if first.isdigit() and len(words) > 1 and words[1].rstrip(".") in MONTHS:
            month = MONTHS[words[1].rstrip(".")]
            rest = words[2:]
            year = None
            if rest and re.fullmatch(r"\d{4}", rest[0]):
                year, rest = rest[0], rest[1:]
            return date(_year(year, today), month, int(first)), rest
    except ValueError as exc:  # 31-2, 0-13 and the like
        raise DateError("bad_date") from exc
    raise DateError("bad_date")


def parse(text: str, now: datetime) -> When:
    """Parse a Dutch date with an optional time; refuse dates in the past."""
    words = text.lower().replace(",", " ").split()
    if not words:
        raise DateError("bad_date")
    today = now.astimezone(TIMEZONE).date()
    day, rest = _split_date(words, today)
    at = _parse_time(" ".join(rest)) if rest else None
    if day < today:
        raise DateError("past")
    when = When(day, at)
    if at is not None and when.moment() <= now:
        raise DateError("past")
    return when
