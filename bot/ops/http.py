"""The HTTP server beside the bot: one aiohttp application in the bot's own event loop.

/healthz and /metrics need what only the bot process knows (the dispatcher's
last tick, counters of updates and sends), and one process is simpler for a
gemeente to run than two. The server starts with the PTB application
(``post_init``) and stops after it (``post_shutdown``); ``Settings.http_port``
None means no server, 0 any free port (tests read the real one with
:func:`address`).

Every route comes from ``ROUTES``: each adder gets the aiohttp application
and the PTB application and adds its own routes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from telegram.ext import Application

from bot.core.services import KEY, Services
from bot.dashboard import web as dashboard
from bot.ops import endpoints

RouteAdder = Callable[[web.Application, Application], None]
ROUTES: tuple[RouteAdder, ...] = (endpoints.add_routes, dashboard.add_routes)
SERVER_KEY = "wegwijs.http"
log = logging.getLogger(__name__)
"""Under ``bot``: ``wegwijs run`` shows its INFO line with the address (bot/core/runlog.py)."""


class HttpServerError(Exception):
    """The server could not start (the port is taken, the address is wrong)."""


@dataclass(frozen=True)
class HttpServer:
    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def build_web_app(app: Application) -> web.Application:
    web_app = web.Application()
    for add_routes in ROUTES:
        add_routes(web_app, app)
    return web_app


async def start(app: Application) -> None:
    """Listen on the configured address, if any; log where."""
    s: Services = app.bot_data[KEY]
    if s.settings.http_port is None or SERVER_KEY in app.bot_data:
        return
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    host = s.settings.http_host
    try:
        await web.TCPSite(runner, host, s.settings.http_port).start()
    except OSError as exc:
        await runner.cleanup()
        raise HttpServerError(
            f"cannot listen on {host}:{s.settings.http_port} for /healthz and /metrics: {exc.strerror or exc}"
            " (choose another with --http-port or WEGWIJS_HTTP_PORT; 0: no HTTP server)"
        ) from exc
    port = runner.addresses[0][1]
    server = app.bot_data[SERVER_KEY] = HttpServer(runner, host, port)
    log.info("wegwijs HTTP on %s (/healthz, /metrics)", server.url)


async def stop(app: Application) -> None:
    server: HttpServer | None = app.bot_data.pop(SERVER_KEY, None)
    if server is not None:
        await server.runner.cleanup()


def address(app: Application) -> HttpServer | None:
    """The running server (its real port), or None."""
    return app.bot_data.get(SERVER_KEY)
