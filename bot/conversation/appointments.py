"""The person's answer to an appointment: "I will come", or "I cannot come" and why."""

from __future__ import annotations

import re

from bot.casework import handoff
from bot.conversation.common import fields, onboarded, reply, stale_button
from bot.core import awaiting
from bot.core.awaiting import Awaiting
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.reminders import appointments, reminder_views
from bot.screens import buttons, views

REASON = "cannot_come_reason"


@onboarded
async def answer_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    pressed = fields(match)
    action = pressed["action"]
    appointment = appointments.get(s.db, int(pressed["appointment"]))
    now = s.clock.now()
    if (
        appointment is None
        or appointment.user_id != user.id
        or appointment.status != appointments.PLANNED
        or appointment.starts_at <= now
    ):
        await stale_button(s, turn, user)
        return
    if action == reminder_views.NO_REASON:
        if not _stop_waiting_for_reason(s, user, appointment.id):  # the reason was given, or the answer changed
            await stale_button(s, turn, user)
            return
        handoff.plan_cannot_come_notice(s, user.id, appointment.id, reason_given=True)
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "appointment.reason_skipped", with_menu=True), user)
    elif action == reminder_views.COMING:
        appointments.answer(s.db, appointment, appointments.COMING, now)
        _stop_waiting_for_reason(s, user, appointment.id)
        handoff.cancel_cannot_come_notice(s, appointment.id)
        if appointment.answer == appointments.NOT_COMING:
            handoff.plan_comes_after_all_notice(s, user.id, appointment.id)
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "appointment.coming_thanks", with_menu=True), user)
    else:
        row_id = appointments.answer(s.db, appointment, appointments.NOT_COMING, now)
        awaiting.expect(s.db, user.id, REASON, appointment_id=appointment.id, cannot_come_id=row_id)
        handoff.plan_cannot_come_notice(s, user.id, appointment.id, reason_given=False)
        await reply(s, turn, reminder_views.reason_screen(s.renderer, user.lang, appointment.id), user)


def _stop_waiting_for_reason(s: Services, user: User, appointment_id: int) -> bool:
    """Stop waiting for the reason this appointment's "cannot come" asked for; whether it was awaited."""
    state = awaiting.current(s.db, user.id)
    if state is not None and state.kind == REASON and state.data.get("appointment_id") == appointment_id:
        awaiting.clear(s.db, user.id)
        return True
    return False


async def reason(s: Services, turn: Turn, user: User, awaited: Awaiting) -> None:
    """The text after "I cannot come": the reason, kept for the klantmanager."""
    text = turn.plain_text
    if not text or not text.strip():
        await reply(s, turn, reminder_views.reason_screen(s.renderer, user.lang, awaited.data["appointment_id"]), user)
        return
    appointments.give_reason(s.db, awaited.data["cannot_come_id"], user.id, text)
    awaiting.clear(s.db, user.id)
    handoff.plan_cannot_come_notice(s, user.id, awaited.data["appointment_id"], reason_given=True)
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "appointment.reason_saved", with_menu=True), user)


FEATURE = Feature(
    name="appointments",
    routes=(Route(answer_button, button=buttons.APPOINTMENT),),
    awaited={REASON: reason},
)
