"""Everything no other handler took: unknown commands, messages, old buttons.

Listed last, so each feature before it gets its input first.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.casework import staff
from bot.conversation import followup, search
from bot.conversation.common import onboarded, reply, reply_html, stale_button, user_of
from bot.core import awaiting
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.screens import views
from bot.search.greetings import is_greeting

MAX_TEXT_LENGTH = 4096
"""The longest message we take in (Telegram's own limit): a longer one is refused, not cut."""


@onboarded
async def unknown_command(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "errors.unknown_command", with_menu=True), user)


@onboarded
async def message(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    """Any message that is not a command: an awaited answer, free text, or something unreadable."""
    text = turn.plain_text
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "errors.too_long", with_menu=True), user)
        return
    awaited = awaiting.current(s.db, user.id)
    handler = s.registry.awaited.get(awaited.kind) if awaited else None
    if handler is not None:
        await handler(s, turn, user, awaited)
    elif await followup.offer(s, turn, user):
        return
    elif text is None:
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "errors.not_text", with_menu=True), user)
    else:
        await free_text(s, turn, user, text)


async def free_text(s: Services, turn: Turn, user: User, text: str) -> None:
    """A greeting gets the menu; anything else is a question to search."""
    if is_greeting(text, user.lang):
        menu = views.menu_screen(s.renderer, user)
        await reply(s, turn, replace(menu, text=lambda lg: s.renderer.ui(lg, "greeting.hello")), user)
        return
    await search.answer(s, turn, user, text)


async def unknown_button(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    """Button data that matches no pattern in ``bot/screens/buttons.py``: forged, or from an old version."""
    member = (None if turn.person_id is None else staff.get_staff(s.db, turn.person_id))
    if member is not None:
        await reply_html(s, turn, s.renderer.ui(member.lang, "km.stale_button"))
        return
    await stale_button(s, turn, user_of(s, turn))


FEATURE = Feature(
    name="fallback",
    routes=(
        Route(unknown_command, any_command=True),
        Route(message, message=True),
        Route(unknown_button, any_button=True),
    ),
)
