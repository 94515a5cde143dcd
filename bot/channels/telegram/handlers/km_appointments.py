"""A klantmanager adds, changes or cancels a client's appointment, step by step.

Kind (buttons) → date and time (Dutch, e.g. ``12 maart 14:00``) → place →
what to bring → check and save. The answers so far are kept in the awaiting
state, so a restart in the middle loses nothing. Saving goes through
``bot/reminders/appointments.py``, which plans the client's notice and reminders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.core.channel import as_keyboard
from bot.reminders import appointments
from bot.people import audit
from bot.core import awaiting
from bot.casework import staff
from bot.screens import buttons as patterns
from bot.reminders.appointments import AppointmentError
from bot.core.awaiting import Awaiting
from bot.core.clock import iso, parse_iso
from bot.core.features import Feature
from bot.reminders.dutch_dates import DateError, parse
from bot.channels.telegram.handlers.common import person, pressed
from bot.channels.telegram.handlers.klantmanager import (
    APPOINTMENT,
    button,
    client_name,
    current_klantmanager,
    klantmanager_only,
    not_yours,
    say,
)
from bot.channels.telegram.replies import send_html
from bot.core.services import Services
from bot.channels.telegram.context import services
from bot.casework.staff import Staff
from bot.texts.timing import load_timing
from bot.people.users import User

APPT = APPOINTMENT
FLOW = "km_appointment"
WHEN, PLACE, BRING, CHECK = "when", "place", "bring", "check"



@klantmanager_only
async def start_appointment(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """kc:appt:<client>: the client's planned appointments (change, cancel) and buttons for a new one."""
    user_id = int(pressed(context)["client"])
    if not staff.may_act_for(s.db, km.id, user_id, s.clock.now()):
        await not_yours(update, context, km, user_id)
        return
    r = s.renderer
    planned = appointments.list_appointments(s.db, user_id=user_id, after=s.clock.now(), planned_only=True)
    lines = [r.ui(km.lang, "km.appt_header", client=client_name(s, user_id))]
    rows = []
    for a in planned:
        kind = r.button(km.lang, f"appointment.kind.{a.kind}")
        lines.append(r.ui(km.lang, "km.appt_line", kind=kind, when=iso(a.starts_at), place=a.place or ""))
        rows.append(
            [
                button(
                    r.button(km.lang, "km.appt_change_button", kind=kind, when=iso(a.starts_at)),
                    f"{APPT}:change:{a.id}",
                ),
                button(f"✖ {r.button(km.lang, 'km.appt_cancel_button')}", f"{APPT}:cancel:{a.id}"),
            ]
        )
    if not planned:
        lines.append(r.ui(km.lang, "km.appt_none"))
    kinds = load_timing(r.journey).appointment_kinds
    rows += [[button(f"➕ {r.button(km.lang, f'appointment.kind.{k}')}", f"{APPT}:new:{user_id}:{k}")] for k in kinds]
    await send_html(context.bot, update.effective_chat.id, "\n".join(lines), as_keyboard(rows))


def _flow(s: Services, km: Staff, token: str) -> dict[str, Any] | None:
    """The klantmanager's appointment flow, if the pressed button belongs to this run of it (its token)."""
    state = awaiting.current(s.db, km.id)
    if state is None or state.kind != FLOW or state.data.get("token") != token:
        return None
    return state.data


def _gone(appointment: appointments.Appointment, now: datetime) -> bool:
    """Cancelled or already begun: nothing to change or cancel any more."""
    return appointment.status != appointments.PLANNED or appointment.starts_at <= now


@klantmanager_only
async def appointment_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    fields = pressed(context)
    if fields["action"] == "new":
        await _new(update, context, s, km, fields)
    elif "appointment" in fields:
        await _edit(update, context, s, km, fields)
    else:
        await _flow_button(update, context, s, km, fields)


async def _new(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, fields: dict[str, Any]
) -> None:
    """➕ <kind>: a new appointment for the client."""
    user_id = int(fields["client"])
    if fields["kind"] not in load_timing(s.renderer.journey).appointment_kinds:
        await say(update, context, km.lang, "km.stale_button")
        return
    if not staff.may_act_for(s.db, km.id, user_id, s.clock.now()):
        await not_yours(update, context, km, user_id)
        return
    await _start_flow(update, context, s, km, user_id, fields["kind"], appointment_id=None)


