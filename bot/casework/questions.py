"""Questions between a statushouder and their klantmanager, as stored threads.

Every question and every answer is a row in ``thread_messages`` *before* it
is relayed, so nothing is lost when Telegram or the network fails; the relay
itself goes through the outbox, which retries.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from bot.core.clock import iso, parse_iso
from bot.core.config import TIMEZONE
from bot.core.db import rows_of

FROM_CLIENT, TO_CLIENT = "from_client", "to_client"
OPEN, DONE = "open", "done"

FIRST_FILE_CHANNEL = "telegram"
"""Where files came through before there were other channels (``file_channel`` NULL)."""


@dataclass(frozen=True)
class Question:
    id: int
    user_id: int
    klantmanager_id: int
    status: str
    topic: str | None
    created_at: str
    answer_due_at: str
    answered_at: str | None
    closed_at: str | None
    answer_seconds: int | None = None
    """From the question to its first answer (the admin overview's answer times, bot/dashboard/)."""
    waiting_since: str | None = None
    """The first client message after the newest answer; None: the newest message is an answer."""
    waiting_due_at: str | None = None
    """When an answer to the client's waiting message(s) is due; None when nothing waits."""

    def age(self, now: datetime) -> timedelta:
        """How long the client has waited for an answer; an answered question: since it was asked."""
        return now - parse_iso(self.waiting_since or self.created_at)


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    question_id: int
    user_id: int
    direction: str
    sender_id: int
    kind: str
    text: str | None
    file_id: str | None
    file_name: str | None
    created_at: str
    relay_chat_id: int | None
    relay_message_id: int | None
    relayed_at: str | None
    file_channel: str | None = None
    """The channel ``file_id`` belongs to; None: Telegram (files sent before there were other channels)."""


def working_days_later(moment: datetime, days: int) -> datetime:
    """The same local time ``days`` working days (Monday–Friday) later."""
    local = moment.astimezone(TIMEZONE)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local


def open_question(
    db: sqlite_utils.Database, user_id: int, klantmanager_id: int, now: datetime, answer_days: int, topic: str | None
) -> Question:
    due = iso(working_days_later(now, answer_days))
    with db.atomic():
        row_id = db["questions"].insert(
            {
                "user_id": user_id,
                "klantmanager_id": klantmanager_id,
                "status": OPEN,
                "topic": topic,
                "created_at": iso(now),
                "answer_due_at": due,
                "waiting_since": iso(now),
                "waiting_due_at": due,
            }
        ).last_pk
    return get_question(db, row_id)


def get_question(db: sqlite_utils.Database, question_id: int) -> Question | None:
    rows = list(db["questions"].rows_where("id = ?", [question_id]))
    return Question(**rows[0]) if rows else None


def add_message(
    db: sqlite_utils.Database,
    question: Question,
    direction: str,
    sender_id: int,
    kind: str,
    now: datetime,
    *,
    text: str | None = None,
    file_id: str | None = None,
    file_name: str | None = None,
    file_channel: str | None = None,
) -> ThreadMessage:
    with db.atomic():
        row_id = db["thread_messages"].insert(
            {
                "question_id": question.id,
                "user_id": question.user_id,
                "direction": direction,
                "sender_id": sender_id,
                "kind": kind,
                "text": text,
                "file_id": file_id,
                "file_name": file_name,
                "file_channel": file_channel,
                "created_at": iso(now),
            }
        ).last_pk
        if direction == TO_CLIENT:
            # The first answer is kept: the admin overview measures answer times to it.
            waited = int((now - parse_iso(question.created_at)).total_seconds())
            db.execute(
                "UPDATE questions SET answered_at = coalesce(answered_at, ?), answer_seconds = coalesce(answer_seconds, ?),"
                " waiting_since = NULL, waiting_due_at = NULL WHERE id = ?",
                [iso(now), waited, question.id],
            )
    return get_message(db, row_id)


def start_waiting(db: sqlite_utils.Database, question_id: int, now: datetime, answer_days: int) -> str | None:
    """A client's message after an answer: the question waits again, an answer due ``answer_days``
    working days later. Returns that due time, or None when the question was already waiting."""
    due = iso(working_days_later(now, answer_days))
    with db.atomic():
        changed = db.execute(
            "UPDATE questions SET waiting_since = ?, waiting_due_at = ? WHERE id = ? AND waiting_since IS NULL",
            [iso(now), due, question_id],
        ).rowcount
    return due if changed else None


def is_followup(db: sqlite_utils.Database, message: ThreadMessage) -> bool:
    """A client's message that comes after an answer in its thread (not part of the first question)."""
    return (
        db.execute(
            "SELECT 1 FROM thread_messages WHERE question_id = ? AND direction = ? AND id < ? LIMIT 1",
            [message.question_id, TO_CLIENT, message.id],
        ).fetchone()
        is not None
    )


def get_message(db: sqlite_utils.Database, message_id: int) -> ThreadMessage | None:
    rows = list(db["thread_messages"].rows_where("id = ?", [message_id]))
    return ThreadMessage(**rows[0]) if rows else None


def mark_relayed(db: sqlite_utils.Database, message_id: int, chat_id: int, relay_message_id: int | None, now: datetime) -> None:
    with db.atomic():
        db["thread_messages"].update(
            message_id, {"relay_chat_id": chat_id, "relay_message_id": relay_message_id, "relayed_at": iso(now)}
        )


def find_relayed(db: sqlite_utils.Database, chat_id: int, relay_message_id: int) -> ThreadMessage | None:
    rows = list(
        db["thread_messages"].rows_where(
            "relay_chat_id = ? AND relay_message_id = ?", [chat_id, relay_message_id], limit=1
        )
    )
    return ThreadMessage(**rows[0]) if rows else None


def relayed_since(db: sqlite_utils.Database, chat_id: int, since: str, *, except_question: int) -> bool:
    """Has a client's message about another question reached this chat since ``since``?"""
    return (
        db.execute(
            "SELECT 1 FROM thread_messages WHERE relay_chat_id = ? AND direction = ? AND relayed_at >= ?"
            " AND question_id != ? LIMIT 1",
            [chat_id, FROM_CLIENT, since, except_question],
        ).fetchone()
        is not None
    )


def thread(db: sqlite_utils.Database, question_id: int) -> list[ThreadMessage]:
    """A question's messages, both ways, in order (indexed by ``question_id``)."""
    rows = rows_of(db, "SELECT * FROM thread_messages WHERE question_id = ? ORDER BY id", [question_id])
    return [ThreadMessage(**row) for row in rows]


def close(db: sqlite_utils.Database, question_id: int, now: datetime) -> None:
    """Done: nothing waits any more; a later follow-up opens it again and waits anew."""
    with db.atomic():
        db["questions"].update(
            question_id, {"status": DONE, "closed_at": iso(now), "waiting_since": None, "waiting_due_at": None}
        )


OPEN_OF_KLANTMANAGER = """
SELECT q.*, coalesce(c.name, q.user_id) AS client,
    (SELECT coalesce(t.text, t.kind) FROM thread_messages t WHERE t.question_id = q.id AND t.direction = ?
     ORDER BY t.id DESC LIMIT 1) AS latest
FROM questions q LEFT JOIN clients c ON c.user_id = q.user_id
WHERE q.klantmanager_id = ? AND q.status = ? ORDER BY q.created_at
"""
"""One klantmanager's open questions, oldest first (from the index on klantmanager, status,
created_at), with the client's name and the client's newest message in the thread (index on
question_id): after a follow-up, that is what waits for an answer."""


@dataclass(frozen=True)
class OpenQuestion:
    question: Question
    client: str
    latest: str
    """The text (or the kind: photo, voice...) of the client's newest message in the thread."""


def open_questions(db: sqlite_utils.Database, klantmanager_ids: list[int]) -> list[OpenQuestion]:
    """Open questions of these klantmanagers, oldest first: one indexed statement per klantmanager."""
    per_klantmanager = []
    for klantmanager_id in klantmanager_ids:
        per_klantmanager.append(rows_of(db, OPEN_OF_KLANTMANAGER, [FROM_CLIENT, klantmanager_id, OPEN]))
    rows = heapq.merge(*per_klantmanager, key=lambda row: row["created_at"])
    return [
        OpenQuestion(
            question=Question(**{k: v for k, v in row.items() if k not in ("client", "latest")}),
            client=str(row["client"]),
            latest=row["latest"] or "",
        )
        for row in rows
    ]


def reassign_open(db: sqlite_utils.Database, user_id: int, klantmanager_id: int) -> None:
    """Open questions follow their client to a new klantmanager (call inside a transaction)."""
    db.execute(
        "UPDATE questions SET klantmanager_id = ? WHERE user_id = ? AND status = ?", [klantmanager_id, user_id, OPEN]
    )


def latest_answer(db: sqlite_utils.Database, user_id: int) -> ThreadMessage | None:
    """The newest klantmanager's message relayed to this person, if any."""
    rows = list(
        db["thread_messages"].rows_where(
            "user_id = ? AND direction = ? AND relayed_at IS NOT NULL",
            [user_id, TO_CLIENT],
            order_by="id DESC",
            limit=1,
        )
    )
    return ThreadMessage(**rows[0]) if rows else None


def reopen(db: sqlite_utils.Database, question_id: int) -> None:
    """A follow-up on a closed question opens it again for the klantmanager."""
    with db.atomic():
        db["questions"].update(question_id, {"status": OPEN, "closed_at": None})
