"""The address of the dashboard that the bot's sign-in link points to.

``WEGWIJS_PUBLIC_URL`` when the gemeente serves it under its own name (behind a
proxy, with https); otherwise ``http://localhost:<port>`` on the port the HTTP
server beside the bot listens on (``bot/ops/http.py``), for a staff member on
the same machine or through a tunnel. No HTTP server: no dashboard, no link.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.core.services import KEY
from bot.ops import http as ops_http

SIGN_IN_PATH = "/dashboard/signin/"


def base_url(app: Application) -> str | None:
    server = ops_http.address(app)
    if server is None:
        return None
    return app.bot_data[KEY].settings.public_url or f"http://localhost:{server.port}"


def sign_in_url(base: str, token: str) -> str:
    return f"{base}{SIGN_IN_PATH}{token}"


def is_https(app: Application) -> bool:
    """Cookies get ``Secure`` when the dashboard is reached over https."""
    return (base_url(app) or "").startswith("https://")
