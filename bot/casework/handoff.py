"""Handing a question to the person's own klantmanager, and the answer back.

The flow, in both directions: store the message as a thread message, then
relay it through the outbox (so a failed relay is retried and survives a
restart). The relay picks its target at send time: while a klantmanager is
away, their substitute gets the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import Forbidden

from bot.reminders import appointments
from bot.people import audit
from bot.delivery import outbox
from bot.casework import questions, staff
from bot.core.clock import parse_iso
from bot.screens.messaging import send_html
from bot.delivery.outbox import OutboxRow, Skipped
from bot.casework.questions import FROM_CLIENT, TO_CLIENT, Question, ThreadMessage
from bot.texts.render import Renderer
from bot.core.services import Services
from bot.channels.telegram.identity import chat_of
from bot.casework.staff_text import language_name
from bot.people.users import User, get_user

RELAY, OVERDUE, KM_BLOCKED, CANNOT_COME = "relay", "question_overdue", "km_blocked", "cannot_come"
KM_REPLY, KM_DONE, KM_CALL = "kq:reply", "kq:done", "kq:call"
DEFAULT_ANSWER_DAYS = 2
CAPTION_LIMIT = 1024
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


def answer_days(renderer: Renderer) -> int:
    return int(renderer.journey.settings.get("handoff", {}).get("answer_working_days", DEFAULT_ANSWER_DAYS))


def pending_from_message(message: Message) -> Pending | None:
    """What of a Telegram message can be relayed: text, a photo, a document, a voice message."""
    if message.text:
        return Pending(kind="text", text=message.text)
    caption = message.caption
    if message.photo:
        return Pending(kind="photo", text=caption, file_id=message.photo[-1].file_id)
    if message.document:
        return Pending(
            kind="document", text=caption, file_id=message.document.file_id, file_name=message.document.file_name
        )
    if message.voice:
        return Pending(kind="voice", text=caption, file_id=message.voice.file_id)
    return None


def submit_question(s: Services, user: User, pending: Pending) -> tuple[Question, staff.Staff]:
    """Store the question and plan its relay and its overdue reminder."""
    now = s.clock.now()
    linked = staff.client(s.db, user.id)
    question = questions.open_question(
        s.db, user.id, linked.klantmanager_id, now, answer_days(s.renderer), pending.topic
    )
    message = questions.add_message(
        s.db,
        question,
        FROM_CLIENT,
        user.id,
        pending.kind,
        now,
        text=pending.text,
        file_id=pending.file_id,
        file_name=pending.file_name,
    )
    plan_relay(s, message, user.id, now)
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
    message = questions.add_message(
        s.db,
        question,
        TO_CLIENT,
        klantmanager_id,
        pending.kind,
        now,
        text=pending.text,
        file_id=pending.file_id,
        file_name=pending.file_name,
    )
    plan_relay(s, message, question.user_id, now)
    audit.record(s.db, now, klantmanager_id, "answer", question.user_id, question_id=question.id)
    return message


def submit_followup(s: Services, question: Question, user: User, pending: Pending) -> staff.Staff:
    """A message of the person that belongs to an existing question (a photo asked for, a reply).

    It joins the thread, opens the question again if the klantmanager closed
    it, and is relayed like the first message; returns who will read it.
    """
    now = s.clock.now()
    if question.status != questions.OPEN:
        questions.reopen(s.db, question.id)
    message = questions.add_message(
        s.db, question, FROM_CLIENT, user.id, pending.kind, now,
        text=pending.text, file_id=pending.file_id, file_name=pending.file_name,
    )
    plan_relay(s, message, user.id, now)
    return staff.handling_klantmanager(s.db, question.klantmanager_id, now)


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


def _km_buttons(r: Renderer, lang: str, question_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(r.button(lang, "km.reply_button"), callback_data=f"{KM_REPLY}:{question_id}"),
                InlineKeyboardButton(r.button(lang, "km.done_button"), callback_data=f"{KM_DONE}:{question_id}"),
            ],
            [InlineKeyboardButton(r.button(lang, "km.call_button"), callback_data=f"{KM_CALL}:{question_id}")],
        ]
    )


def question_header(s: Services, question: Question, handler: staff.Staff, *, words: bool = True) -> str:
    """What the klantmanager reads above a question; ``words``: the client's own words follow."""
    r = s.renderer
    linked = staff.client(s.db, question.user_id)
    client = get_user(s.db, question.user_id)
    step = r.journey.step(client.step) if client else None
    owner = staff.get_staff(s.db, question.klantmanager_id)
    values = {
        "client": linked.name if linked else str(question.user_id),
        "language": language_name(r, handler.lang, client.lang) if client and client.lang else "",
        "step": r.title(handler.lang, step.overview) if step else r.ui(handler.lang, "km.no_step"),
        "when": question.created_at,
    }
    header = r.ui(handler.lang, "km.question_header", **values)
    if owner is not None and owner.id != handler.id:
        header += "\n" + r.ui(handler.lang, "km.substituting", colleague=owner.name)
    if question.topic and question.topic in r.journey.referenced_items():
        # "Not clear, ask my klantmanager" under an item: the item as the klantmanager knows it.
        header += "\n" + r.ui(handler.lang, "km.question_topic", title=r.title(handler.lang, question.topic))
    if words and client and client.lang and client.lang != handler.lang:
        header += "\n" + r.ui(handler.lang, "km.client_words", language=values["language"])
    return header


