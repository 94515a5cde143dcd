"""/reminders: pause repetition for a while, or turn it on again; see coming appointments.

The feature also brings the outbox kinds of reminders and repetition
(``bot/reminders/reminder_senders.py``).
"""

from __future__ import annotations

import re

from bot.cli import reminders as reminders_cli
from bot.conversation.common import fields, onboarded, reply
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.reminders import appointments, reminder_senders, reminder_views, repetition
from bot.screens import buttons
from bot.texts.timing import load_timing


async def _show_state(s: Services, turn: Turn, user: User) -> None:
    now = s.clock.now()
    upcoming = appointments.list_appointments(s.db, user_id=user.id, after=now, planned_only=True)
    paused = repetition.paused_until(s.db, user.id, now)
    await reply(s, turn, reminder_views.reminders_screen(s.renderer, user.lang, paused, upcoming), user)


@onboarded
async def reminders(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await _show_state(s, turn, user)


@onboarded
async def reminders_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    if fields(match)["action"] == reminder_views.PAUSE:
        repetition.pause(s.db, load_timing(s.renderer.journey), user.id, s.clock.now())
    else:
        repetition.resume(s.db, user.id)
    await _show_state(s, turn, user)


FEATURE = Feature(
    name="reminders",
    routes=(Route(reminders, command="reminders"), Route(reminders_button, button=buttons.REMINDERS)),
    senders=reminder_senders.SENDERS,
    commands={"reminders": 60},
    cli=reminders_cli.add_parsers,
)
