"""A klantmanager's caseload: /clients, /open, a client's card, setting the step, /transfer."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.core.channel import Keyboard, as_keyboard
from bot.reminders import appointments, repetition
from bot.people import audit
from bot.casework import caseload, handoff, questions, staff
from bot.delivery import notices
from bot.screens import buttons as patterns
from bot.channels.telegram.handlers.common import pressed
from bot.channels.telegram.handlers.klantmanager import (
    CLIENT,
    CLIENTS_PAGE,
    button,
    caseload_owners,
    client_name,
    klantmanager_only,
    not_yours,
    say,
    step_title,
)
from bot.channels.telegram.channel import to_markup
from bot.channels.telegram.replies import send_html
from bot.core.features import Feature
from bot.core.services import Services
from bot.casework.staff import Staff
from bot.casework.staff_text import language_name, plural
from bot.people.users import set_step


def _visible_clients(s: Services, km: Staff, now: datetime) -> list[caseload.ClientLine]:
    return [line for owner in caseload_owners(s, km, now) for line in caseload.lines(s.db, owner)]


def _client_line_values(s: Services, km: Staff, line: caseload.ClientLine) -> dict[str, Any]:
    return {
        "name": line.name,
        "step": step_title(s, km, line.step),
        "language": language_name(s.renderer, km.lang, line.lang) if line.lang else "",
        "last_active": s.renderer.button(km.lang, "km.last_active", when=line.last_active_at)
        if line.last_active_at
        else s.renderer.button(km.lang, "km.never"),
        "open": line.open_questions,
        "unclear": line.unclear,
        "cannot": line.cannot_come,
    }


def not_understood(s: Services, km: Staff, user_id: int) -> list[str]:
    """Titles (plain text) of critical items this client did not confirm after every repeat."""
    return [s.renderer.title(km.lang, item_id) for item_id in repetition.not_understood(s.db, user_id)]


def cannot_come(s: Services, km: Staff, user_id: int) -> list[str]:
    """ "I cannot come" answers as HTML lines: the appointment and the reason the client gave."""
    r = s.renderer
    return [
        r.ui(
            km.lang,
            "km.cannot_line",
            kind=r.button(km.lang, f"appointment.kind.{a.kind}"),
            when=a.starts_at,
            reason=a.reason or "–",
        )
        for a in appointments.cannot_come_answers(s.db, user_id)
    ]


CLIENTS_PER_PAGE = 10
"""Clients on one page of ``/clients``: one phone screen, one message (a caseload is about 50)."""


def _clients_page(s: Services, km: Staff, page: int) -> tuple[str, Keyboard] | None:
    """Page ``page`` of the caseload (the last one if there are fewer), or None when it is empty."""
    visible = _visible_clients(s, km, s.clock.now())
    if not visible:
        return None
    pages = -(-len(visible) // CLIENTS_PER_PAGE)
    page = min(page, pages - 1)
    shown = visible[page * CLIENTS_PER_PAGE : (page + 1) * CLIENTS_PER_PAGE]
    lines = [s.renderer.ui(km.lang, "km.clients_header", count=len(visible))]
    if pages > 1:
        lines[0] += "\n" + s.renderer.ui(km.lang, "km.clients_page", page=page + 1, pages=pages)
    lines += [s.renderer.ui(km.lang, "km.clients_line", **_client_line_values(s, km, c)) for c in shown]
    buttons = [[button(c.name, f"{CLIENT}:card:{c.user_id}")] for c in shown]
    turn = []
    if page > 0:
        turn.append(button(s.renderer.button(km.lang, "km.clients_previous"), f"{CLIENTS_PAGE}:{page - 1}"))
    if page < pages - 1:
        turn.append(button(s.renderer.button(km.lang, "km.clients_next"), f"{CLIENTS_PAGE}:{page + 1}"))
    if turn:
        buttons.append(turn)
    return "\n\n".join(lines), as_keyboard(buttons)


@klantmanager_only
async def clients(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/clients: the caseload with what needs attention, a page at a time, one button per client."""
    shown = _clients_page(s, km, 0)
    if shown is None:
        await say(update, context, km.lang, "km.clients_empty")
        return
    await send_html(context.bot, update.effective_chat.id, *shown)


