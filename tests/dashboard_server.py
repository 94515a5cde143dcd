"""Signing in to the dashboard of a bot under test (start it with ``http_port=0``)."""

from __future__ import annotations

import re

from bot.dashboard import links
from tests.harness import BotUnderTest, Person

LINK = re.compile(r'href="(https?://[^"]+/dashboard/signin/[^"]+)"')


def dashboard_url(bot: BotUnderTest) -> str:
    """The dashboard's address as the bot's links name it."""
    base = links.base_url(bot.app)
    assert base is not None, "the bot has no HTTP server: pass http_port=0"
    return base


async def sign_in_link(staff: Person) -> str:
    """Send /dashboard as this staff member; the link from the bot's answer."""
    answer = await staff.say("/dashboard")
    found = LINK.search(answer[-1]["html"])
    assert found, answer
    return found.group(1)
