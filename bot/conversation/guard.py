"""What the other handlers never see: edited messages, buttons without data; ending an awaited answer.

An edited message is not new input (editing an old message into ``/delete``
must not erase anything): the person is asked to send it again. And a command
or a menu button ends whatever answer the bot was waiting for
(``bot/core/awaiting.py``), so "housing" typed after ``/menu`` is a search, not
the question for the klantmanager. Groups and channels are the Telegram
channel's own guard (``bot/channels/telegram/chats.py``).
"""

from __future__ import annotations

import re

from bot.casework import staff
from bot.conversation.common import reader_language, reply, reply_html, user_of
from bot.conversation.fallback import unknown_button
from bot.core import awaiting
from bot.core.features import Feature
from bot.core.routes import BEFORE_ALL, Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.screens import buttons, views


async def edited(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    member = (None if turn.person_id is None else staff.get_staff(s.db, turn.person_id))
    if member is not None:
        await reply_html(s, turn, s.renderer.ui(member.lang, "errors.edited"))
        return
    user = user_of(s, turn)
    lang = reader_language(s, turn, user)
    with_menu = user is not None and user.onboarded
    await reply(s, turn, views.text_screen(s.renderer, lang, "errors.edited", with_menu=with_menu), user, lang)


async def end_pending_input(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    if turn.person_id is not None:
        awaiting.clear(s.db, turn.person_id)


FEATURE = Feature(
    name="guard",
    routes=(
        Route(edited, edited=True),
        # A button without data (Telegram sends none for a game) passes every pattern in PTB: stale.
        Route(unknown_button, button_without_data=True),
        Route(end_pending_input, any_command=True, group=BEFORE_ALL),
        Route(end_pending_input, button=buttons.MENU, group=BEFORE_ALL),
    ),
)
