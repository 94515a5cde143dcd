"""The dashboard's HTTP server beside a bot under test, and a browser-like client for it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.dashboard import links
from bot.dashboard.web import add_routes
from tests.harness import BotUnderTest, Person

LINK = re.compile(r'href="(http://[^"]+/dashboard/signin/[^"]+)"')


@asynccontextmanager
async def serving_dashboard(bot: BotUnderTest) -> AsyncIterator[str]:
    """The dashboard on an ephemeral port of 127.0.0.1; yields its base URL (as the bot's links name it)."""
    web_app = web.Application()
    add_routes(web_app, bot.app)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    bot.app.bot_data[links.HTTP_PORT_KEY] = port
    try:
        yield f"http://localhost:{port}"
    finally:
        await runner.cleanup()


async def sign_in_link(staff: Person) -> str:
    """Send /dashboard as this staff member; the link from the bot's answer."""
    answer = await staff.say("/dashboard")
    found = LINK.search(answer[-1]["html"])
    assert found, answer
    return found.group(1)
