"""What a klantmanager's dashboard shows: their caseload (and a colleague's while substituting).

The counts per client come from the same statement as ``/clients``
(``bot/casework/caseload.py``); the oldest open question per client from the
indexed ``/open`` query, and the next appointments from one statement over
the caseload. A client's own page adds the lists behind the counts.
All texts are the team's Dutch (``dashboard.*`` and ``km.*`` ui keys).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from bot.casework import caseload, questions
from bot.casework.staff import Staff
from bot.casework.staff_text import language_name, plural
from bot.core.clock import iso, parse_iso
from bot.reminders import appointments, repetition
from bot.texts.render import Renderer

UPCOMING = """
SELECT a.user_id, a.kind, a.starts_at, a.place FROM appointments a JOIN clients c ON c.user_id = a.user_id
WHERE c.klantmanager_id = ? AND a.status = ? AND a.starts_at > ? ORDER BY a.starts_at
"""
"""The planned appointments still ahead of one klantmanager's clients, earliest first."""

OPEN_OF_CLIENT = """
SELECT coalesce(q.waiting_since, q.created_at), q.waiting_since,
    (SELECT coalesce(t.text, t.kind) FROM thread_messages t WHERE t.question_id = q.id AND t.direction = ?
     ORDER BY t.id DESC LIMIT 1)
FROM questions q WHERE q.user_id = ? AND q.status = ?
ORDER BY q.waiting_since IS NULL, coalesce(q.waiting_since, q.created_at)
"""
"""One client's open questions: those waiting for an answer first, longest wait first, then those
answered but not closed; each with its age and the client's newest message (as ``/open`` shows)."""


@dataclass(frozen=True)
class Appointment:
    kind: str
    when: str
    place: str


@dataclass(frozen=True)
class OpenQuestion:
    age: str
    text: str


@dataclass(frozen=True)
class ClientRow:
    """One client as the caseload table shows it (plain text; the template escapes)."""

    user_id: int
    name: str
    step: str
    language: str
    last_active: str
    open_questions: int
    oldest_question: str | None
    unclear: int
    cannot_come: int
    next_appointment: Appointment | None


@dataclass(frozen=True)
class Caseload:
    owner: Staff
    clients: list[ClientRow]


@dataclass(frozen=True)
class ClientDetail:
    row: ClientRow
    questions: list[OpenQuestion]
    unclear: list[str]
    cannot_come: list[str]
    appointments: list[Appointment]


class _Texts:
    """Dutch labels for the values, from the renderer of the moment (one page: a step or a
    language is named once, however many clients share it)."""

    def __init__(self, renderer: Renderer, now: datetime) -> None:
        self.r = renderer
        self.lang = renderer.journey.source_language
        self.now = now
        self.step = functools.cache(self._step)
        self.language = functools.cache(self._language)

    def _step(self, step_id: str | None) -> str:
        step = self.r.journey.step(step_id) if step_id else None
        if step is None:
            return self.r.button(self.lang, "km.no_step")
        return f"{step.number}. {self.r.title(self.lang, step.overview)}"

    def _language(self, code: str | None) -> str:
        return language_name(self.r, self.lang, code) if code else "–"

    def last_active(self, moment: str | None) -> str:
        if not moment:
            return self.r.button(self.lang, "km.never")
        return self.r.button(self.lang, "km.last_active", when=moment)

    def age(self, created_at: str) -> str:
        age = self.now - parse_iso(created_at)
        hours = max(0, int(age / timedelta(hours=1)))
        if hours < 48:
            return plural(self.r, self.lang, "km.age_hours", hours)
        return plural(self.r, self.lang, "km.age_days", hours // 24)

    def appointment(self, kind: str, starts_at: str, place: str | None) -> Appointment:
        return Appointment(
            kind=self.r.button(self.lang, f"appointment.kind.{kind}"),
            when=self.r.button(self.lang, "dashboard.moment", when=starts_at),
            place=place or "–",
        )


def _row(t: _Texts, line: caseload.ClientLine, oldest: str | None, next_one: Appointment | None) -> ClientRow:
    return ClientRow(
        user_id=line.user_id,
        name=line.name or str(line.user_id),
        step=t.step(line.step),
        language=t.language(line.lang),
        last_active=t.last_active(line.last_active_at),
        open_questions=line.open_questions,
        oldest_question=t.age(oldest) if oldest else None,
        unclear=line.unclear,
        cannot_come=line.cannot_come,
        next_appointment=next_one,
    )


def caseloads(
    db: sqlite_utils.Database, renderer: Renderer, owners: list[Staff], now: datetime
) -> list[Caseload]:
    """Each owner's clients by name: the klantmanager's own first, then those they stand in for."""
    t = _Texts(renderer, now)
    oldest: dict[int, str] = {}  # per client, the longest wait for an answer (answered questions wait for nothing)
    for open_question in questions.open_questions(db, [owner.id for owner in owners]):
        question = open_question.question
        if question.waiting_since:
            oldest[question.user_id] = min(oldest.get(question.user_id, question.waiting_since), question.waiting_since)
    result = []
    for owner in owners:
        upcoming: dict[int, tuple[str, str, str | None]] = {}
        for user_id, kind, starts_at, place in db.execute(UPCOMING, [owner.id, appointments.PLANNED, iso(now)]):
            upcoming.setdefault(user_id, (kind, starts_at, place))  # earliest first: the next one
        rows = [
            _row(t, line, oldest.get(line.user_id), t.appointment(*upcoming[line.user_id]) if line.user_id in upcoming else None)
            for line in caseload.lines(db, owner.id)
        ]
        result.append(Caseload(owner=owner, clients=rows))
    return result


def client_detail(db: sqlite_utils.Database, renderer: Renderer, user_id: int, now: datetime) -> ClientDetail | None:
    """Everything the caseload table counts, for one client (None: no such client)."""
    line = caseload.line(db, user_id)
    if line is None:
        return None
    t = _Texts(renderer, now)
    open_ones = db.execute(OPEN_OF_CLIENT, [questions.FROM_CLIENT, user_id, questions.OPEN]).fetchall()
    longest_wait = open_ones[0][1] if open_ones else None  # waiting ones come first, longest first
    ahead = [
        t.appointment(a.kind, iso(a.starts_at), a.place)
        for a in appointments.list_appointments(db, user_id=user_id, after=now, planned_only=True)
    ]
    cannot = [
        renderer.button(
            t.lang,
            "km.cannot_line",
            kind=renderer.button(t.lang, f"appointment.kind.{c.kind}"),
            when=c.starts_at,
            reason=c.reason or "–",
        )
        for c in appointments.cannot_come_answers(db, user_id)
    ]
    return ClientDetail(
        row=_row(t, line, longest_wait, ahead[0] if ahead else None),
        questions=[OpenQuestion(age=t.age(since), text=latest or "") for since, _, latest in open_ones],
        unclear=[renderer.title(t.lang, item_id) for item_id in repetition.not_understood(db, user_id)],
        cannot_come=cannot,
        appointments=ahead,
    )

