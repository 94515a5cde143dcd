"""The address of the dashboard that the bot's sign-in link points to.

``WEGWIJS_PUBLIC_URL`` when the gemeente serves it under its own name (behind a
proxy, with https); otherwise ``http://localhost:<port>`` on the port the HTTP
server listens on, for a staff member on the same machine or a tunnel.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.core.services import KEY

HTTP_PORT_KEY = "wegwijs.http_port"
"""Where the running HTTP server leaves the port it listens on (``bot_data``)."""

SIGN_IN_PATH = "/dashboard/signin/"


def base_url(app: Application) -> str:
    settings = app.bot_data[KEY].settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"http://localhost:{app.bot_data[HTTP_PORT_KEY]}"


def sign_in_url(app: Application, token: str) -> str:
    return f"{base_url(app)}{SIGN_IN_PATH}{token}"


def is_https(app: Application) -> bool:
    """Cookies get ``Secure`` when the dashboard is reached over https."""
    return base_url(app).startswith("https://")
