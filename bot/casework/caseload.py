"""A klantmanager's caseload at a glance: one statement for all their clients.

``/clients`` shows, per client, the step, language, last activity and three
counts (open questions, critical items not understood, "I cannot come"
answers that still stand). Asked client by client that was about ten
statements each (over a thousand for a caseload of 100); here the counts are
correlated subqueries, each answered from an index on ``user_id``, and the
caseload comes in name order from the index on ``clients(klantmanager_id, name)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from bot.reminders import appointments
from bot.casework import questions

_LINES = """
SELECT c.user_id, c.name, u.lang, u.step, u.last_active_at,
    (SELECT count(*) FROM questions q WHERE q.user_id = c.user_id AND q.status = :open) AS open_questions,
    (SELECT count(*) FROM not_understood n WHERE n.user_id = c.user_id AND n.resolved_at IS NULL) AS unclear,
    (SELECT count(*) FROM cannot_come cc JOIN appointments a ON a.id = cc.appointment_id
        WHERE cc.user_id = c.user_id AND a.status = :planned AND a.answer = :not_coming) AS cannot_come
FROM clients c LEFT JOIN users u ON u.id = c.user_id
"""
OF_KLANTMANAGER = _LINES + "WHERE c.klantmanager_id = :klantmanager ORDER BY c.name"
OF_CLIENT = _LINES + "WHERE c.user_id = :client"


@dataclass(frozen=True)
class ClientLine:
    user_id: int
    name: str
    lang: str | None
    step: str | None
    last_active_at: str | None
    open_questions: int
    unclear: int
    cannot_come: int


def _values(**where: int) -> dict[str, object]:
    return {"open": questions.OPEN, "planned": appointments.PLANNED, "not_coming": appointments.NOT_COMING, **where}


def lines(db: sqlite_utils.Database, klantmanager_id: int) -> list[ClientLine]:
    """The clients of one klantmanager, by name."""
    return [ClientLine(*row) for row in db.execute(OF_KLANTMANAGER, _values(klantmanager=klantmanager_id))]


def line(db: sqlite_utils.Database, user_id: int) -> ClientLine | None:
    row = db.execute(OF_CLIENT, _values(client=user_id)).fetchone()
    return ClientLine(*row) if row else None
