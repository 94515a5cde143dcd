"""Outbox senders for appointments and repetition: each renders its row at send time.

At send time a sender looks again at what the row is about (the appointment,
the person's answer, their step, a pause) and skips what is no longer wanted,
so a message planned long ago never says something that stopped being true.
"""

from __future__ import annotations

from telegram import Bot

from bot.reminders import appointments, repetition
from bot.delivery import outbox
from bot.screens.messaging import send_screen
from bot.delivery.outbox import OutboxRow, Skipped
from bot.reminders.reminder_views import appointment_screen, check_screen, good_to_know_screen
from bot.core.services import Services
from bot.channels.telegram.identity import chat_of
from bot.texts.timing import load_timing
from bot.people.users import User, get_user

NOTICE_HEADERS = {
    appointments.ADDED: "appointment.added",
    appointments.CHANGED: "appointment.changed",
    appointments.CANCELLED: "appointment.cancelled",
}


def _person(s: Services, row: OutboxRow) -> User | None:
    user = get_user(s.db, row.user_id)
    return user if user is not None and user.onboarded and user.lang else None


async def send_appointment_notice(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    user = _person(s, row)
    appointment = appointments.get(s.db, row.params["appointment_id"])
    if user is None or appointment is None:
        return Skipped("gone")
    event = row.params["event"]
    if event != appointments.CANCELLED and appointment.version != row.params["version"]:
        return Skipped("changed since")
    ask = event != appointments.CANCELLED
    screen = appointment_screen(s.renderer, user.lang, appointment, NOTICE_HEADERS[event], ask_answer=ask)
    await send_screen(bot, s.renderer, chat_of(s.db, row.chat_id), screen, user.lang, user)
    return None


async def send_appointment_reminder(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    user = _person(s, row)
    appointment = appointments.get(s.db, row.params["appointment_id"])
    if user is None or appointment is None:
        return Skipped("gone")
    if appointment.status != appointments.PLANNED or appointment.version != row.params["version"]:
        return Skipped("changed since")
    if appointment.starts_at <= s.clock.now():
        return Skipped("too late")
    if appointment.answer == appointments.NOT_COMING:
        # The klantmanager heard "I cannot come" and decides what happens next (a change
        # of time asks again); pressing "I will come" after all brings the reminders back.
        return Skipped("the person cannot come")
    screen = appointment_screen(s.renderer, user.lang, appointment, "appointment.reminder", ask_answer=True)
    await send_screen(bot, s.renderer, chat_of(s.db, row.chat_id), screen, user.lang, user)
    return None


async def send_critical_item(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    user = _person(s, row)
    item_id = row.params["item_id"]
    if user is None or not s.renderer.journey.is_critical(item_id):
        return Skipped("gone")
    if not repetition.is_current(s.db, user.id, row.params):
        return Skipped("answered")
    now = s.clock.now()
    result = None
    if row.params["n"] > 0 and repetition.paused_until(s.db, user.id, now):
        result = Skipped("paused")
    else:
        screen = check_screen(s.renderer, user.lang, item_id, repeat=row.params["n"] > 0)
        await send_screen(bot, s.renderer, chat_of(s.db, row.chat_id), screen, user.lang, user)
    repetition.after_critical_sent(s.db, load_timing(s.renderer.journey), user.id, row.params, now)
    return result


async def send_not_understood(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """No message: the unconfirmed item goes on the klantmanager's list."""
    if not repetition.is_current(s.db, row.user_id, row.params):
        return Skipped("answered")
    repetition.escalate(s.db, row.user_id, row.params, s.clock.now())
    return None


async def send_good_to_know(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    user = _person(s, row)
    step = s.renderer.journey.step(row.params["step_id"])
    if user is None or step is None or user.step != step.id or not repetition.good_to_know_items(step):
        return Skipped("another step")
    now = s.clock.now()
    result = None
    if repetition.paused_until(s.db, user.id, now):
        result = Skipped("paused")
    else:
        item_id = repetition.good_to_know_item(step, row.params["n"])
        await send_screen(bot, s.renderer, chat_of(s.db, row.chat_id), good_to_know_screen(s.renderer, user.lang, item_id), user.lang, user)
    repetition.plan_good_to_know(s.db, load_timing(s.renderer.journey), user.id, step, now)
    return result


def register_kinds() -> None:
    outbox.register_kind(appointments.NOTICE, send_appointment_notice)
    outbox.register_kind(appointments.REMINDER, send_appointment_reminder)
    outbox.register_kind(repetition.CRITICAL, send_critical_item)
    outbox.register_kind(repetition.ESCALATE, send_not_understood)
    outbox.register_kind(repetition.GOOD_TO_KNOW, send_good_to_know)
