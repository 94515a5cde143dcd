"""Handing a question to the person's own klantmanager, and the answer back: the rules.

The flow, in both directions: store the message as a thread message, then
relay it through the outbox (so a failed relay is retried and survives a
restart). The relay picks its target at send time: while a klantmanager is
away, their substitute gets the question. What the relayed messages say, and
their outbox senders, are in ``bot/casework/relay.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.channel import Attachment
from bot.people import audit
from bot.delivery import outbox
from bot.casework import questions, staff
from bot.core.clock import parse_iso
from bot.delivery.outbox import OutboxRow, Skipped
from bot.casework.questions import FROM_CLIENT, TO_CLIENT, Question, ThreadMessage
from bot.texts.render import Renderer
from bot.core.services import Services
from bot.people.users import User

RELAY, OVERDUE, KM_BLOCKED, CANNOT_COME = "relay", "question_overdue", "km_blocked", "cannot_come"
COMES_AFTER_ALL = "comes_after_all"
KM_REPLY, KM_DONE, KM_CALL = "kq:reply", "kq:done", "kq:call"
"""The klantmanager's buttons under a question (``bot/screens/buttons.py``: QUESTION)."""
DEFAULT_ANSWER_DAYS = 2
FILE_KINDS = ("photo", "document", "voice")
BLOCKED_RETRY = timedelta(minutes=10)
"""How long a question waits before trying a klantmanager who blocked the bot again."""
REASON_WAIT = timedelta(minutes=15)
"""How long the klantmanager's "cannot come" notice waits for the person's reason."""


@dataclass(frozen=True)
class Pending:
    """A question the person is about to send (kept in the awaiting state)."""

    kind: str
    text: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    topic: str | None = None
    file_channel: str | None = None
    """The channel ``file_id`` belongs to (None: Telegram)."""


def answer_days(renderer: Renderer) -> int:
    return int(renderer.journey.settings.get("handoff", {}).get("answer_working_days", DEFAULT_ANSWER_DAYS))


def pending_from(text: str | None, attachment: Attachment | None) -> Pending | None:
    """What of a person's or klantmanager's message can be relayed: text, a photo, a document, a voice message."""
    if attachment is not None and attachment.kind in FILE_KINDS:
        return Pending(
            kind=attachment.kind,
            text=text,
            file_id=attachment.ref,
            file_name=attachment.file_name,
            file_channel=attachment.channel,
        )
    if text:
        return Pending(kind="text", text=text)
    return None


def submit_question(s: Services, user: User, pending: Pending) -> tuple[Question, staff.Staff]:
    """Store the question and plan its relay and its overdue reminder."""
    now = s.clock.now()
    linked = staff.client(s.db, user.id)
    question = questions.open_question(
        s.db, user.id, linked.klantmanager_id, now, answer_days(s.renderer), pending.topic
    )
    _add(s, question, FROM_CLIENT, user.id, pending, now)
    outbox.enqueue(
        s.db,
        user_id=user.id,
        chat_id=None,
        kind=OVERDUE,
        params={"question_id": question.id},
        due_at=parse_iso(question.answer_due_at),
        key=f"overdue:{question.id}",
    )
    handler = staff.handling_klantmanager(s.db, linked.klantmanager_id, now)
    return question, handler


def submit_answer(s: Services, question: Question, klantmanager_id: int, pending: Pending) -> ThreadMessage:
    now = s.clock.now()
    message = _add(s, question, TO_CLIENT, klantmanager_id, pending, now)
    audit.record(s.db, now, klantmanager_id, "answer", question.user_id, question_id=question.id)
    return message


def submit_followup(s: Services, question: Question, user: User, pending: Pending) -> staff.Staff:
    """A message of the person that belongs to an existing question (a photo asked for, a reply).

    It joins the thread, opens the question again if the klantmanager closed
    it, and is relayed like the first message; returns who will read it. After
    an answer the question waits again, with its own overdue reminder.
    """
    now = s.clock.now()
    if question.status != questions.OPEN:
        questions.reopen(s.db, question.id)
    message = _add(s, question, FROM_CLIENT, user.id, pending, now)
    due = questions.start_waiting(s.db, question.id, now, answer_days(s.renderer))
    if due is not None:
        outbox.enqueue(
            s.db,
            user_id=user.id,
            chat_id=None,
            kind=OVERDUE,
            params={"question_id": question.id, "waiting_since": message.created_at},
            due_at=parse_iso(due),
            key=f"overdue:{question.id}:{message.id}",
        )
    return staff.handling_klantmanager(s.db, question.klantmanager_id, now)


def overdue_is_current(question: Question, row: OutboxRow) -> bool:
    """Whether an overdue reminder is about the question's wait of now (rows of the
    first wait, planned before follow-ups waited, have no ``waiting_since``)."""
    return question.waiting_since is not None and question.waiting_since == row.params.get(
        "waiting_since", question.created_at
    )


