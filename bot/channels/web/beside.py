"""The web chat beside the Telegram bot, in one process: one core, one outbox, one dispatcher.

Klantmanagers work in Telegram, and the outbox dispatcher and the retention
sweep run on the bot's job queue, so the web chat does not run alone: it is
served from the bot's own event loop while the bot runs. Its port is taken
at once (a port in use stops the start with a clear message); the server
starts as the bot starts and stops after it.

``served(...)`` is how the channel list runs it with the bot
(``bot/channels/web/spec.py``); ``serving(...)`` is the same for the demo or a
test that serves it beside a bot of its own.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Mapping, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from bot.channels.web.channel import NAME, WebChannel
from bot.channels.web.server import CHAT, TurnHandler, build_web_app, web_person_for
from bot.core import listening
from bot.core.channel import Channel
from bot.core.services import Services


def bind(host: str, port: int) -> socket.socket:
    """The web chat's port, taken before the bot starts (raises ``listening.PortUnavailable``)."""
    return listening.listen(host, port, serving="the web chat", choose="choose another with --web-port, or --port for wegwijs web")


@dataclass
class Serving:
    url: str
    app: web.Application

    @property
    def channel(self) -> WebChannel:
        return self.app[CHAT].channel


@asynccontextmanager
async def served(
    services: Services,
    handle: TurnHandler,
    channels: Mapping[str, Channel],
    sock: socket.socket,
    *,
    secure_cookie: bool = False,
) -> AsyncIterator[Serving]:
    """Serve the web chat on ``sock`` until the block ends.

    ``channels``: the core's channels, where the web chat fetches a file that
    came through another one. ``secure_cookie``: the page is reached over
    https through a proxy that ends TLS.
    """
    app = build_web_app(services, handle, web_person_for(services), channels, secure_cookie=secure_cookie)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield Serving(url=listening.url(sock), app=app)
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serving(
    services: Services,
    handle: TurnHandler,
    channels: MutableMapping[str, Channel],
    sock: socket.socket,
    *,
    secure_cookie: bool = False,
) -> AsyncIterator[Serving]:
    """:func:`served`, with its channel in ``channels`` until the block ends: for the demo and
    tests that serve the web chat themselves (the bot's channel list does it in ``wegwijs run``)."""
    async with served(services, handle, channels, sock, secure_cookie=secure_cookie) as serving_now:
        channels[NAME] = serving_now.channel
        try:
            yield serving_now
        finally:
            channels.pop(NAME, None)