async def _send(
    bot: Bot, chat_id: int, message: ThreadMessage, head: str, markup: InlineKeyboardMarkup | None
) -> Message:
    """Send a thread message under its heading; returns the message replies attach to.

    The person's own text is escaped and may be long: it is split like any
    text. A file goes last, with the buttons, and with the whole text as its
    caption when that fits.
    """
    body = escape(message.text, quote=False) if message.text else ""
    text = f"{head}\n\n{body}" if body else head
    if message.kind == "text":
        return (await send_html(bot, chat_id, text, markup))[-1]
    send = {"photo": bot.send_photo, "document": bot.send_document, "voice": bot.send_voice}[message.kind]
    if len(text) <= CAPTION_LIMIT:
        return await send(chat_id, message.file_id, caption=text, parse_mode=ParseMode.HTML, reply_markup=markup)
    await send_html(bot, chat_id, text)
    return await send(chat_id, message.file_id, reply_markup=markup)


async def send_relay(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: relay one stored thread message to the other side."""
    message = questions.get_message(s.db, int(row.params["message_id"]))
    if message is None or message.relayed_at:
        return Skipped("erased with the person, or relayed before a crash")
    question = questions.get_question(s.db, message.question_id)
    now = s.clock.now()
    if message.direction == FROM_CLIENT:
        handler = staff.handling_klantmanager(s.db, question.klantmanager_id, now)
        head = question_header(s, question, handler, words=bool(message.text))
        try:
            sent = await _send(bot, chat_of(s.db, handler.id), message, head, _km_buttons(s.renderer, handler.lang, question.id))
        except Forbidden:
            return _klantmanager_unreachable(s, row, question, handler, now)
        questions.mark_relayed(s.db, message.id, handler.id, sent.message_id, now)
    else:
        client = get_user(s.db, question.user_id)
        if client is None:
            return Skipped("the person erased their data")
        head = answer_header(s, client, question, message)
        sent = await _send(bot, chat_of(s.db, client.id), message, head, None)
        questions.mark_relayed(s.db, message.id, client.id, sent.message_id, now)
    return None


def answer_header(s: Services, client: User, question: Question, message: ThreadMessage) -> str:
    """ "Answer from your klantmanager Kim", or from a substitute: "Answer from Daan, for Kim"."""
    author = staff.get_staff(s.db, message.sender_id)
    owner = staff.get_staff(s.db, question.klantmanager_id)
    name = author.name if author else ""
    if owner is not None and author is not None and author.id != owner.id:
        return s.renderer.ui(client.lang, "ask.answer_header_substitute", name=name, colleague=owner.name)
    return s.renderer.ui(client.lang, "ask.answer_header", name=name)


def _klantmanager_unreachable(
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


async def send_km_blocked(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: tell an admin that a klantmanager cannot be reached."""
    admin = staff.get_staff(s.db, row.chat_id)
    km = staff.get_staff(s.db, int(row.params["klantmanager_id"]))
    question = questions.get_question(s.db, int(row.params["question_id"]))
    if admin is None or km is None or question is None:
        return Skipped("gone")
    linked = staff.client(s.db, question.user_id)
    text = s.renderer.ui(admin.lang, "admin.km_blocked", name=km.name, client=linked.name if linked else "")
    await send_html(bot, chat_of(s.db, admin.id), text)
    return None


async def send_overdue(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: remind the klantmanager of a question still open past its answer time."""
    question = questions.get_question(s.db, int(row.params["question_id"]))
    if question is None or question.status != questions.OPEN or question.answered_at:
        return Skipped("answered or closed")
    handler = staff.handling_klantmanager(s.db, question.klantmanager_id, s.clock.now())
    linked = staff.client(s.db, question.user_id)
    text = s.renderer.ui(handler.lang, "km.overdue", client=linked.name if linked else "", when=question.created_at)
    markup = _km_buttons(s.renderer, handler.lang, question.id)
    await send_html(bot, chat_of(s.db, handler.id), text, markup)
    return None


def plan_cannot_come_notice(s: Services, user_id: int, appointment_id: int, *, reason_given: bool) -> None:
    """Tell the klantmanager that a client cannot come; with the reason once it is known.

    Pressing "I cannot come" plans the notice a little later, so the reason
    typed next can go with it; the reason (or "no reason") sends it at once.
    """
    now = s.clock.now()
    key = f"{CANNOT_COME}:{appointment_id}"
    if reason_given:
        cancel_cannot_come_notice(s, appointment_id)
        key, due = f"{key}:{int(now.timestamp())}", now
    else:
        due = now + REASON_WAIT
    outbox.enqueue(
        s.db,
        user_id=user_id,
        chat_id=None,
        kind=CANNOT_COME,
        params={"appointment_id": appointment_id},
        due_at=due,
        key=key,
    )


def cancel_cannot_come_notice(s: Services, appointment_id: int) -> None:
    """The person will come after all (or gave the reason): no notice still waiting goes out."""
    outbox.cancel(s.db, reason="answer changed", key_prefix=f"{CANNOT_COME}:{appointment_id}")


async def send_cannot_come(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: the klantmanager hears that their client cannot come, and why."""
    appointment_id = int(row.params["appointment_id"])
    answer = next(
        (a for a in appointments.cannot_come_answers(s.db, row.user_id) if a.appointment_id == appointment_id), None
    )
    linked = staff.client(s.db, row.user_id)
    if answer is None or linked is None:
        return Skipped("the person will come after all, erased their data, or has no klantmanager")
    handler = staff.handling_klantmanager(s.db, linked.klantmanager_id, s.clock.now())
    r = s.renderer
    text = r.ui(
        handler.lang,
        "km.cannot_come",
        client=linked.name,
        kind=r.button(handler.lang, f"appointment.kind.{answer.kind}"),
        when=answer.starts_at,
        reason=answer.reason or "–",
    )
    await send_html(bot, chat_of(s.db, handler.id), text)
    return None


def register_kinds() -> None:
    outbox.register_kind(CANNOT_COME, send_cannot_come)
    outbox.register_kind(RELAY, send_relay)
    outbox.register_kind(OVERDUE, send_overdue)
    outbox.register_kind(KM_BLOCKED, send_km_blocked)
