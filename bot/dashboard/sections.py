"""The sections of the admin (team lead) overview: what each table counts and how.

Each section is a function of a ``View`` that returns its tables. The
numbers come from the counters kept by triggers (``bot/dashboard/counters.py``)
and from ranges of indexes (``bot/dashboard/schema.py``), never from reading
every person: ``bench/dashboard.py`` times them on 100,000 people.

No name and no Telegram id leaves this module: people are counted, and
klantmanagers are numbered (1, 2, ... in the order they were added).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import sqlite_utils
from babel import Locale

from bot.casework import handoff
from bot.core.clock import iso, parse_iso
from bot.core.config import TIMEZONE
from bot.dashboard import charts, counters
from bot.dashboard.tables import (
    NOT_SHOWN,
    SUPPRESSED,
    Cell,
    Link,
    Table,
    chart_value,
    is_hidden,
    percent,
    shown,
    total_shown,
)
from bot.delivery import outbox, outbox_counts
from bot.editors.status import content_status
from bot.reminders import appointments, repetition
from bot.texts.render import Renderer

ANSWER_WEEKS = 12
"""Answer times are measured over the questions answered in these last weeks."""
FAILURE_DAYS = 30
MOST_ERRORS = 20
_LONG_NUMBER = re.compile(r"\d{5,}")
"""Telegram ids (and other long numbers) in an error text; taken out before it is shown."""


@dataclass(frozen=True)
class View:
    """What every section reads: the database, the Dutch texts, and the moment shown."""

    db: sqlite_utils.Database
    renderer: Renderer
    now: datetime

    def text(self, key: str, **values: object) -> str:
        return self.renderer.button(self.renderer.journey.source_language, f"dashboard.admin.{key}", **values)

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.renderer.journey.languages)

    def language_name(self, lang: str) -> str:
        return Locale.parse("nl").languages.get(lang, lang) if lang else self.text("unknown")

    def days_ago(self, days: int) -> str:
        return iso(self.now - timedelta(days=days))


def _hours(seconds: float) -> str:
    """Hours with one decimal, written the Dutch way (``5,5``)."""
    return f"{seconds / 3600:.1f}".replace(".", ",")


def _nearest_rank(values: Sequence[float], share: float) -> float:
    """The value below which ``share`` of the sorted ``values`` lie (nearest rank)."""
    return values[max(0, math.ceil(share * len(values)) - 1)]


def _answer_times(values: Iterable[float]) -> tuple[int | str, str, str]:
    """Count, p50 and p90 (hours) as shown: no times when the count is hidden."""
    ordered = sorted(values)
    if is_hidden(len(ordered)):
        return SUPPRESSED, NOT_SHOWN, NOT_SHOWN
    return len(ordered), _hours(_nearest_rank(ordered, 0.5)), _hours(_nearest_rank(ordered, 0.9))


# The path -------------------------------------------------------------------------------------


def path(view: View) -> list[Table]:
    """People per step and language (a funnel over the steps), and who is new and active."""
    per_cell: dict[tuple[str, str], int] = defaultdict(int)
    for step, lang, _active, n in counters.PEOPLE.rows(view.db):
        per_cell[step, lang] += n
    langs = list(view.languages) + sorted({lang for _, lang in per_cell} - set(view.languages))
    steps = [step.id for step in view.renderer.journey.steps]
    steps += sorted({step for step, _ in per_cell} - set(steps))
    rows: list[list[Cell]] = []
    for step in steps:
        counts = [per_cell.get((step, lang), 0) for lang in langs]
        label = step or view.text("path.no_step")
        rows.append([label, *(shown(n) for n in counts), total_shown(counts)])
    columns_total = [sum(per_cell.get((step, lang), 0) for step in steps) for lang in langs]
    rows.append([view.text("total"), *(total_shown(per_cell.get((s, lang), 0) for s in steps) for lang in langs),
                 total_shown(columns_total)])
    chart = charts.funnel(
        view.text("path.chart_title"),
        view.text("path.chart_desc"),
        [row[0] for row in rows[:-1]],
        [chart_value(row[-1]) for row in rows[:-1]],
    )
    table = Table(
        key="path",
        title=view.text("path.title"),
        columns=[view.text("path.step"), *(view.language_name(lang) for lang in langs), view.text("total")],
        rows=rows,
        chart_svg=chart,
        note=view.text("path.note"),
    )
    return [table, _activity(view, langs)]


_SINCE = {
    "created": "SELECT lang, count(*) FROM users WHERE privacy_accepted_at IS NOT NULL AND created_at >= ? GROUP BY lang",
    "active": "SELECT lang, count(*) FROM users WHERE privacy_accepted_at IS NOT NULL AND last_active_at >= ? GROUP BY lang",
}


def _activity(view: View, langs: list[str]) -> Table:
    columns: list[dict[str, int]] = []
    for what in ("created", "active"):
        for days in (7, 30):
            columns.append({lang or "": n for lang, n in view.db.execute(_SINCE[what], [view.days_ago(days)])})
    rows: list[list[Cell]] = [
        [view.language_name(lang), *(shown(column.get(lang, 0)) for column in columns)] for lang in langs
    ]
    rows.append([view.text("all_languages"), *(total_shown(column.get(lang, 0) for lang in langs) for column in columns)])
    return Table(
        key="activity",
        title=view.text("activity.title"),
        columns=[view.text("language"), view.text("activity.new_7"), view.text("activity.new_30"),
                 view.text("activity.active_7"), view.text("activity.active_30")],
        rows=rows,
        note=view.text("activity.note"),
    )


# Understanding --------------------------------------------------------------------------------


@dataclass
class _Understanding:
    sent: int = 0
    confirmed: int = 0
    unclear: int = 0
    escalated: int = 0

    def add(self, status: str, sent: int, unclear: int, n: int) -> None:
        self.sent += n if sent else 0
        self.confirmed += n if status == repetition.UNDERSTOOD else 0
        self.escalated += n if status == repetition.NOT_UNDERSTOOD else 0
        self.unclear += n if unclear else 0

    @property
    def share(self) -> float:
        return self.escalated / self.sent if self.sent else 0.0


def understanding(view: View) -> list[Table]:
    """Per critical item and language: sent, confirmed, "not clear", not understood after the last repeat."""
    per_item: dict[tuple[str, str], _Understanding] = defaultdict(_Understanding)
    per_lang: dict[str, _Understanding] = defaultdict(_Understanding)
    for item_id, lang, status, sent, unclear, n in counters.CHECKS.rows(view.db):
        per_item[item_id, lang].add(status, sent, unclear, n)
        per_lang[lang].add(status, sent, unclear, n)
    ordered = sorted(per_item.items(), key=lambda entry: (-entry[1].share, -entry[1].unclear, entry[0]))
    rows: list[list[Cell]] = []
    for (item_id, lang), c in ordered:
        title = view.renderer.title(lang if lang in view.languages else view.renderer.journey.source_language, item_id)
        rows.append([
            Link(title, f"/content/{lang}/{item_id}") if lang else title,
            view.language_name(lang),
            shown(c.sent), shown(c.confirmed), shown(c.unclear), shown(c.escalated),
            percent(c.escalated, c.sent),
        ])
    langs = [lang for lang in view.languages if lang in per_lang]
    shares = [per_lang[lang] for lang in langs]
    chart = charts.bars(
        view.text("understanding.chart_title"),
        view.text("understanding.chart_desc"),
        [view.language_name(lang) for lang in langs],
        [None if is_hidden(c.escalated) or is_hidden(c.sent) else round(100 * c.share, 1) for c in shares],
        unit="%",
    )
    return [Table(
        key="understanding",
        title=view.text("understanding.title"),
        columns=[view.text("understanding.item"), view.text("language"), view.text("understanding.sent"),
                 view.text("understanding.confirmed"), view.text("understanding.unclear"),
                 view.text("understanding.escalated"), view.text("understanding.share")],
        rows=rows,
        chart_svg=chart,
        note=view.text("understanding.note"),
    )]


# Appointments ---------------------------------------------------------------------------------


def appointments_section(view: View) -> list[Table]:
    """Per kind of appointment: planned, reminders sent, "I will come", "I cannot come"."""
    planned: dict[str, int] = defaultdict(int)
    answers: dict[tuple[str, str], int] = defaultdict(int)
    for kind, status, answer, n in counters.APPOINTMENTS.rows(view.db):
        if status == appointments.PLANNED:
            planned[kind] += n
            answers[kind, answer] += n
    sent = counters.reminders_sent(view.db)
    kinds = sorted(set(planned) | set(sent))
    figures = [
        (planned[kind], sent.get(kind, 0), answers[kind, appointments.COMING], answers[kind, appointments.NOT_COMING])
        for kind in kinds
    ]
    rows: list[list[Cell]] = [[kind, *(shown(n) for n in counts)] for kind, counts in zip(kinds, figures, strict=True)]
    rows.append([view.text("all_kinds"), *(total_shown(counts[i] for counts in figures) for i in range(4))])
    return [Table(
        key="appointments",
        title=view.text("appointments.title"),
        columns=[view.text("appointments.kind"), view.text("appointments.planned"), view.text("appointments.reminders"),
                 view.text("appointments.coming"), view.text("appointments.not_coming")],
        rows=rows,
        note=view.text("appointments.note"),
    )]


# Questions ------------------------------------------------------------------------------------

_OPEN = """SELECT klantmanager_id, count(*), min(created_at), sum(answer_due_at < :now) FROM questions
WHERE status = :open GROUP BY klantmanager_id"""
_ANSWERED = """SELECT klantmanager_id, unixepoch(answered_at) - unixepoch(created_at), answered_at > answer_due_at,
(unixepoch(answered_at) + :shift) / 604800 FROM questions WHERE answered_at >= :since"""
"""Per question answered since: klantmanager, seconds to the first answer, whether late, and its week
(counted from the Monday before 1 January 1970; ``shift``: 3 days and the local offset). Plain
arithmetic in SQLite: parsing each date in Python took longer than the query."""
_EPOCH_MONDAY = date(1969, 12, 29)


def questions_section(view: View) -> list[Table]:
    """Open questions and answer times per klantmanager (numbered, not named) and overall; weeks as a chart."""
    now = iso(view.now)
    open_per_km = {row[0]: row[1:] for row in view.db.execute(_OPEN, {"now": now, "open": "open"})}
    since = view.now - timedelta(weeks=ANSWER_WEEKS)
    times: dict[int, list[float]] = defaultdict(list)
    late: dict[int, int] = defaultdict(int)
    per_week: dict[int, list[float]] = defaultdict(list)
    shift = 3 * 86400 + int(view.now.astimezone(TIMEZONE).utcoffset().total_seconds())
    for km, seconds, answered_late, week in view.db.execute(_ANSWERED, {"since": iso(since), "shift": shift}):
        times[km].append(seconds)
        late[km] += answered_late
        per_week[week].append(seconds)
    numbers = _klantmanager_numbers(view.db)
    kms = sorted(set(open_per_km) | set(times), key=lambda km: (numbers.get(km, math.inf), km))

    def row(label: str, open_count: int, oldest: str | None, overdue: int, answer_times: list[float], answered_late: int) -> list[Cell]:
        age = NOT_SHOWN
        if oldest is not None and not is_hidden(open_count):
            age = (view.now - parse_iso(oldest)).days
        return [label, shown(open_count), age, *_answer_times(answer_times), shown(overdue + answered_late)]

    label = view.text("questions.klantmanager_label", number=_NUMBER)  # one render for a thousand rows
    rows = [
        row(label.replace(_NUMBER, str(numbers.get(km, "?"))),
            *(open_per_km.get(km) or (0, None, 0)), times.get(km, []), late.get(km, 0))
        for km in kms
    ]
    all_open = [value for value in open_per_km.values()]
    oldest = min((o[1] for o in all_open), default=None)
    rows.insert(0, row(
        view.text("questions.all"), sum(o[0] for o in all_open), oldest, sum(o[2] for o in all_open),
        [t for ts in times.values() for t in ts], sum(late.values()),
    ))
    columns = [view.text("questions.klantmanager"), view.text("questions.open"), view.text("questions.oldest"),
               view.text("questions.answered", weeks=ANSWER_WEEKS), view.text("questions.p50"),
               view.text("questions.p90"), view.text("questions.late")]
    table = Table(key="questions", title=view.text("questions.title"), columns=columns, rows=rows,
                  note=view.text("questions.note", weeks=ANSWER_WEEKS, days=handoff.answer_days(view.renderer)))
    return [table, _weeks(view, per_week)]


_NUMBER = "\x00"


def _klantmanager_numbers(db: sqlite_utils.Database) -> dict[int, int]:
    """Each klantmanager's number on the overview: 1, 2, ... in the order they were added."""
    ids = db.execute("SELECT id FROM staff WHERE is_klantmanager = 1 ORDER BY created_at, id")
    return {km: number for number, (km,) in enumerate(ids, start=1)}


