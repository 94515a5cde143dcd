"""The web chat beside the Telegram bot, in one process: one core, one outbox, one dispatcher.

Klantmanagers work in Telegram, and the outbox dispatcher and the retention
sweep run on the bot's job queue, so the web chat does not run alone: it is
served from the bot's own event loop while the bot runs. Its port is taken
at once (a port in use stops the start with a clear message); the server
starts as the bot starts and stops after it.

``serving(...)`` is the same for a test or the demo that runs the bot inside
its own event loop; ``attach(...)`` hooks it to a PTB ``Application`` that
``run_polling``/``run_webhook`` will run.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from telegram.ext import Application

from bot.channels.web.channel import NAME
from bot.channels.web.server import CHAT, TurnHandler, build_web_app, web_person_for
from bot.core import listening
from bot.core.channel import Channel
from bot.core.services import KEY, Services

log = logging.getLogger(__name__)
STACK_KEY = "wegwijs.web"
SERVING_KEY = "wegwijs.web.serving"
"""``app.bot_data[SERVING_KEY]``: the running web chat (its URL), while the bot runs."""


def bind(host: str, port: int) -> socket.socket:
    """The web chat's port, taken before the bot starts (raises ``listening.PortUnavailable``)."""
    return listening.listen(host, port, serving="the web chat", choose="choose another with --web-port, or --port for wegwijs web")


@dataclass
class Serving:
    url: str
    app: web.Application


@asynccontextmanager
async def serving(
    services: Services,
    handle: TurnHandler,
    channels: MutableMapping[str, Channel],
    sock: socket.socket,
    *,
    secure_cookie: bool = False,
) -> AsyncIterator[Serving]:
    """Serve the web chat on ``sock`` and register its channel in ``channels`` until the block ends.

    ``secure_cookie``: the page is reached over https through a proxy that ends TLS.
    """
    app = build_web_app(services, handle, web_person_for(services), channels, secure_cookie=secure_cookie)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    channels[NAME] = app[CHAT].channel
    try:
        yield Serving(url=listening.url(sock), app=app)
    finally:
        channels.pop(NAME, None)
        await runner.cleanup()


def attach(
    app: Application,
    handle: TurnHandler,
    channels: Callable[[Services], MutableMapping[str, Channel]],
    host: str,
    port: int,
    *,
    secure_cookie: bool = False,
) -> None:
    """Serve the web chat while ``app`` runs; ``channels(services)`` is where the core finds its channels."""
    sock = bind(host, port)
    started, stopped = app.post_init, app.post_shutdown

    async def start(application: Application) -> None:
        if started is not None:
            await started(application)
        s: Services = application.bot_data[KEY]
        stack = AsyncExitStack()
        served = await stack.enter_async_context(serving(s, handle, channels(s), sock, secure_cookie=secure_cookie))
        application.bot_data[STACK_KEY] = stack
        application.bot_data[SERVING_KEY] = served
        log.info("web chat on %s", served.url)

    async def stop(application: Application) -> None:
        application.bot_data.pop(SERVING_KEY, None)
        stack: AsyncExitStack | None = application.bot_data.pop(STACK_KEY, None)
        if stack is not None:
            await stack.aclose()
        if stopped is not None:
            await stopped(application)

    app.post_init = start
    app.post_shutdown = stop