async def _edit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, fields: dict[str, Any]
) -> None:
    """✏ change, ✖ cancel (asks first), and the answers to "cancel it?" (drop, keep) of one appointment."""
    now = s.clock.now()
    appointment = appointments.get(s.db, int(fields["appointment"]))
    if appointment is None:
        await say(update, context, km.lang, "km.stale_button")
        return
    if not staff.may_act_for(s.db, km.id, appointment.user_id, now):
        await not_yours(update, context, km, appointment.user_id)
        return
    if _gone(appointment, now):
        await say(update, context, km.lang, "km.appt_gone")
        return
    action = fields["action"]
    if action == "change":
        await _start_flow(
            update,
            context,
            s,
            km,
            appointment.user_id,
            appointment.kind,
            appointment_id=appointment.id,
            current_place=appointment.place,
        )
    elif action == "cancel":
        await _ask_cancel(update, context, s, km, appointment)
    elif action == "keep":
        await say(update, context, km.lang, "km.appt_kept")
    elif int(fields["version"]) != appointment.version:  # drop, but the appointment changed since the question
        await say(update, context, km.lang, "km.stale_button")
    else:
        await _cancel(update, context, s, km, appointment)


async def _start_flow(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, user_id: int, kind: str, **data: Any
) -> None:
    """A new run of the flow (a new appointment, or a change: ``appointment_id``), asking the date first;
    its buttons carry a new token, so those of an earlier run are stale."""
    awaiting.expect(
        s.db, km.id, FLOW, about=user_id, stage=WHEN, user_id=user_id, kind=kind, token=patterns.new_token(), **data
    )
    await say(update, context, km.lang, "km.appt_when")


async def _flow_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, fields: dict[str, Any]
) -> None:
    """Zelfde adres, Niets, Opslaan, Niet opslaan: only on the messages of the flow that is running."""
    action, data = fields["action"], _flow(s, km, fields["token"])
    if data is None:
        await say(update, context, km.lang, "km.stale_button")
    elif action == "same" and data["stage"] == PLACE and data.get("current_place"):
        await _ask_bring(update, context, s, km, {**data, "place": data["current_place"]})
    elif action == "nothing" and data["stage"] == BRING:
        await _check(update, context, s, km, {**data, "bring": None})
    elif action == "save" and data["stage"] == CHECK:
        await _save(update, context, s, km, data)
    elif action == "abort":
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, "km.appt_aborted")
    else:
        await say(update, context, km.lang, "km.stale_button")


async def _ask_cancel(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, appointment: appointments.Appointment
) -> None:
    """The client is told at once (if they had heard of it): the klantmanager confirms first. Ja holds the version."""
    r = s.renderer
    keyboard = as_keyboard(
        [
            [
                button(r.button(km.lang, "km.appt_drop_button"), f"{APPT}:drop:{appointment.id}:{appointment.version}"),
                button(r.button(km.lang, "km.appt_keep_button"), f"{APPT}:keep:{appointment.id}"),
            ]
        ]
    )
    await say(
        update,
        context,
        km.lang,
        "km.appt_cancel_confirm" if appointments.was_told(s.db, appointment) else "km.appt_cancel_confirm_untold",
        keyboard,
        client=client_name(s, appointment.user_id),
        kind=r.button(km.lang, f"appointment.kind.{appointment.kind}"),
        when=iso(appointment.starts_at),
    )


async def _cancel(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, appointment: appointments.Appointment
) -> None:
    """ "Ja, annuleren": cancel, plan the client's notice, and say whether they had heard of it."""
    now = s.clock.now()
    told = appointments.was_told(s.db, appointment)
    try:
        appointments.cancel(s.db, load_timing(s.renderer.journey), appointment.id, now=now)
    except AppointmentError as exc:
        await say(update, context, km.lang, exc.key, **exc.values)
        return
    audit.record(s.db, now, km.id, "appointment_cancelled", appointment.user_id, appointment_id=appointment.id)
    key = "km.appt_cancelled" if told else "km.appt_cancelled_untold"
    await say(update, context, km.lang, key, client=client_name(s, appointment.user_id))
    await _tell_when_held(update, context, s, km, appointment)


