"""The sections of the admin (team lead) overview: what each table counts and how.

Each section is a function of a ``View`` that returns its tables. The
numbers come from the counters kept by triggers (``bot/dashboard/counters.py``)
and from ranges of indexes (made by ``_v12_dashboard`` in ``bot/core/db.py``), never from reading
every person: ``bench/dashboard.py`` times them on 100,000 people.

No name and no Telegram id leaves this module: people are counted, and
klantmanagers are numbered (1, 2, ... in the order they were added).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property

import sqlite_utils

from bot.casework import handoff
from bot.casework.staff_text import language_name
from bot.core.clock import iso, parse_iso
from bot.core.config import TIMEZONE
from bot.dashboard import answer_weeks, charts, counters
from bot.dashboard.tables import (
    NOT_SHOWN,
    SUPPRESSED,
    THRESHOLD,
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
"""The chart of answer times covers these last weeks (and this one)."""
KLANTMANAGER_WEEKS = 4
"""Answer times per klantmanager: over the questions answered in these last weeks (how it goes now)."""
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
        """As staff call it ("Farsi", not CLDR's "Perzisch"), the same name as in the bot and the caseload."""
        return language_name(self.renderer, self.renderer.journey.source_language, lang) if lang else self.text("unknown")

    def days_ago(self, days: int) -> str:
        return iso(self.now - timedelta(days=days))


def _hours(seconds: float) -> str:
    """Hours with one decimal, written the Dutch way (``5,5``)."""
    return f"{seconds / 3600:.1f}".replace(".", ",")


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
        label = _step_name(view, step)
        rows.append([label, *(shown(n) for n in counts), total_shown(counts)])
    every_cell = [per_cell.get((step, lang), 0) for step in steps for lang in langs]
    rows.append([view.text("total"), *(total_shown(per_cell.get((s, lang), 0) for s in steps) for lang in langs),
                 total_shown(every_cell)])
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


def _step_name(view: View, step_id: str) -> str:
    """The step's Dutch title (its overview item's); its id when the path no longer has it."""
    step = view.renderer.journey.step(step_id)
    if step is None:
        return step_id or view.text("path.no_step")
    return view.renderer.title(view.renderer.journey.source_language, step.overview)


_SINCE = {
    "created": "SELECT count(*) FROM users WHERE privacy_accepted_at IS NOT NULL AND lang IS ? AND created_at >= ?",
    "active": "SELECT count(*) FROM users WHERE privacy_accepted_at IS NOT NULL AND lang IS ? AND last_active_at >= ?",
}
"""One language at a time: a range of one index each, nothing to sort."""


def _activity(view: View, langs: list[str]) -> Table:
    columns: list[dict[str, int]] = []
    for what in ("created", "active"):
        for days in (7, 30):
            since = view.days_ago(days)
            columns.append({lang: view.db.execute(_SINCE[what], [lang or None, since]).fetchone()[0] for lang in langs})
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
    # A language's share over all items would give away an item's hidden count: no bar then.
    hiding = {lang for (_, lang), c in per_item.items() if 0 < c.sent < THRESHOLD or 0 < c.escalated < THRESHOLD}
    chart = charts.bars(
        view.text("understanding.chart_title"),
        view.text("understanding.chart_desc"),
        [view.language_name(lang) for lang in langs],
        [
            None if is_hidden(c.escalated) or is_hidden(c.sent) or lang in hiding else round(100 * c.share, 1)
            for lang, c in zip(langs, shares, strict=True)
        ],
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
    rows: list[list[Cell]] = [
        [_kind_name(view, kind), *(shown(n) for n in counts)] for kind, counts in zip(kinds, figures, strict=True)
    ]
    rows.append([view.text("all_kinds"), *(total_shown(counts[i] for counts in figures) for i in range(4))])
    return [Table(
        key="appointments",
        title=view.text("appointments.title"),
        columns=[view.text("appointments.kind"), view.text("appointments.planned"), view.text("appointments.reminders"),
                 view.text("appointments.coming"), view.text("appointments.not_coming")],
        rows=rows,
        note=view.text("appointments.note"),
    )]


def _kind_name(view: View, kind: str) -> str:
    """The kind's Dutch name (``appointment.kind.<id>``); its id when the path no longer has it."""
    source = view.renderer.journey.source_language
    known = f"appointment.kind.{kind}" in view.renderer.content.ui.get(source, {})
    return view.renderer.button(source, f"appointment.kind.{kind}") if known else kind


# Questions ------------------------------------------------------------------------------------

_OPEN = """SELECT klantmanager_id, count(*), min(waiting_since), sum(waiting_due_at < :now) FROM questions
WHERE status = :open AND waiting_since IS NOT NULL GROUP BY klantmanager_id"""
"""Questions waiting for an answer (a new one, or a follow-up after an answer), per klantmanager, with
the longest wait; answered ones whose newest message is the answer wait for nothing."""
_ANSWERED = """SELECT klantmanager_id, answer_seconds, answered_at > answer_due_at FROM questions
WHERE answered_at >= :since AND answered_at < :until"""
"""Questions first answered in a time range: klantmanager, seconds waited, whether later than promised.
Only integers leave SQLite (``answer_seconds`` is kept when the answer comes), from one range of an index."""


def _nearest_rank(ordered: list[int], share: float) -> int:
    """The value at rank ceil(share × n) of the sorted values."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class _Answered:
    count: int = 0
    late: int = 0
    p50: float = 0.0
    p90: float = 0.0

    @classmethod
    def of(cls, waited: list[int], late: int = 0) -> _Answered:
        if not waited:
            return cls()
        waited.sort()
        return cls(len(waited), late, _nearest_rank(waited, 0.5), _nearest_rank(waited, 0.9))

    def cells(self) -> list[Cell]:
        """Count, p50 and p90 (hours) as shown: no times when the count is hidden."""
        if is_hidden(self.count):
            return [SUPPRESSED, NOT_SHOWN, NOT_SHOWN]
        return [self.count, _hours(self.p50), _hours(self.p90)]


def questions_section(view: View) -> list[Table]:
    """Questions waiting and answer times per klantmanager (numbered, not named) and overall; weeks as a chart."""
    open_per_km = {row[0]: row[1:] for row in view.db.execute(_OPEN, {"now": iso(view.now), "open": "open"})}
    since = iso(view.now - timedelta(weeks=KLANTMANAGER_WEEKS))
    waited: dict[int, list[int]] = defaultdict(list)
    late: dict[int, int] = defaultdict(int)
    for km, seconds, answered_late in view.db.execute(_ANSWERED, {"since": since, "until": iso(view.now)}):
        waited[km].append(seconds)
        late[km] += answered_late
    answered = {km: _Answered.of(waited[km], late[km]) for km in waited}
    numbers = _klantmanager_numbers(view.db)
    kms = sorted(set(open_per_km) | set(answered), key=lambda km: (numbers.get(km, math.inf), km))

    def row(label: str, waiting: tuple[int, str | None, int], done: _Answered) -> list[Cell]:
        count, oldest, overdue = waiting
        age = (view.now - parse_iso(oldest)).days if oldest is not None and not is_hidden(count) else NOT_SHOWN
        return [label, shown(count), age, *done.cells(), shown(overdue + done.late)]

    def parts(column: Callable[[int], int]) -> list[int]:
        return [column(km) for km in kms]

    label = view.text("questions.klantmanager_label", number=_NUMBER)  # one render for a thousand rows
    nobody_waits = (0, None, 0)
    rows = [
        row(label.replace(_NUMBER, str(numbers.get(km, "?"))), open_per_km.get(km, nobody_waits), answered.get(km, _Answered()))
        for km in kms
    ]
    waiting = list(open_per_km.values())
    everyone = (sum(w[0] for w in waiting), min((w[1] for w in waiting), default=None), sum(w[2] for w in waiting))
    overall = _Answered.of([seconds for values in waited.values() for seconds in values], sum(late.values()))
    first = row(view.text("questions.all"), everyone, overall)
    # The counts of all klantmanagers as a total of theirs: rounded when one of theirs is hidden.
    first[1] = total_shown(parts(lambda km: open_per_km.get(km, nobody_waits)[0]))
    first[3] = total_shown(parts(lambda km: answered.get(km, _Answered()).count))
    first[6] = total_shown(parts(lambda km: open_per_km.get(km, nobody_waits)[2] + answered.get(km, _Answered()).late))
    rows.insert(0, first)
    columns = [view.text("questions.klantmanager"), view.text("questions.open"), view.text("questions.oldest"),
               view.text("questions.answered", weeks=KLANTMANAGER_WEEKS), view.text("questions.p50"),
               view.text("questions.p90"), view.text("questions.late")]
    table = Table(key="questions", title=view.text("questions.title"), columns=columns, rows=rows,
                  note=view.text("questions.note", weeks=KLANTMANAGER_WEEKS, days=handoff.answer_days(view.renderer)))
    return [table, _weeks(view)]


_NUMBER = "\x00"


def _klantmanager_numbers(db: sqlite_utils.Database) -> dict[int, int]:
    """Each klantmanager's number on the overview: 1, 2, ... in the order they were added."""
    ids = db.execute("SELECT id FROM staff WHERE is_klantmanager = 1 ORDER BY created_at, id")
    return {km: number for number, (km,) in enumerate(ids, start=1)}


def _weeks(view: View) -> Table:
    """Answer times per week (local Monday to Monday), the last weeks up to this one (finished ones kept:
    ``bot/dashboard/answer_weeks.py``)."""
    today = view.now.astimezone(TIMEZONE).date()
    mondays = [today - timedelta(days=today.weekday(), weeks=back) for back in range(ANSWER_WEEKS, -1, -1)]
    rows: list[list[Cell]] = []
    for monday in mondays:
        start = datetime.combine(monday, time(), TIMEZONE)
        until = start + timedelta(weeks=1)
        week = answer_weeks.week_figures(view.db, iso(start), iso(until), until <= view.now, _Answered.of)
        rows.append([view.text("weeks.label", number=monday.isocalendar().week, monday=monday), *week.cells()])

    def hours(cell: Cell) -> float | None:
        return float(cell.replace(",", ".")) if isinstance(cell, str) and cell != NOT_SHOWN else None

    chart = charts.lines(
        view.text("weeks.chart_title"),
        view.text("weeks.chart_desc"),
        [str(row[0]) for row in rows],
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

TABLES: dict[str, str] = {
    "path": "path", "activity": "path", "understanding": "understanding", "appointments": "appointments",
    "questions": "questions", "answer_weeks": "questions", "delivery": "delivery", "failures": "delivery",
    "content": "content",
}
"""Each table's key -> the section that makes it (one CSV needs only its own section)."""
