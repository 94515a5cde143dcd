"""Screens of reminders and repetition: appointments, "did you understand?", good to know.

Button data: ``appt:<yes|no|skip>:<appointment id>``, ``chk:<yes|unclear>:<item id>``,
``rem:<pause|resume>``. ``more:<item id>`` ("Read more") belongs to ``handlers/read_more.py``;
``ask:item:<item id>`` belongs to the handoff (asking
the klantmanager about an item).
"""

from __future__ import annotations

from datetime import datetime

from bot.core.channel import Button, Keyboard
from bot.texts import unchecked
from bot.screens import views
from bot.reminders.appointments import CANCELLED, Appointment
from bot.screens.messaging import Screen
from bot.texts.render import Renderer

APPOINTMENT, CHECK, REMINDERS = "appt", "chk", "rem"
COMING, NOT_COMING, NO_REASON = "yes", "no", "skip"
UNDERSTOOD, UNCLEAR = "yes", "unclear"
PAUSE, RESUME = "pause", "resume"
ASK_ITEM = "item"
"""``ask:item:<id>``: asking the klantmanager about an item (handled by ``handlers/ask.py``)."""


def _button(r: Renderer, lang: str, key: str, action: str, *args: str) -> Button:
    return Button(r.button(lang, key), views.data(action, *args))


def appointment_details(r: Renderer, lang: str, appointment: Appointment) -> str:
    kind = r.button(lang, f"appointment.kind.{appointment.kind}")  # plain text: the template escapes it
    lines = [r.ui(lang, "appointment.when", kind=kind, when=appointment.starts_at)]
    for field in ("place", "bring", "note"):
        value = getattr(appointment, field)
        if value:
            lines.append(r.ui(lang, f"appointment.{field}", value=value))
    return "\n".join(lines)


def appointment_screen(r: Renderer, lang: str, appointment: Appointment, header_key: str, ask_answer: bool) -> Screen:
    """A notice or reminder, with the map link; ``ask_answer`` adds "I will come" / "I cannot come"."""
    rows: list[tuple[Button, ...]] = []
    if appointment.map_url and appointment.status != CANCELLED:
        rows.append((Button.link(r.button(lang, "appointment.map"), appointment.map_url),))
    if ask_answer:
        number = str(appointment.id)
        rows.append((_button(r, lang, "appointment.coming", APPOINTMENT, COMING, number),))
        rows.append((_button(r, lang, "appointment.not_coming", APPOINTMENT, NOT_COMING, number),))
    return Screen(
        text=lambda lg: f"{r.ui(lg, header_key)}\n\n{appointment_details(r, lg, appointment)}",
        keyboard=tuple(rows),
    )


def reason_screen(r: Renderer, lang: str, appointment_id: int) -> Screen:
    keyboard = ((_button(r, lang, "appointment.no_reason", APPOINTMENT, NO_REASON, str(appointment_id)),),)
    return Screen(text=lambda lg: r.ui(lg, "appointment.reason_prompt"), keyboard=keyboard)


def ask_button(r: Renderer, lang: str, item_id: str) -> Button:
    return _button(r, lang, "check.ask", views.ASK, ASK_ITEM, item_id)


def check_screen(r: Renderer, lang: str, item_id: str, repeat: bool) -> Screen:
    """A critical item (its short part, with "Read more") and "Did you understand?" under it."""
    header = "check.repeat" if repeat else "check.first"
    item_text, split = views.item_text(r, lang, item_id)
    shown = unchecked.with_original(r, item_id, item_text)
    more: Keyboard = ((views.read_more_button(r, lang, item_id),),) if split else ()
    keyboard = (
        *more,
        (_button(r, lang, "check.yes", CHECK, UNDERSTOOD, item_id),),
        (_button(r, lang, "check.unclear", CHECK, UNCLEAR, item_id),),
        (ask_button(r, lang, item_id),),
    )
    return Screen(
        text=lambda lg: f"{r.ui(lg, header)}\n\n{shown(lg)}\n\n{r.ui(lg, 'check.question')}",
        keyboard=keyboard,
        bilingual=not unchecked.needs_original(r, lang, item_id),
    )


def unclear_screen(r: Renderer, lang: str, item_id: str) -> Screen:
    """The item again, in the person's own language only, with the way to the klantmanager."""
    item_text, split = views.item_text(r, lang, item_id)
    more: Keyboard = ((views.read_more_button(r, lang, item_id),),) if split else ()
    keyboard = (*more, (_button(r, lang, "check.yes", CHECK, UNDERSTOOD, item_id),), (ask_button(r, lang, item_id),))
    return Screen(
        text=lambda lg: f"{r.ui(lg, 'check.unclear_intro')}\n\n{item_text(lg)}\n\n{r.ui(lg, 'check.unclear_outro')}",
        keyboard=keyboard,
        bilingual=False,
    )


def good_to_know_screen(r: Renderer, lang: str, item_id: str) -> Screen:
    def text(lg: str) -> str:
        item = r.item(lg, item_id)
        summary = item.summary if item else ""
        return r.ui(lg, "good_to_know.text", title=r.title(lg, item_id), summary=summary)

    keyboard = (
        (_button(r, lang, "good_to_know.more", views.ITEM, item_id),),
        (_button(r, lang, "reminders.pause", REMINDERS, PAUSE),),
    )
    return Screen(text=text, keyboard=keyboard)


def reminders_screen(r: Renderer, lang: str, paused_until: datetime | None, upcoming: list[Appointment]) -> Screen:
    """/reminders: whether repetition is paused, and the person's coming appointments."""

    def text(lg: str) -> str:
        state = r.ui(lg, "reminders.paused", until=paused_until) if paused_until else r.ui(lg, "reminders.on")
        lines = [state, "", r.ui(lg, "reminders.appointments")]
        for appointment in upcoming:
            kind = r.button(lg, f"appointment.kind.{appointment.kind}")
            lines.append(r.ui(lg, "reminders.appointment_line", kind=kind, when=appointment.starts_at))
        if not upcoming:
            lines.append(r.ui(lg, "reminders.no_appointments"))
        return "\n".join(lines)

    toggle = ("reminders.resume", RESUME) if paused_until else ("reminders.pause", PAUSE)
    keyboard = ((_button(r, lang, toggle[0], REMINDERS, toggle[1]),), views.back_to_menu(r, lang))
    return Screen(text=text, keyboard=keyboard)
