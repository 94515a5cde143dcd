"""When scheduled messages go out: lead times, quiet hours, repetition.

The rules are path data, read from ``content/journey.yaml`` (sections
``appointments``, ``quiet_hours`` and ``repetition``); a gemeente whose file
leaves a value out gets the default below.

A duration is written ``<number><unit>``: ``d`` days, ``h`` hours, ``m``
minutes. Days count on the Amsterdam calendar, so "1 day before 09:00" is
09:00 the day before, also across a change of the clocks; hours and minutes
are real time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from typing import Any

from bot.core.config import TIMEZONE
from bot.texts.journey import Journey, JourneyError, parsed_per_journey

DEFAULT_LEAD_TIMES = ("7d", "1d", "2h")
DEFAULT_QUIET_HOURS = {"from": "21:00", "until": "08:00"}
DEFAULT_CRITICAL_REPEATS = ("1d", "3d", "7d")
DEFAULT_NOT_UNDERSTOOD_AFTER = "1d"
DEFAULT_GOOD_TO_KNOW_EVERY = "1d"
DEFAULT_GOOD_TO_KNOW_ROUNDS = 2
DEFAULT_PAUSE = "7d"
DEFAULT_APPOINTMENT_KINDS = (
    "welkomstbijeenkomst",
    "intake_opstartklas",
    "rechtmatigheidsgesprek",
    "tov",
    "taalschool_intake",
    "gesprek_klantmanager",
    "other",
)

UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_DURATION = re.compile(r"(\d+)\s*([dhm])")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Duration:
    text: str
    amount: int
    unit: str

    @classmethod
    def parse(cls, value: Any, where: str) -> Duration:
        match = _DURATION.fullmatch(str(value).strip())
        if not match:
            raise JourneyError(f"{where}: {value!r} is not a duration such as 7d, 2h or 30m")
        return cls(text=f"{match[1]}{match[2]}", amount=int(match[1]), unit=match[2])

    @cached_property
    def delta(self) -> timedelta:
        """The length as real time (a calendar day counted as 24 hours)."""
        return timedelta(**{UNITS[self.unit]: self.amount})

    def _shift(self, moment: datetime, sign: int) -> datetime:
        if self.unit == "d":
            local = moment.astimezone(TIMEZONE).replace(tzinfo=None) + sign * self.delta
            return local.replace(tzinfo=TIMEZONE).astimezone(UTC)
        return (moment + sign * self.delta).astimezone(UTC)

    def before(self, moment: datetime) -> datetime:
        return self._shift(moment, -1)

    def after(self, moment: datetime) -> datetime:
        return self._shift(moment, 1)


@dataclass(frozen=True)
class QuietHours:
    """A nightly period, local time, in which nothing but urgent reminders is sent."""

    start: time
    end: time

    def _end_on(self, day: Any) -> datetime:
        return datetime.combine(day, self.end, TIMEZONE).astimezone(UTC)

    def contains(self, moment: datetime) -> bool:
        now = moment.astimezone(TIMEZONE).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def next_end(self, moment: datetime) -> datetime:
        """The end of the quiet period that contains ``moment``, or else of the next one."""
        local = moment.astimezone(TIMEZONE)
        if local.time() < self.end:
            return self._end_on(local.date())
        return self._end_on(local.date() + timedelta(days=1))

    def place(self, due: datetime, deadline: datetime | None = None) -> tuple[datetime, bool]:
        """When a message due at ``due`` may go, and whether quiet hours hold it back.

        A message due in quiet hours moves to their end, unless ``deadline``
        (an appointment) comes before that end: then it goes as planned, and
        later too if it is late, even at night.
        """
        end = self.next_end(due)
        urgent = deadline is not None and deadline <= end
        if self.contains(due) and not urgent:
            return end, True
        return due, not urgent


@dataclass(frozen=True)
class Timing:
    appointment_kinds: tuple[str, ...]
    lead_times: tuple[Duration, ...]
    lead_times_by_kind: dict[str, tuple[Duration, ...]]
    quiet: QuietHours
    critical_repeats: tuple[Duration, ...]
    not_understood_after: Duration
    good_to_know_every: Duration
    good_to_know_rounds: int
    pause: Duration

    def leads(self, kind: str) -> tuple[Duration, ...]:
        return self.lead_times_by_kind.get(kind, self.lead_times)


def _section(settings: dict[str, Any], name: str) -> dict[str, Any]:
    value = settings.get(name) or {}
    if not isinstance(value, dict):
        raise JourneyError(f"{name}: must be a block of 'key: value' lines")
    return value


def _durations(value: Any, where: str) -> tuple[Duration, ...]:
    if not isinstance(value, list | tuple):
        raise JourneyError(f"{where}: must be a list such as [7d, 1d, 2h]")
    return tuple(Duration.parse(v, where) for v in value)


def _clock(value: Any, where: str) -> time:
    match = _CLOCK.fullmatch(str(value).strip())
    if not match:
        raise JourneyError(f'{where}: {value!r} is not a time such as "21:00" (write it in quotes)')
    return time(int(match[1]), int(match[2]))


def _parse_timing(journey: Journey) -> Timing:
    """The timing rules of this path; a bad value raises JourneyError("<section.key>: what is wrong")."""
    appointments = _section(journey.settings, "appointments")
    quiet = {**DEFAULT_QUIET_HOURS, **_section(journey.settings, "quiet_hours")}
    repetition = _section(journey.settings, "repetition")
    kinds: list[str] = []
    by_kind: dict[str, tuple[Duration, ...]] = {}
    for entry in appointments.get("kinds") or [{"id": k} for k in DEFAULT_APPOINTMENT_KINDS]:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise JourneyError("appointments.kinds: each kind needs an id")
        kinds.append(str(entry["id"]))
        if "reminders" in entry:
            by_kind[kinds[-1]] = _durations(entry["reminders"], f"appointments.kinds.{kinds[-1]}.reminders")
    rounds = repetition.get("good_to_know_rounds", DEFAULT_GOOD_TO_KNOW_ROUNDS)
    if not isinstance(rounds, int) or rounds < 0:
        raise JourneyError("repetition.good_to_know_rounds: must be a whole number, 0 or more")
    return Timing(
        appointment_kinds=tuple(kinds),
        lead_times=_durations(appointments.get("reminders", list(DEFAULT_LEAD_TIMES)), "appointments.reminders"),
        lead_times_by_kind=by_kind,
        quiet=QuietHours(_clock(quiet["from"], "quiet_hours.from"), _clock(quiet["until"], "quiet_hours.until")),
        critical_repeats=_durations(
            repetition.get("critical", list(DEFAULT_CRITICAL_REPEATS)), "repetition.critical"
        ),
        not_understood_after=Duration.parse(
            repetition.get("not_understood_after", DEFAULT_NOT_UNDERSTOOD_AFTER), "repetition.not_understood_after"
        ),
        good_to_know_every=Duration.parse(
            repetition.get("good_to_know_every", DEFAULT_GOOD_TO_KNOW_EVERY), "repetition.good_to_know_every"
        ),
        good_to_know_rounds=rounds,
        pause=Duration.parse(repetition.get("pause", DEFAULT_PAUSE), "repetition.pause"),
    )


load_timing = parsed_per_journey(_parse_timing)
