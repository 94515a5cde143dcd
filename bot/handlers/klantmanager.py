"""The klantmanager's and admin's side: invitations, caseload, answers, absence, transfer.

Every button carries the id it acts on, and every press is checked against
the person pressing: a klantmanager acts on their own caseload only (and on
a colleague's while substituting). Every action is written to the audit table.
Klantmanager texts are Dutch (``km.*`` keys), as the team works in Dutch.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from html import escape
from typing import Any

import segno
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import appointments, audit, awaiting, handoff, invites, notices, outbox, questions, repetition, staff, views
from bot.clock import iso
from bot.config import TIMEZONE
from bot.dutch_dates import DateError, parse
from bot.handlers.common import INVITE_ANSWERS, show
from bot.messaging import Screen, send_html, send_screen
from bot.outbox import OutboxRow, Skipped
from bot.services import KEY, Services, services
from bot.staff import Staff
from bot.users import User, get_user, set_step

CLIENT, QUESTION, AWAY, BROADCAST = "kc", "kq", "ka", "kb"
ANSWER, BROADCAST_TEXT, BROADCAST_CONFIRM = "km_answer", "km_broadcast_text", "km_broadcast_confirm"
BROADCAST_KIND = "broadcast"


# ---------------------------------------------------------------- helpers


def current_klantmanager(update: Update, s: Services) -> Staff | None:
    person = staff.get_staff(s.db, update.effective_user.id)
    return person if person is not None and person.is_klantmanager and person.active else None


async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, key: str, markup: InlineKeyboardMarkup | None = None, **values: Any) -> None:
    s = services(context)
    text = s.renderer.ui(lang, key, **values)
    await send_html(context.bot, update.effective_chat.id, text, markup)


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone who is not a klantmanager used a klantmanager command or button."""
    s = services(context)
    user = get_user(s.db, update.effective_user.id)
    if user is not None and user.lang:
        await show(update, context, views.text_screen(s.renderer, user.lang, "errors.not_allowed", with_menu=user.onboarded), user)
    else:
        await say(update, context, s.renderer.journey.source_language, "km.not_staff")


StaffHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Services, Staff], Awaitable[None]]