def _weeks(view: View, per_week: dict[int, list[float]]) -> Table:
    today = view.now.astimezone(TIMEZONE).date()
    mondays = [today - timedelta(days=today.weekday(), weeks=back) for back in range(ANSWER_WEEKS, -1, -1)]
    weeks = [view.text("weeks.label", number=monday.isocalendar().week, monday=monday) for monday in mondays]
    rows: list[list[Cell]] = [
        [week, *_answer_times(per_week.get((monday - _EPOCH_MONDAY).days // 7, []))]
        for week, monday in zip(weeks, mondays, strict=True)
    ]

    def hours(cell: Cell) -> float | None:
        return float(cell.replace(",", ".")) if isinstance(cell, str) and cell != NOT_SHOWN else None

    chart = charts.lines(
        view.text("weeks.chart_title"),
        view.text("weeks.chart_desc"),
        weeks,
        {view.text("questions.p50"): [hours(r[2]) for r in rows], view.text("questions.p90"): [hours(r[3]) for r in rows]},
    )
    return Table(
        key="answer_weeks",
        title=view.text("weeks.title"),
        columns=[view.text("weeks.week"), view.text("weeks.answered"), view.text("questions.p50"), view.text("questions.p90")],
        rows=rows,
        chart_svg=chart,
        note=view.text("weeks.note"),
    )


# Delivery -------------------------------------------------------------------------------------

_FAILURES = "SELECT last_error FROM outbox WHERE status = ? AND due_at >= ?"


def delivery(view: View) -> list[Table]:
    """Outbox rows by status, people who blocked the bot, and the errors of recent failures."""
    by_status: dict[str, int] = defaultdict(int)
    for statuses in outbox_counts.counts(view.db).values():
        for status, n in statuses.items():
            by_status[status] += n
    blocked = sum(n for _step, _lang, active, n in counters.PEOPLE.rows(view.db) if not active)
    rows: list[list[Cell]] = [
        [view.text(f"delivery.status.{status}"), shown(by_status.get(status, 0))] for status in outbox.STATUSES
    ]
    rows.append([view.text("delivery.blocked"), shown(blocked)])
    errors: dict[str, int] = defaultdict(int)
    for (error,) in view.db.execute(_FAILURES, [outbox.FAILED, view.days_ago(FAILURE_DAYS)]):
        errors[_LONG_NUMBER.sub("…", error or "")] += 1
    common = sorted(errors.items(), key=lambda entry: (-entry[1], entry[0]))[:MOST_ERRORS]
    return [
        Table(key="delivery", title=view.text("delivery.title"),
              columns=[view.text("delivery.what"), view.text("count")], rows=rows, note=view.text("delivery.note")),
        Table(key="failures", title=view.text("failures.title", days=FAILURE_DAYS),
              columns=[view.text("failures.error"), view.text("count")],
              rows=[[error or view.text("unknown"), shown(n)] for error, n in common],
              note=view.text("failures.note", most=MOST_ERRORS)),
    ]


# Content --------------------------------------------------------------------------------------


def content(view: View) -> list[Table]:
    """How far each language is (``wegwijs content status``): counts of texts, not of people, so exact."""
    rows: list[list[Cell]] = [
        [view.language_name(s.lang), s.total, s.complete, s.missing, s.stale, s.draft, s.reviewed, s.ui_missing]
        for s in content_status(view.renderer.content)
    ]
    columns = [view.text("language"), *(view.text(f"content.{c}") for c in
               ("total", "complete", "missing", "stale", "draft", "reviewed", "ui_missing"))]
    return [Table(key="content", title=view.text("content.title"), columns=columns, rows=rows,
                  note=view.text("content.note"))]


SECTIONS: dict[str, Callable[[View], list[Table]]] = {
    "path": path,
    "understanding": understanding,
    "appointments": appointments_section,
    "questions": questions_section,
    "delivery": delivery,
    "content": content,
}
"""Every section of the overview, in the order shown."""
