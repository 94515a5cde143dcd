"""The "Read more" button under an item's short part (``more:<item id>``): sends the rest."""

from __future__ import annotations

import re

from bot.conversation.common import fields, onboarded, reply, stale_button
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.screens import buttons, views


@onboarded
async def read_more(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    """A forged id, or an item that no longer has a part behind the marker, gets the stale-button answer."""
    item_id = fields(match)["item"]
    parts = s.renderer.item_parts(user.lang, item_id) if item_id in s.renderer.journey.referenced_items() else None
    if parts is None or not parts.more:
        await stale_button(s, turn, user)
        return
    await reply(s, turn, views.more_screen(s.renderer, user.lang, item_id), user)


FEATURE = Feature(name="read_more", routes=(Route(read_more, button=buttons.MORE),))