def klantmanager_only(handler: StaffHandler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        s = services(context)
        if update.callback_query:
            await update.callback_query.answer()
        km = current_klantmanager(update, s)
        if km is None:
            await _refuse(update, context)
            return
        await handler(update, context, s, km)

    return wrapper


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def client_name(s: Services, user_id: int) -> str:
    linked = staff.client(s.db, user_id)
    return linked.name if linked and linked.name else str(user_id)


def _step_title(s: Services, km: Staff, user: User | None) -> str:
    step = s.renderer.journey.step(user.step) if user else None
    return f"{step.number}. {s.renderer.title(km.lang, step.overview)}" if step else s.renderer.ui(km.lang, "km.no_step")


def _caseload_owners(s: Services, km: Staff, now: datetime) -> list[int]:
    """This klantmanager, and the colleagues they substitute for now."""
    return [km.id] + [k.id for k in staff.all_klantmanagers(s.db) if k.away_at(now) and k.substitute_id == km.id]


def _visible_clients(s: Services, km: Staff, now: datetime) -> list[staff.Client]:
    return [c for owner in _caseload_owners(s, km, now) for c in staff.caseload(s.db, owner)]


async def not_yours(update: Update, context: ContextTypes.DEFAULT_TYPE, km: Staff, user_id: int | None) -> None:
    s = services(context)
    audit.record(s.db, s.clock.now(), km.id, "refused", user_id, data=update.callback_query.data if update.callback_query else None)
    await say(update, context, km.lang, "km.not_yours")


# ---------------------------------------------------------------- joining


async def accept_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    """An invited klantmanager opened their link: they become a klantmanager."""
    s = services(context)
    now = s.clock.now()
    result, invite = invites.redeem(s.db, code, update.effective_user.id, now)
    lang = s.renderer.journey.source_language
    if result is not invites.Redeemed.OK or invite.kind != invites.KLANTMANAGER:
        await say(update, context, lang, INVITE_ANSWERS.get(result, "errors.bad_code"))
        return
    name = update.effective_user.full_name
    staff.add_klantmanager(s.db, update.effective_user.id, name, now)
    audit.record(s.db, now, invite.created_by, "klantmanager_added", None, klantmanager=update.effective_user.id)
    await say(update, context, lang, "km.welcome", name=name)


async def staff_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start from a klantmanager or admin: what they can do here."""
    s = services(context)
    person = staff.get_staff(s.db, update.effective_user.id)
    await say(update, context, person.lang, "km.help" if person.is_klantmanager else "admin.help")


async def invite_klantmanager(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite (admins): a single-use link for a new klantmanager."""
    s = services(context)
    admin = staff.get_staff(s.db, update.effective_user.id)
    if admin is None or not admin.is_admin:
        await _refuse(update, context)
        return
    now = s.clock.now()
    code = invites.create(s.db, invites.KLANTMANAGER, admin.id, now)
    audit.record(s.db, now, admin.id, "klantmanager_invited", None)
    link = f"https://t.me/{context.bot.username}?start={code}"
    await say(update, context, admin.lang, "admin.invite_created", link=link, until=iso(now + invites.DEFAULT_TTL))


@klantmanager_only
async def new_client(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/newclient <name>: a single-use, expiring link and QR code for one client."""
    name = " ".join(context.args or []).strip()
    if not name or len(name) > 100:
        await say(update, context, km.lang, "km.newclient_usage")
        return
    now = s.clock.now()
    code = invites.create(s.db, invites.CLIENT, km.id, now, klantmanager_id=km.id, name=name)
    audit.record(s.db, now, km.id, "client_invited", None, code=code)
    link = f"https://t.me/{context.bot.username}?start={code}"
    await say(update, context, km.lang, "km.invite_created", client=name, link=link, until=iso(now + invites.DEFAULT_TTL))
    png = io.BytesIO()
    segno.make(link, error="m").save(png, kind="png", scale=8, border=2)
    png.seek(0)
    await context.bot.send_photo(
        update.effective_chat.id, png, caption=s.renderer.ui(km.lang, "km.invite_qr_caption", client=name),
        parse_mode=ParseMode.HTML,
    )


# ---------------------------------------------------------------- caseload


def _client_line_values(s: Services, km: Staff, linked: staff.Client) -> dict[str, Any]:
    user = get_user(s.db, linked.user_id)
    last = user_last_active(s, linked.user_id)
    return {
        "name": linked.name,
        "step": _step_title(s, km, user),
        "language": s.renderer.button(user.lang, "language.name") if user and user.lang else "",
        "last_active": s.renderer.button(km.lang, "km.last_active", when=last) if last else s.renderer.button(km.lang, "km.never"),
        "open": questions.open_count(s.db, linked.user_id),
        "unclear": len(not_understood(s, km, linked.user_id)),
        "cannot": len(cannot_come(s, km, linked.user_id)),
    }


def user_last_active(s: Services, user_id: int) -> str | None:
    row = s.db.execute("SELECT last_active_at FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else None


def not_understood(s: Services, km: Staff, user_id: int) -> list[str]:
    """Titles (plain text) of critical items this client did not confirm after every repeat."""
    return [s.renderer.title(km.lang, item_id) for item_id in repetition.not_understood(s.db, user_id)]


def cannot_come(s: Services, km: Staff, user_id: int) -> list[str]:
    """"I cannot come" answers as HTML lines: the appointment and the reason the client gave."""
    r = s.renderer
    return [
        r.ui(km.lang, "km.cannot_line", kind=r.button(km.lang, f"appointment.kind.{a.kind}"), when=a.starts_at, reason=a.reason or "–")
        for a in appointments.cannot_come_answers(s.db, user_id)
    ]


@klantmanager_only
async def clients(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/clients: the caseload with what needs attention, one button per client."""
    caseload = _visible_clients(s, km, s.clock.now())
    if not caseload:
        await say(update, context, km.lang, "km.clients_empty")
        return
    lines = [s.renderer.ui(km.lang, "km.clients_header", count=len(caseload))]
    lines += [s.renderer.ui(km.lang, "km.clients_line", **_client_line_values(s, km, c)) for c in caseload]
    buttons = [[_button(c.name, f"{CLIENT}:card:{c.user_id}")] for c in caseload]
    await send_html(context.bot, update.effective_chat.id, "\n\n".join(lines), InlineKeyboardMarkup(buttons))


def _age(s: Services, km: Staff, question: questions.Question) -> str:
    hours = int(question.age(s.clock.now()).total_seconds() // 3600)
    return s.renderer.ui(km.lang, "km.age_hours", hours=hours) if hours < 48 else s.renderer.ui(km.lang, "km.age_days", days=hours // 24)


@klantmanager_only
async def open_questions(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/open: open questions, oldest first, with their age."""
    pending = questions.open_questions(s.db, _caseload_owners(s, km, s.clock.now()))
    if not pending:
        await say(update, context, km.lang, "km.open_empty")
        return
    lines = [s.renderer.ui(km.lang, "km.open_header", count=len(pending))]
    buttons = []
    for n, question in enumerate(pending, start=1):
        first = questions.thread(s.db, question.id)[0]
        preview = (first.text or first.kind)[:80]
        client = client_name(s, question.user_id)
        lines.append(s.renderer.ui(km.lang, "km.open_line", n=n, client=client, age=_age(s, km, question), preview=preview))
        buttons.append([_button(f"{n}. {s.renderer.button(km.lang, 'km.reply_button')} {client}", f"{handoff.KM_REPLY}:{question.id}")])
    await send_html(context.bot, update.effective_chat.id, "\n\n".join(lines), InlineKeyboardMarkup(buttons))


@klantmanager_only
async def client_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """kc:<action>:<client>[:<argument>] — a client card and its actions."""
    parts = update.callback_query.data.split(":")
    action = parts[1] if len(parts) > 2 else ""
    user_id = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    argument = parts[3] if len(parts) == 4 else None
    if user_id is None or not staff.may_act_for(s.db, km.id, user_id, s.clock.now()):
        await not_yours(update, context, km, user_id)
        return
    if action == "card" and argument is None:
        await _client_card(update, context, s, km, user_id)
    elif action == "step" and argument is None:
        steps = s.renderer.journey.steps
        buttons = [[_button(f"{st.number}. {s.renderer.title(km.lang, st.overview)}", f"{CLIENT}:set:{user_id}:{st.id}")] for st in steps]
        await say(update, context, km.lang, "km.choose_step", InlineKeyboardMarkup(buttons), client=client_name(s, user_id))
    elif action == "set" and argument is not None:
        await _set_client_step(update, context, s, km, user_id, argument)
    elif action == "tr" and argument is None:
        colleagues = [k for k in staff.all_klantmanagers(s.db) if k.id != staff.client(s.db, user_id).klantmanager_id]
        if not colleagues:
            await say(update, context, km.lang, "km.transfer_no_colleagues")
            return
        buttons = [[_button(k.name, f"{CLIENT}:to:{user_id}:{k.id}")] for k in colleagues]
        await say(update, context, km.lang, "km.transfer_choose", InlineKeyboardMarkup(buttons), client=client_name(s, user_id))
    elif action == "to" and argument is not None and argument.isdigit():
        await _transfer(update, context, s, km, user_id, int(argument))
    else:
        await not_yours(update, context, km, user_id)


async def _client_card(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int) -> None:
    linked = staff.client(s.db, user_id)
    values = _client_line_values(s, km, linked)
    lines = [s.renderer.ui(km.lang, "km.client_card", **values)]
    if unclear := not_understood(s, km, user_id):
        lines += ["", s.renderer.ui(km.lang, "km.unclear_header"), *[f"• {escape(title, quote=False)}" for title in unclear]]
    if cannot := cannot_come(s, km, user_id):
        lines += ["", s.renderer.ui(km.lang, "km.cannot_header"), *[f"• {line}" for line in cannot]]
    buttons = [
        [_button(s.renderer.button(km.lang, "km.set_step_button"), f"{CLIENT}:step:{user_id}")],
        [_button(s.renderer.button(km.lang, "km.appointment_button"), f"{CLIENT}:appt:{user_id}")],
        [_button(s.renderer.button(km.lang, "km.transfer_button"), f"{CLIENT}:tr:{user_id}")],
    ]
    await send_html(context.bot, update.effective_chat.id, "\n".join(lines), InlineKeyboardMarkup(buttons))


async def _set_client_step(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int, step_id: str | None) -> None:
    step = s.renderer.journey.step(step_id)
    if step is None:
        await not_yours(update, context, km, user_id)
        return
    now = s.clock.now()
    set_step(s.db, user_id, step.id)
    repetition.on_step_reached(s.db, s.renderer.journey, user_id, step.id, now)
    audit.record(s.db, now, km.id, "set_step", user_id, step=step.id)
    notices.send_step_card(s.db, user_id=user_id, now=now)
    await say(update, context, km.lang, "km.step_set", client=client_name(s, user_id), step=s.renderer.title(km.lang, step.overview))


async def _transfer(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int, to_id: int) -> None:
    target = staff.get_staff(s.db, to_id)
    if target is None or not target.is_klantmanager:
        await not_yours(update, context, km, user_id)
        return
    now = s.clock.now()
    previous = staff.client(s.db, user_id).klantmanager_id
    staff.transfer(s.db, user_id, to_id)
    audit.record(s.db, now, km.id, "transfer", user_id, from_klantmanager=previous, to_klantmanager=to_id)
    who = client_name(s, user_id)
    notices.notify(s.db, chat_id=to_id, about=user_id, key="km.transfer_received", now=now, client=who, colleague=km.name)
    if previous != km.id:  # a substitute moved a colleague's client: the colleague hears it
        notices.notify(s.db, chat_id=previous, about=user_id, key="km.transfer_done", now=now, client=who, name=target.name)
    notices.notify(s.db, chat_id=user_id, about=user_id, key="transfer.client", now=now, name=target.name)
    await say(update, context, km.lang, "km.transfer_done", client=who, name=target.name)


@klantmanager_only
async def transfer_command(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/transfer: choose a client, then a colleague."""
    caseload = staff.caseload(s.db, km.id)
    if not caseload:
        await say(update, context, km.lang, "km.clients_empty")
        return
    buttons = [[_button(c.name, f"{CLIENT}:tr:{c.user_id}")] for c in caseload]
    await say(update, context, km.lang, "km.transfer_choose_client", InlineKeyboardMarkup(buttons))


# ---------------------------------------------------------------- answering


@klantmanager_only
async def question_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """kq:reply|done|call:<question> under a relayed question."""
    parts = update.callback_query.data.split(":")
    action = parts[1] if len(parts) == 3 else ""
    question = questions.get_question(s.db, int(parts[2])) if len(parts) == 3 and parts[2].isdigit() else None
    now = s.clock.now()
    if question is None or not staff.may_act_for(s.db, km.id, question.user_id, now):
        await not_yours(update, context, km, question.user_id if question else None)
        return
    client = client_name(s, question.user_id)
    if question.status != questions.OPEN:
        await say(update, context, km.lang, "km.question_closed")
    elif action == "reply":
        awaiting.expect(s.db, km.id, ANSWER, about=question.user_id, question_id=question.id)
        await say(update, context, km.lang, "km.reply_prompt", client=client)
    elif action == "done":
        questions.close(s.db, question.id, now)
        audit.record(s.db, now, km.id, "question_done", question.user_id, question_id=question.id)
        await say(update, context, km.lang, "km.done", client=client)
    elif action == "call":
        audit.record(s.db, now, km.id, "call_back", question.user_id, question_id=question.id)
        notices.notify(s.db, chat_id=question.user_id, about=question.user_id, key="ask.will_call", now=now, name=km.name)
        await say(update, context, km.lang, "km.call_noted", client=client)
    else:
        await not_yours(update, context, km, question.user_id)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, question: questions.Question) -> None:
    now = s.clock.now()
    if not staff.may_act_for(s.db, km.id, question.user_id, now):
        await not_yours(update, context, km, question.user_id)
        return
    pending = handoff.pending_from_message(update.effective_message)
    if pending is None:
        await say(update, context, km.lang, "ask.unsupported")
        return
    handoff.submit_answer(s, question, km.id, pending)
    await say(update, context, km.lang, "km.answer_sent", client=client_name(s, question.user_id))


async def staff_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A klantmanager's message: an answer (after Reply, or as a Telegram reply), or broadcast text."""
    s = services(context)
    km = current_klantmanager(update, s)
    state = awaiting.current(s.db, km.id)
    replied = update.effective_message.reply_to_message
    if replied is not None:
        relayed = questions.find_relayed(s.db, km.id, replied.message_id)
        if relayed is not None:
            awaiting.clear(s.db, km.id)
            await _answer(update, context, s, km, questions.get_question(s.db, relayed.question_id))
            return
    if state is not None and state.kind == ANSWER:
        awaiting.clear(s.db, km.id)
        await _answer(update, context, s, km, questions.get_question(s.db, int(state.data["question_id"])))
    elif state is not None and state.kind == BROADCAST_TEXT:
        await _broadcast_preview(update, context, s, km, step_id=state.data["step"], text=update.effective_message.text)
    elif state is not None and (handler := awaiting.handler_for(state.kind)) is not None:
        await handler(update, context, get_user(s.db, km.id), state)
    else:
        await say(update, context, km.lang, "km.unknown_message")


# ---------------------------------------------------------------- absence


@klantmanager_only
async def away(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/away <date>: absent until the end of that day; choose a substitute."""
    text = " ".join(context.args or [])
    if not text:
        await say(update, context, km.lang, "km.away_usage")
        return
    try:
        when = parse(text, s.clock.now())
    except DateError as exc:
        await say(update, context, km.lang, f"km.date.{exc.reason}")
        return
    until = datetime.combine(when.day, time(23, 59), tzinfo=TIMEZONE)
    colleagues = [k for k in staff.all_klantmanagers(s.db) if k.id != km.id]
    if not colleagues:
        await say(update, context, km.lang, "km.transfer_no_colleagues")
        return
    stamp = int(until.timestamp())
    buttons = [[_button(k.name, f"{AWAY}:{k.id}:{stamp}")] for k in colleagues]
    await say(update, context, km.lang, "km.away_choose", InlineKeyboardMarkup(buttons), until=iso(until))


@klantmanager_only
async def away_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    parts = update.callback_query.data.split(":")
    substitute = staff.get_staff(s.db, int(parts[1])) if len(parts) == 3 and parts[1].isdigit() else None
    if substitute is None or not substitute.is_klantmanager or substitute.id == km.id or not parts[2].isdigit():
        await not_yours(update, context, km, None)
        return
    until = datetime.fromtimestamp(int(parts[2]), TIMEZONE)
    now = s.clock.now()
    staff.set_away(s.db, km.id, until, substitute.id)
    audit.record(s.db, now, km.id, "away", None, until=iso(until), substitute=substitute.id)
    notices.notify(
        s.db, chat_id=substitute.id, about=substitute.id, key="km.away_substitute", now=now, colleague=km.name, until=iso(until)
    )
    await say(update, context, km.lang, "km.away_set", until=iso(until), substitute=substitute.name)


@klantmanager_only
async def back(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    staff.set_away(s.db, km.id, None, None)
    audit.record(s.db, s.clock.now(), km.id, "back", None)
    await say(update, context, km.lang, "km.back")


# ---------------------------------------------------------------- broadcast


@klantmanager_only
async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/broadcast: choose a step, then a text; preview; confirm; sent through the outbox."""
    buttons = [[_button(f"{st.number}. {s.renderer.title(km.lang, st.overview)}", f"{BROADCAST}:step:{st.id}")] for st in s.renderer.journey.steps]
    await say(update, context, km.lang, "km.broadcast_choose_step", InlineKeyboardMarkup(buttons))


def _recipients(s: Services, km: Staff, step_id: str) -> list[User]:
    users = [get_user(s.db, c.user_id) for c in staff.caseload(s.db, km.id)]
    return [u for u in users if u is not None and u.onboarded and u.active and u.step == step_id]


@klantmanager_only
async def broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    parts = update.callback_query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    journey = s.renderer.journey
    if action == "step" and len(parts) == 3 and journey.step(parts[2]):
        step = journey.step(parts[2])
        buttons = [[_button(s.renderer.title(km.lang, i), f"{BROADCAST}:item:{step.id}:{i}")] for i in (r.id for r in step.items)]
        buttons.append([_button(s.renderer.button(km.lang, "km.broadcast_free_text_button"), f"{BROADCAST}:text:{step.id}")])
        await say(update, context, km.lang, "km.broadcast_choose_content", InlineKeyboardMarkup(buttons), step=s.renderer.title(km.lang, step.overview))
    elif action == "item" and len(parts) == 4 and journey.step(parts[2]) and parts[3] in journey.referenced_items():
        await _broadcast_preview(update, context, s, km, step_id=parts[2], item_id=parts[3])
    elif action == "text" and len(parts) == 3 and journey.step(parts[2]):
        awaiting.expect(s.db, km.id, BROADCAST_TEXT, step=parts[2])
        await say(update, context, km.lang, "km.broadcast_prompt")
    elif action == "send":
        await _broadcast_send(update, context, s, km)
    elif action == "cancel":
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, "km.broadcast_cancelled")
    else:
        await not_yours(update, context, km, None)


async def _broadcast_preview(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, *, step_id: str, item_id: str | None = None, text: str | None = None) -> None:
    if item_id is None and not text:
        await say(update, context, km.lang, "km.broadcast_prompt")
        return
    recipients = _recipients(s, km, step_id)
    step_title = s.renderer.title(km.lang, s.renderer.journey.step(step_id).overview)
    if not recipients:
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, "km.broadcast_none")
        return
    awaiting.expect(s.db, km.id, BROADCAST_CONFIRM, step=step_id, item_id=item_id, text=text)
    await say(update, context, km.lang, "km.broadcast_preview", count=len(recipients), step=step_title)
    preview = broadcast_text(s, km.lang, km, item_id, text)
    buttons = InlineKeyboardMarkup(
        [[_button(s.renderer.button(km.lang, "km.broadcast_send_button"), f"{BROADCAST}:send"),
          _button(s.renderer.button(km.lang, "km.broadcast_cancel_button"), f"{BROADCAST}:cancel")]]
    )
    await send_html(context.bot, update.effective_chat.id, preview, buttons)


def broadcast_text(s: Services, lang: str, km: Staff | None, item_id: str | None, text: str | None) -> str:
    """A broadcast as one reader sees it, rendered in their language."""
    if item_id is not None:
        item = s.renderer.item(lang, item_id)
        return item.html if item else s.renderer.ui(lang, "errors.generic")
    head = s.renderer.ui(lang, "broadcast.from_klantmanager", name=km.name if km else "")
    return f"{head}\n\n{escape(text or '', quote=False)}"


async def _broadcast_send(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    state = awaiting.current(s.db, km.id)
    if state is None or state.kind != BROADCAST_CONFIRM:
        await not_yours(update, context, km, None)
        return
    awaiting.clear(s.db, km.id)
    now = s.clock.now()
    recipients = _recipients(s, km, state.data["step"])
    broadcast_id = f"{km.id}:{int(now.timestamp())}"
    for user in recipients:
        outbox.enqueue(
            s.db, user_id=user.id, chat_id=user.id, kind=BROADCAST_KIND,
            params={"item_id": state.data.get("item_id"), "text": state.data.get("text"), "klantmanager_id": km.id},
            due_at=now, key=f"broadcast:{broadcast_id}:{user.id}",
        )
    audit.record(s.db, now, km.id, "broadcast", None, step=state.data["step"], item=state.data.get("item_id"), count=len(recipients))
    await say(update, context, km.lang, "km.broadcast_done", count=len(recipients))


async def send_broadcast(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: one broadcast message, rendered in the reader's language at send time."""
    user = get_user(s.db, row.user_id)
    if user is None or not user.onboarded:
        return Skipped("the person erased their data")
    params = row.params
    km = staff.get_staff(s.db, int(params["klantmanager_id"]))
    screen = Screen(text=lambda lg: broadcast_text(s, lg, km, params.get("item_id"), params.get("text")))
    await send_screen(bot, s.renderer, user.id, screen, user.lang, user)
    return None


# ---------------------------------------------------------------- wiring


STAFF_COMMANDS = ("start", "invite", "newclient", "clients", "open", "transfer", "away", "back", "broadcast")
STAFF_BUTTONS = (CLIENT, QUESTION, AWAY, BROADCAST, "kap")


def _outside_staff_flows(db: Any, update: Update) -> bool:
    """Is this staff member using something meant for statushouders?"""
    member = staff.get_staff(db, update.effective_user.id) if update.effective_user else None
    if member is None:
        return False
    if update.callback_query:
        return (update.callback_query.data or "").split(":")[0] not in STAFF_BUTTONS
    message = update.effective_message
    if message is None:
        return False
    text = message.text or ""
    if text.startswith("/"):
        return text[1:].split()[0].split("@")[0] not in STAFF_COMMANDS if text[1:] else True
    return not member.is_klantmanager


class _StaffOutside(TypeHandler):
    """Staff never enter the statushouder's flows (onboarding, menus, search): they get the staff help."""

    def __init__(self, app: Application) -> None:
        super().__init__(Update, self._help)
        self._app = app

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and _outside_staff_flows(self._app.bot_data[KEY].db, update)

    @staticmethod
    async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query:
            await update.callback_query.answer()
        await staff_help(update, context)


class _IsKlantmanager(filters.MessageFilter):
    """Messages from klantmanagers go to the klantmanager handlers, not to statushouder onboarding."""

    def __init__(self, app: Application) -> None:
        super().__init__(name="IsKlantmanager")
        self._app = app

    def filter(self, message: Any) -> bool:
        if message.from_user is None:
            return False
        person = staff.get_staff(self._app.bot_data[KEY].db, message.from_user.id)
        return person is not None and person.is_klantmanager and person.active


def register(app: Application) -> None:
    app.add_handler(_StaffOutside(app))  # first, so it wins over every statushouder handler
    handoff.register_kinds()
    notices.register_kinds()
    outbox.register_kind(BROADCAST_KIND, send_broadcast)
    private = filters.ChatType.PRIVATE
    for command, callback in (
        ("invite", invite_klantmanager),
        ("newclient", new_client),
        ("clients", clients),
        ("open", open_questions),
        ("transfer", transfer_command),
        ("away", away),
        ("back", back),
        ("broadcast", broadcast),
    ):
        app.add_handler(CommandHandler(command, callback, filters=private))
    # kc:appt:… belongs to handlers/km_appointments.py
    app.add_handler(CallbackQueryHandler(client_button, pattern=rf"^{CLIENT}:(?!appt:)"))
    app.add_handler(CallbackQueryHandler(question_button, pattern=rf"^{QUESTION}:"))
    app.add_handler(CallbackQueryHandler(away_button, pattern=rf"^{AWAY}:"))
    app.add_handler(CallbackQueryHandler(broadcast_button, pattern=rf"^{BROADCAST}:"))
    app.add_handler(MessageHandler(private & ~filters.COMMAND & _IsKlantmanager(app), staff_message))
