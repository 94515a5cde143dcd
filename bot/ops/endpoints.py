"""``GET /healthz`` and ``GET /metrics``: for the city's monitoring, not for people.

/healthz answers 200 when every check passes and 503 otherwise, in plain
text: a first line ``ok`` or ``unhealthy``, then one line per check with its
reason. /metrics is the Prometheus text format (``bot/ops/metrics.py``).
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram.ext import Application

from bot.ops import health, metrics

TEXT = "text/plain"


def add_routes(web_app: web.Application, app: Application) -> None:
    async def healthz(request: web.Request) -> web.Response:
        found = health.checks(app)
        ok = all(check.ok for check in found)
        body = "\n".join(["ok" if ok else "unhealthy", *(check.line() for check in found)]) + "\n"
        return web.Response(status=200 if ok else 503, text=body, content_type=TEXT, headers={"Cache-Control": "no-store"})

    async def exposition(request: web.Request) -> web.Response:
        return web.Response(body=metrics.of(app).exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", exposition)