def _add(s: Services, question: Question, direction: str, sender_id: int, pending: Pending, now: datetime) -> ThreadMessage:
    """Keep one message of the thread, and plan its relay to the other side."""
    message = questions.add_message(
        s.db, question, direction, sender_id, pending.kind, now,
        text=pending.text, file_id=pending.file_id, file_name=pending.file_name, file_channel=pending.file_channel,
    )
    plan_relay(s, message, question.user_id, now)
    return message


def plan_relay(s: Services, message: ThreadMessage, user_id: int, now: datetime) -> None:
    """Relay through the outbox. A question's klantmanager is chosen at send time
    (a substitute may take over); an answer goes to the client's own chat."""
    chat_id = user_id if message.direction == TO_CLIENT else None
    outbox.enqueue(
        s.db,
        user_id=user_id,
        chat_id=chat_id,
        kind=RELAY,
        params={"message_id": message.id},
        due_at=now,
        key=f"relay:{message.id}",
    )


def klantmanager_unreachable(
    s: Services, row: OutboxRow, question: Question, handler: staff.Staff, now: datetime
) -> Skipped:
    """The klantmanager blocked the bot: keep the question queued, and tell the admins once."""
    attempt = int(row.params.get("attempt", 0)) + 1
    outbox.enqueue(
        s.db,
        user_id=row.user_id,
        chat_id=None,
        kind=RELAY,
        params={"message_id": row.params["message_id"], "attempt": attempt},
        due_at=now + BLOCKED_RETRY,
        key=f"relay:{row.params['message_id']}:{attempt}",
    )
    for admin in staff.admins(s.db):
        outbox.enqueue(
            s.db,
            user_id=question.user_id,
            chat_id=admin.id,
            kind=KM_BLOCKED,
            params={"question_id": question.id, "klantmanager_id": handler.id},
            due_at=now,
            key=f"km_blocked:{question.id}:{handler.id}:{admin.id}",
        )
    return Skipped("klantmanager blocked the bot; queued again")


def notices(s: Services, user_id: int, appointment_id: int) -> list[outbox.FamilyRow]:
    """The "cannot come" and "comes after all" notices of one appointment, in the order they were planned."""
    families = {CANNOT_COME: f"{CANNOT_COME}:{appointment_id}", COMES_AFTER_ALL: f"{COMES_AFTER_ALL}:{appointment_id}"}
    return outbox.family_rows(s.db, user_id=user_id, families=families)


def last_told(notices: list[outbox.FamilyRow]) -> str | None:
    """What the klantmanager last heard of the appointment: ``CANNOT_COME``, ``COMES_AFTER_ALL`` or None."""
    sent = [(n.sent_at or "", order, n.kind) for order, n in enumerate(notices) if n.status == outbox.SENT]
    return max(sent)[2] if sent else None  # the last sent; of two sent in the same moment, the later planned


def cannot_come_in_flight(notices: list[outbox.FamilyRow]) -> bool:
    """A "cannot come" notice of the appointment is being sent right now (claimed, not yet marked sent)."""
    return any(n.kind == CANNOT_COME and n.status == outbox.SENDING for n in notices)


def _plan_notice(s: Services, user_id: int, appointment_id: int, kind: str, due: datetime, **params: object) -> None:
    """One notice to the klantmanager about an appointment, with a key of its own (a cancelled key
    can never be planned again); whether it is news is decided when it is sent (``bot/casework/relay.py``)."""
    planned = sum(1 for n in notices(s, user_id, appointment_id) if n.kind == kind)
    outbox.enqueue(
        s.db,
        user_id=user_id,
        chat_id=None,
        kind=kind,
        params={"appointment_id": appointment_id, **params},
        due_at=due,
        key=f"{kind}:{appointment_id}:n{planned + 1}",
    )


def plan_cannot_come_notice(s: Services, user_id: int, appointment_id: int, *, reason_given: bool) -> None:
    """Tell the klantmanager that a client cannot come; with the reason once it is known.

    Pressing "I cannot come" plans the notice a little later, so the reason
    typed next can go with it; the reason (or "no reason") sends it at once.
    Whether a notice without a reason is news is decided when it is sent
    (``relay.send_cannot_come``): not when the klantmanager's last word about
    the appointment was already "cannot come".
    """
    now = s.clock.now()
    cancel_cannot_come_notice(s, appointment_id)
    due = now if reason_given else now + REASON_WAIT
    _plan_notice(s, user_id, appointment_id, CANNOT_COME, due, with_reason=reason_given)


def cancel_cannot_come_notice(s: Services, appointment_id: int) -> None:
    """The person will come after all (or gave the reason): no notice still waiting goes out."""
    outbox.cancel(s.db, reason="answer changed", key_family=f"{CANNOT_COME}:{appointment_id}")


def plan_comes_after_all_notice(s: Services, user_id: int, appointment_id: int) -> None:
    """"I will come" after "I cannot come". Whether the klantmanager heard "cannot come" (and so
    needs this) is decided when it is sent (``relay.send_comes_after_all``): a "cannot come"
    notice may be on its way at this very moment."""
    _plan_notice(s, user_id, appointment_id, COMES_AFTER_ALL, s.clock.now())