async def answered(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None, state: Awaiting) -> None:
    """The klantmanager's typed answer for the current stage of the flow."""
    s = services(context)
    km = current_klantmanager(update, s)
    text = (update.effective_message.text or "").strip()
    data = {**state.data, "token": state.data.get("token") or patterns.new_token()}  # a flow begun before tokens
    if km is None or not staff.may_act_for(s.db, km.id, int(data["user_id"]), s.clock.now()):
        person_id = person(update, context)
        if person_id is not None:
            awaiting.clear(s.db, person_id)
        return
    if not text:
        await say(update, context, km.lang, f"km.appt_{data['stage']}")
        return
    if data["stage"] == WHEN:
        try:
            when = parse(text, s.clock.now()).moment()
        except DateError as exc:
            await say(update, context, km.lang, f"km.date.{exc.reason}", **exc.values)
            return
        awaiting.expect(
            s.db, km.id, FLOW, about=int(data["user_id"]), **{**data, "stage": PLACE, "starts_at": iso(when)}
        )
        if data.get("current_place"):  # a change keeps the address unless the klantmanager writes a new one
            same = as_keyboard(
                [[button(s.renderer.button(km.lang, "km.appt_same_place_button"), f"{APPT}:same:{data['token']}")]]
            )
            await say(update, context, km.lang, "km.appt_place_keep", same, place=data["current_place"])
        else:
            await say(update, context, km.lang, "km.appt_place")
    elif data["stage"] in (PLACE, BRING) and len(text) > appointments.MAX_TEXT:
        await say(update, context, km.lang, "km.appt_too_long", limit=appointments.MAX_TEXT)
    elif data["stage"] == PLACE:
        await _ask_bring(update, context, s, km, {**data, "place": text})
    elif data["stage"] == BRING:
        await _check(update, context, s, km, {**data, "bring": text})
    else:
        await say(update, context, km.lang, "km.appt_check_buttons")


async def _ask_bring(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, data: dict[str, Any]
) -> None:
    awaiting.expect(s.db, km.id, FLOW, about=int(data["user_id"]), **{**data, "stage": BRING})
    nothing = as_keyboard(
        [[button(s.renderer.button(km.lang, "km.appt_nothing_button"), f"{APPT}:nothing:{data['token']}")]]
    )
    await say(update, context, km.lang, "km.appt_bring", nothing)


async def _check(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, data: dict[str, Any]
) -> None:
    awaiting.expect(s.db, km.id, FLOW, about=int(data["user_id"]), **{**data, "stage": CHECK})
    buttons = as_keyboard(
        [
            [
                button(s.renderer.button(km.lang, "km.appt_save_button"), f"{APPT}:save:{data['token']}"),
                button(s.renderer.button(km.lang, "km.appt_abort_button"), f"{APPT}:abort:{data['token']}"),
            ]
        ]
    )
    await say(
        update,
        context,
        km.lang,
        "km.appt_confirm",
        buttons,
        client=client_name(s, int(data["user_id"])),
        kind=s.renderer.button(km.lang, f"appointment.kind.{data['kind']}"),
        when=data["starts_at"],
        place=data["place"],
        bring=data.get("bring") or "–",
    )


async def _save(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, data: dict[str, Any]
) -> None:
    now = s.clock.now()
    if not staff.may_act_for(s.db, km.id, int(data["user_id"]), now):
        await not_yours(update, context, km, int(data["user_id"]))
        return
    changed = appointments.get(s.db, int(data["appointment_id"])) if data.get("appointment_id") else None
    if changed is not None and _gone(changed, now):  # cancelled (or begun) while this change was being written
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, "km.appt_gone")
        return
    timing = load_timing(s.renderer.journey)
    fields = {"starts_at": parse_iso(data["starts_at"]), "place": data["place"], "bring": data.get("bring")}
    try:
        if data.get("appointment_id"):
            appointment = appointments.change(s.db, timing, int(data["appointment_id"]), now=now, **fields)
            action = "appointment_changed"
        else:
            appointment = appointments.add(
                s.db, timing, user_id=int(data["user_id"]), kind=data["kind"], now=now, **fields
            )
            action = "appointment_added"
    except AppointmentError as exc:
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, exc.key, **exc.values)
        return
    awaiting.clear(s.db, km.id)
    audit.record(s.db, now, km.id, action, appointment.user_id, appointment_id=appointment.id)
    await say(update, context, km.lang, "km.appt_saved", client=client_name(s, appointment.user_id))
    await _tell_when_held(update, context, s, km, appointment)


async def _tell_when_held(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, appointment: appointments.Appointment
) -> None:
    """In quiet hours the client's notice waits: the klantmanager hears until when ("om 08:00")."""
    until = appointments.notice_held_until(s.db, appointment, s.clock.now())
    if until is not None:
        await say(update, context, km.lang, "km.appt_held", client=client_name(s, appointment.user_id), when=until)


def _register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(start_appointment, pattern=patterns.CLIENT_APPOINTMENTS))
    for pattern in (
        patterns.APPOINTMENT_NEW, patterns.APPOINTMENT_EDIT, patterns.APPOINTMENT_DROP, patterns.APPOINTMENT_FLOW
    ):
        app.add_handler(CallbackQueryHandler(appointment_button, pattern=pattern))


FEATURE = Feature(
    name="km_appointments", telegram=_register, staff_awaited={FLOW: answered}, staff_buttons=(APPOINTMENT,)
)