@klantmanager_only
async def clients_page(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """Another page of /clients, in the same message."""
    shown = _clients_page(s, km, int(pressed(context)["page"]))
    if shown is None:
        await say(update, context, km.lang, "km.clients_empty")
        return
    text, markup = shown
    await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=to_markup(markup))


def _age(s: Services, km: Staff, question: questions.Question) -> str:
    hours = int(question.age(s.clock.now()).total_seconds() // 3600)
    return (
        plural(s.renderer, km.lang, "km.age_hours", hours)
        if hours < 48
        else plural(s.renderer, km.lang, "km.age_days", hours // 24)
    )


@klantmanager_only
async def open_questions(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/open: questions waiting for an answer (their newest message is the client's), oldest first,
    then those answered but not closed."""
    pending = questions.open_questions(s.db, caseload_owners(s, km, s.clock.now()))
    if not pending:
        await say(update, context, km.lang, "km.open_empty")
        return
    waiting = sorted((item for item in pending if item.question.waiting_since), key=lambda i: i.question.waiting_since)
    answered = [item for item in pending if not item.question.waiting_since]
    lines, buttons = [], []
    for header, group in (("km.open_waiting_header", waiting), ("km.open_answered_header", answered)):
        if not group:
            continue
        lines.append(s.renderer.ui(km.lang, header, count=len(group)))
        for item in group:
            n = len(buttons) + 1
            question = item.question
            lines.append(
                s.renderer.ui(
                    km.lang, "km.open_line", n=n, client=item.client, age=_age(s, km, question), preview=item.latest[:80]
                )
            )
            buttons.append(
                [
                    button(
                        f"{n}. {s.renderer.button(km.lang, 'km.reply_button')} {item.client}",
                        f"{handoff.KM_REPLY}:{question.id}",
                    )
                ]
            )
    await send_html(context.bot, update.effective_chat.id, "\n\n".join(lines), as_keyboard(buttons))


@klantmanager_only
async def client_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """kc:<card|step|tr|keep>:<client>, kc:set:<client>:<step>, kc:<to|move>:<client>:<colleague>."""
    fields = pressed(context)
    action = fields["action"]
    user_id = int(fields["client"])
    if not staff.may_act_for(s.db, km.id, user_id, s.clock.now()):
        await not_yours(update, context, km, user_id)
        return
    if action == "card":
        await _client_card(update, context, s, km, user_id)
    elif action == "step":
        steps = s.renderer.journey.steps
        buttons = [
            [button(f"{st.number}. {s.renderer.title(km.lang, st.overview)}", f"{CLIENT}:set:{user_id}:{st.id}")]
            for st in steps
        ]
        await say(
            update, context, km.lang, "km.choose_step", as_keyboard(buttons), client=client_name(s, user_id)
        )
    elif action == "set":
        await _set_client_step(update, context, s, km, user_id, fields["step"])
    elif action == "tr":
        owner = staff.client(s.db, user_id).klantmanager_id
        colleagues = [k for k in staff.all_klantmanagers(s.db) if k.id not in (owner, km.id)]
        if not colleagues:
            await say(update, context, km.lang, "km.transfer_no_colleagues")
            return
        buttons = [[button(k.name, f"{CLIENT}:to:{user_id}:{k.id}")] for k in colleagues]
        await say(
            update,
            context,
            km.lang,
            "km.transfer_choose",
            as_keyboard(buttons),
            client=client_name(s, user_id),
        )
    elif action == "keep":
        await say(update, context, km.lang, "km.transfer_cancelled", client=client_name(s, user_id))
    elif action == "to":
        await _confirm_transfer(update, context, s, km, user_id, int(fields["to"]))
    else:
        await _transfer(update, context, s, km, user_id, int(fields["to"]))


async def _confirm_transfer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int, to_id: int
) -> None:
    """A transfer moves every question and all data: the klantmanager confirms it first."""
    target = staff.get_staff(s.db, to_id)
    if target is None or not target.is_klantmanager or to_id in (km.id, staff.client(s.db, user_id).klantmanager_id):
        await not_yours(update, context, km, user_id)
        return
    buttons = as_keyboard(
        [
            [
                button(s.renderer.button(km.lang, "km.transfer_confirm_button"), f"{CLIENT}:move:{user_id}:{to_id}"),
                button(s.renderer.button(km.lang, "km.transfer_cancel_button"), f"{CLIENT}:keep:{user_id}"),
            ]
        ]
    )
    await say(
        update, context, km.lang, "km.transfer_confirm", buttons, client=client_name(s, user_id), name=target.name
    )


async def _client_card(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int
) -> None:
    values = _client_line_values(s, km, caseload.line(s.db, user_id))
    lines = [s.renderer.ui(km.lang, "km.client_card", **values)]
    if unclear := not_understood(s, km, user_id):
        lines += [
            "",
            s.renderer.ui(km.lang, "km.unclear_header"),
            *[f"• {escape(title, quote=False)}" for title in unclear],
        ]
    if cannot := cannot_come(s, km, user_id):
        lines += ["", s.renderer.ui(km.lang, "km.cannot_header"), *[f"• {line}" for line in cannot]]
    buttons = [
        [button(s.renderer.button(km.lang, "km.set_step_button"), f"{CLIENT}:step:{user_id}")],
        [button(s.renderer.button(km.lang, "km.appointment_button"), f"{CLIENT}:appt:{user_id}")],
        [button(s.renderer.button(km.lang, "km.transfer_button"), f"{CLIENT}:tr:{user_id}")],
    ]
    await send_html(context.bot, update.effective_chat.id, "\n".join(lines), as_keyboard(buttons))


async def _set_client_step(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int, step_id: str | None
) -> None:
    step = s.renderer.journey.step(step_id)
    if step is None:
        await not_yours(update, context, km, user_id)
        return
    now = s.clock.now()
    with s.db.atomic():  # the step, its messages and the audit line: one commit
        set_step(s.db, user_id, step.id)
        repetition.on_step_reached(s.db, s.renderer.journey, user_id, step.id, now)
        audit.record(s.db, now, km.id, "set_step", user_id, step=step.id)
        notices.send_step_card(s.db, user_id=user_id, now=now)
    await say(
        update,
        context,
        km.lang,
        "km.step_set",
        client=client_name(s, user_id),
        step=s.renderer.title(km.lang, step.overview),
    )


async def _transfer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int, to_id: int
) -> None:
    target = staff.get_staff(s.db, to_id)
    previous = staff.client(s.db, user_id).klantmanager_id
    if target is None or not target.is_klantmanager or to_id in (km.id, previous):
        # Only a colleague can take a client over: never the one acting, never the one who has them.
        await not_yours(update, context, km, user_id)
        return
    now = s.clock.now()
    staff.transfer(s.db, user_id, to_id)
    audit.record(s.db, now, km.id, "transfer", user_id, from_klantmanager=previous, to_klantmanager=to_id)
    who = client_name(s, user_id)
    notices.notify(
        s.db, chat_id=to_id, about=user_id, key="km.transfer_received", now=now, client=who, colleague=km.name
    )
    if previous != km.id:  # a substitute moved a colleague's client: the colleague hears it
        notices.notify(
            s.db, chat_id=previous, about=user_id, key="km.transfer_done", now=now, client=who, name=target.name
        )
    notices.notify(s.db, chat_id=user_id, about=user_id, key="transfer.client", now=now, name=target.name)
    await say(update, context, km.lang, "km.transfer_done", client=who, name=target.name)


@klantmanager_only
async def transfer_command(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/transfer: choose a client, then a colleague."""
    caseload = staff.caseload(s.db, km.id)
    if not caseload:
        await say(update, context, km.lang, "km.clients_empty")
        return
    buttons = [[button(c.name, f"{CLIENT}:tr:{c.user_id}")] for c in caseload]
    await say(update, context, km.lang, "km.transfer_choose_client", as_keyboard(buttons))


def _register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("clients", clients, filters=private))
    app.add_handler(CallbackQueryHandler(clients_page, pattern=patterns.CLIENTS_PAGE))
    app.add_handler(CommandHandler("open", open_questions, filters=private))
    app.add_handler(CommandHandler("transfer", transfer_command, filters=private))
    # kc:appt:<client> belongs to handlers/km_appointments.py
    for pattern in (patterns.CLIENT, patterns.CLIENT_SET_STEP, patterns.CLIENT_TRANSFER_TO):
        app.add_handler(CallbackQueryHandler(client_button, pattern=pattern))


FEATURE = Feature(
    name="km_caseload",
    telegram=_register,
    staff_commands=("clients", "open", "transfer"),
    staff_buttons=(CLIENT, CLIENTS_PAGE),
)
