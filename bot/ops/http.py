"""The HTTP server beside the bot: one aiohttp application in the bot's own event loop.

/healthz and /metrics need what only the bot process knows (the dispatcher's
last tick, counters of updates and sends), and one process is simpler for a
gemeente to run than two. ``Settings.http_port`` None means no server, 0 any
free port (tests read the real one with :func:`address`).

The port is bound when the bot starts (``post_init``), so a port in use stops
``wegwijs run`` at once with a clear message. The server itself starts a
second after the bot listens: importing ``aiohttp.web`` takes 0.3-0.5 s of
processor time (its client sets up TLS contexts), which on the start path
added a third to the processor time before the first ``getUpdates``
(``bench/start.py``). The import runs in a thread; until the server runs,
connections wait in the socket's queue. The metrics start counting with the
server (prometheus-client is imported there too). The server stops after the
bot (``post_shutdown``).

Every route comes from :func:`routes`: one tuple of adders, each given the
aiohttp application and the PTB application (``add_routes(web_app, app)``).
A function, not a constant, so that the route modules (which import
aiohttp.web) are loaded with the server, off the start path.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, ContextTypes

from bot.core import listening
from bot.core.services import KEY, Services

if TYPE_CHECKING:
    from aiohttp import web

RouteAdder = Callable[["web.Application", Application], None]
SERVER_KEY = "wegwijs.http"
JOB_NAME = "http-server"
IMPORT_AFTER_SECONDS = 1.0
"""When aiohttp.web is still to be imported, the server starts this long after the bot runs: the
import (in a thread, but holding the interpreter most of the time) then does not slow the first
getUpdates or the first sends."""
log = logging.getLogger(__name__)
"""Under ``bot``: ``wegwijs run`` shows its INFO line with the address (bot/core/runlog.py)."""


def routes() -> tuple[RouteAdder, ...]:
    """Every route adder, in order (imported with aiohttp, off the start path)."""
    from bot.dashboard import web as dashboard
    from bot.ops import endpoints

    return (endpoints.add_routes, dashboard.add_routes)


@dataclass
class HttpServer:
    sock: socket.socket
    runner: web.AppRunner | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    @property
    def url(self) -> str:
        return listening.url(self.sock)


async def start(app: Application) -> None:
    """Take the configured port now; serve on it once the bot runs."""
    s: Services = app.bot_data[KEY]
    if s.settings.http_port is None or SERVER_KEY in app.bot_data:
        return
    sock = listening.listen(
        s.settings.http_host, s.settings.http_port, serving="/healthz and /metrics",
        choose="choose another with --http-port or WEGWIJS_HTTP_PORT; 0: no HTTP server",
    )
    app.bot_data[SERVER_KEY] = HttpServer(sock)
    after = 0.0 if "aiohttp.web" in sys.modules else IMPORT_AFTER_SECONDS
    app.job_queue.run_once(_serve, when=after, name=JOB_NAME, job_kwargs={"misfire_grace_time": None})


async def _serve(context: ContextTypes.DEFAULT_TYPE) -> None:
    app = context.application
    server: HttpServer | None = app.bot_data.get(SERVER_KEY)
    if server is None:
        return
    web = await asyncio.to_thread(importlib.import_module, "aiohttp.web")
    # The metrics only where /metrics serves them, and from here on: prometheus-client
    # takes about 80 ms to import, which the start would otherwise pay before it listens.
    metrics = await asyncio.to_thread(importlib.import_module, "bot.ops.metrics")
    if app.bot_data.get(SERVER_KEY) is not server:  # the bot stopped meanwhile
        return
    metrics.install(app)
    web_app = web.Application()
    for add_routes in routes():
        add_routes(web_app, app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, server.sock).start()
    server.runner = runner
    if app.bot_data.get(SERVER_KEY) is not server:  # the bot stopped while the server started
        await runner.cleanup()
        return
    server.ready.set()
    log.info("wegwijs HTTP on %s (/healthz, /metrics)", server.url)


async def stop(app: Application) -> None:
    server: HttpServer | None = app.bot_data.pop(SERVER_KEY, None)
    if server is None:
        return
    if server.runner is not None:
        await server.runner.cleanup()
    server.sock.close()


def address(app: Application) -> HttpServer | None:
    """The server (its real port; ``ready`` once it serves), or None."""
    return app.bot_data.get(SERVER_KEY)
