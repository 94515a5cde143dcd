"""Relaying a question's messages: what the klantmanager and the person read, and the outbox senders.

The rules (who handles a question, when it is due, a blocked klantmanager)
are in ``bot/casework/handoff.py``; this module only composes the messages,
neutral ``Outgoing``s with the file as an ``Attachment``, and sends them
through ``bot/delivery/deliver.py``.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.casework import questions, staff
from bot.casework.handoff import (
    CANNOT_COME,
    COMES_AFTER_ALL,
    KM_BLOCKED,
    KM_CALL,
    KM_DONE,
    KM_REPLY,
    OVERDUE,
    RELAY,
    cannot_come_in_flight,
    klantmanager_unreachable,
    last_told,
    notices,
    overdue_is_current,
)
from bot.casework.questions import FROM_CLIENT, Question, ThreadMessage
from bot.casework.staff_text import language_name
from bot.core.channel import Attachment, Blocked, Button, Keyboard, Outgoing, RetryLater, Sent
from bot.core.services import Services
from bot.delivery import deliver
from bot.delivery.outbox import OutboxRow, Skipped
from bot.people.users import User, get_user
from bot.reminders import appointments
from bot.texts.render import Renderer


COMES_AFTER_ALL_WAIT_SECONDS = 5.0
"""A "comes after all" notice waits this long while a "cannot come" of the same appointment is on its way."""


def km_buttons(r: Renderer, lang: str, question_id: int) -> Keyboard:
    """The buttons under a question: "Reply", "Done", "I will call"."""
    return (
        (
            Button(r.button(lang, "km.reply_button"), f"{KM_REPLY}:{question_id}"),
            Button(r.button(lang, "km.done_button"), f"{KM_DONE}:{question_id}"),
        ),
        (Button(r.button(lang, "km.call_button"), f"{KM_CALL}:{question_id}"),),
    )


def question_header(
    s: Services, question: Question, handler: staff.Staff, *, words: bool = True, followup: ThreadMessage | None = None
) -> str:
    """What the klantmanager reads above a question; ``words``: the client's own words follow.

    ``followup``: the client's message after an answer, headed as a follow-up with its own time.
    """
    r = s.renderer
    linked = staff.client(s.db, question.user_id)
    client = get_user(s.db, question.user_id)
    step = r.journey.step(client.step) if client else None
    owner = staff.get_staff(s.db, question.klantmanager_id)
    values = {
        "client": linked.name if linked else str(question.user_id),
        "language": language_name(r, handler.lang, client.lang) if client and client.lang else "",
        "step": r.title(handler.lang, step.overview) if step else r.ui(handler.lang, "km.no_step"),
        "when": followup.created_at if followup else question.created_at,
    }
    if followup:
        header = r.ui(handler.lang, "km.followup_header", asked=question.created_at, **values)
    else:
        header = r.ui(handler.lang, "km.question_header", **values)
    if owner is not None and owner.id != handler.id:
        header += "\n" + r.ui(handler.lang, "km.substituting", colleague=owner.name)
    if question.topic and question.topic in r.journey.referenced_items():
        # "Not clear, ask my klantmanager" under an item: the item as the klantmanager knows it.
        header += "\n" + r.ui(handler.lang, "km.question_topic", title=r.title(handler.lang, question.topic))
    if words and client and client.lang and client.lang != handler.lang:
        header += "\n" + r.ui(handler.lang, "km.client_words", language=values["language"])
    return header


def relayed(message: ThreadMessage, head: str, keyboard: Keyboard = ()) -> Outgoing:
    """A thread message under its heading, for the other side.

    The writer's own text is escaped and may be long (the channel splits it);
    a file goes with it, the text as its caption where the channel can.
    """
    body = escape(message.text, quote=False) if message.text else ""
    text = f"{head}\n\n{body}" if body else head
    attachment = None
    if message.kind != "text" and message.file_id:
        channel = message.file_channel or questions.FIRST_FILE_CHANNEL
        attachment = Attachment(message.kind, channel, message.file_id, message.file_name)
    return Outgoing(html=text, keyboard=keyboard, attachment=attachment)


def _message_id(sent: Sent) -> int | None:
    """The id replies in the chat point to (Telegram's are numbers)."""
    return int(sent.message_ref) if sent.message_ref.isdigit() else None


async def send_relay(s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: relay one stored thread message to the other side."""
    message = questions.get_message(s.db, int(row.params["message_id"]))
    if message is None or message.relayed_at:
        return Skipped("erased with the person, or relayed before a crash")
    question = questions.get_question(s.db, message.question_id)
    now = s.clock.now()
    if message.direction == FROM_CLIENT:
        handler = staff.handling_klantmanager(s.db, question.klantmanager_id, now)
        followup = message if questions.is_followup(s.db, message) else None
        head = question_header(s, question, handler, words=bool(message.text), followup=followup)
        try:
            sent = await deliver.to_staff(s, handler.id, relayed(message, head, km_buttons(s.renderer, handler.lang, question.id)))
        except Blocked:
            return klantmanager_unreachable(s, row, question, handler, now)
        questions.mark_relayed(s.db, message.id, handler.id, _message_id(sent), now)
    else:
        client = get_user(s.db, question.user_id)
        if client is None:
            return Skipped("the person erased their data")
        head = answer_header(s, client, question, message)
        sent = await deliver.to_person(s, client.id, relayed(message, head))
        questions.mark_relayed(s.db, message.id, client.id, _message_id(sent), now)
    return None


def answer_header(s: Services, client: User, question: Question, message: ThreadMessage) -> str:
    """ "Answer from your klantmanager Kim", or from a substitute: "Answer from Daan, for Kim"."""
    author = staff.get_staff(s.db, message.sender_id)
    owner = staff.get_staff(s.db, question.klantmanager_id)
    name = author.name if author else ""
    if owner is not None and author is not None and author.id != owner.id:
        return s.renderer.ui(client.lang, "ask.answer_header_substitute", name=name, colleague=owner.name)
    return s.renderer.ui(client.lang, "ask.answer_header", name=name)


async def send_km_blocked(s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: tell an admin that a klantmanager cannot be reached."""
    admin = staff.get_staff(s.db, row.chat_id)
    km = staff.get_staff(s.db, int(row.params["klantmanager_id"]))
    question = questions.get_question(s.db, int(row.params["question_id"]))
    if admin is None or km is None or question is None:
        return Skipped("gone")
    linked = staff.client(s.db, question.user_id)
    text = s.renderer.ui(admin.lang, "admin.km_blocked", name=km.name, client=linked.name if linked else "")
    await deliver.to_staff(s, admin.id, Outgoing(text))
    return None


async def send_overdue(s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: remind the klantmanager of a question still open past its answer time."""
    question = questions.get_question(s.db, int(row.params["question_id"]))
    if question is None or question.status != questions.OPEN or not overdue_is_current(question, row):
        return Skipped("answered or closed")
    handler = staff.handling_klantmanager(s.db, question.klantmanager_id, s.clock.now())
    linked = staff.client(s.db, question.user_id)
    key = "km.overdue" if question.waiting_since == question.created_at else "km.overdue_followup"
    text = s.renderer.ui(handler.lang, key, client=linked.name if linked else "", when=question.waiting_since)
    await deliver.to_staff(s, handler.id, Outgoing(text, km_buttons(s.renderer, handler.lang, question.id)))
    return None


async def send_cannot_come(s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: the klantmanager hears that their client cannot come, and why."""
    appointment_id = int(row.params["appointment_id"])
    answer = next(
        (a for a in appointments.cannot_come_answers(s.db, row.user_id) if a.appointment_id == appointment_id), None
    )
    linked = staff.client(s.db, row.user_id)
    if answer is None or linked is None:
        return Skipped("the person will come after all, erased their data, or has no klantmanager")
    if not row.params.get("with_reason") and last_told(notices(s, row.user_id, appointment_id)) == CANNOT_COME:
        return Skipped("the klantmanager already knows the person cannot come, and there is no reason to add")
    await _tell_about_appointment(
        s, linked, "km.cannot_come", answer.kind, answer.starts_at, reason=answer.reason or "–"
    )
    return None


async def send_comes_after_all(s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: the klantmanager, told that their client cannot come, hears that they come after all."""
    appointment = appointments.get(s.db, int(row.params["appointment_id"]))
    linked = staff.client(s.db, row.user_id)
    if appointment is None or appointment.answer != appointments.COMING or linked is None:
        return Skipped("the person cannot come after all, erased their data, or has no klantmanager")
    if appointment.status != appointments.PLANNED:
        return Skipped("the appointment was cancelled")
    told = notices(s, row.user_id, appointment.id)
    if cannot_come_in_flight(told):
        raise RetryLater(COMES_AFTER_ALL_WAIT_SECONDS, "a cannot-come notice of this appointment is being sent")
    if last_told(told) != CANNOT_COME:
        return Skipped("the klantmanager was not told the person cannot come")
    await _tell_about_appointment(s, linked, "km.comes_after_all", appointment.kind, appointment.starts_at)
    return None


async def _tell_about_appointment(
    s: Services, linked: staff.Client, key: str, kind: str, starts_at: datetime | str, **values: object
) -> None:
    """One of a client's appointments, told to whoever handles the client now (a substitute too)."""
    handler = staff.handling_klantmanager(s.db, linked.klantmanager_id, s.clock.now())
    r = s.renderer
    text = r.ui(
        handler.lang, key, client=linked.name, kind=r.button(handler.lang, f"appointment.kind.{kind}"), when=starts_at, **values
    )
    await deliver.to_staff(s, handler.id, Outgoing(text))


SENDERS = {
    CANNOT_COME: send_cannot_come,
    COMES_AFTER_ALL: send_comes_after_all,
    RELAY: send_relay,
    OVERDUE: send_overdue,
    KM_BLOCKED: send_km_blocked,
}
