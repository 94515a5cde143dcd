"""Answers to "Did you understand?" under a critical item.

"Ask my klantmanager" (``ask:item:<id>``) is handled by the handoff (``conversation/ask.py``).
"""

from __future__ import annotations

import re

from bot.conversation.common import fields, onboarded, reply, stale_button
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.reminders import reminder_views, repetition
from bot.screens import buttons, views


@onboarded
async def check_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    action, item_id = fields(match)["action"], fields(match)["item"]
    if not s.renderer.journey.is_critical(item_id):
        await stale_button(s, turn, user)
        return
    now = s.clock.now()
    if action == reminder_views.UNDERSTOOD:
        repetition.confirm(s.db, user.id, item_id, now)
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "check.thanks", with_menu=True), user)
    else:
        repetition.mark_unclear(s.db, user.id, item_id, now)
        await reply(s, turn, reminder_views.unclear_screen(s.renderer, user.lang, item_id), user)
    repetition.bring_next(s.db, user.id, now)  # after this answer, not before it


FEATURE = Feature(name="checks", routes=(Route(check_button, button=buttons.CHECK),))
