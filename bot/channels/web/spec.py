"""The web chat in the app's channel list: its options, ``wegwijs web``, and how it joins the bot.

Only the standard library at import: the bot imports the channel list at every
start, and the web chat's server (aiohttp, jinja2) is imported only when its
options ask for it.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, quote, urlsplit

from bot.core.channels import ChannelSpec, Invitation, Join, Joined, RunCommand
from bot.core.config import port_option

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)
NAME = "web"
"""The web chat's name: in ``Turn.channel``, the identities and ``Services.channels``."""
URL_VARIABLE = "WEGWIJS_WEB_URL"
DEFAULT_PORT = 8090


def public_url(text: str) -> str:
    """The web chat's address as people reach it (``https://chat.wegwijs.nl``), without the last
    slash; raises ``ArgumentTypeError`` otherwise.

    Only a host (and port): the page asks for ``/api/...`` and ``/static/...``
    from the root, so a proxy cannot serve it under a path. Anything that
    would make a broken link (a ``?`` or ``#``, a space or control character,
    a bad port) is refused here, not found by a client.
    """
    stripped = text.strip()
    parts = urlsplit(stripped)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or not _port_readable(parts)
        or parts.path not in ("", "/")
        or "?" in stripped
        or "#" in stripped
        or not all(33 <= ord(c) < 127 for c in stripped)
    ):
        raise argparse.ArgumentTypeError(
            f"{URL_VARIABLE} or --web-url {text!r} is not valid: give the web chat's public address,"
            " http:// or https:// with a host, no user, path, ?query or #part, e.g. https://chat.wegwijs.nl"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _port_readable(parts: SplitResult) -> bool:
    """Whether the address has no port or a number from 0 to 65535 (``urlsplit`` raises otherwise)."""
    try:
        parts.port  # noqa: B018  (reading it is the check)
    except ValueError:  # "https://x.nl:abc", or out of range
        return False
    return True


def invitation(base_url: str, code: str) -> Invitation:
    """A client's invitation as a link into the web chat: its page with the code, as ``/start <code>`` in Telegram."""
    return Invitation(
        link=f"{base_url}/start?code={quote(code, safe='')}", text="km.invite_web", qr_caption="km.invite_web_qr_caption"
    )


def _add_shared_options(parser: argparse.ArgumentParser) -> None:
    """What ``wegwijs run --web-port`` and ``wegwijs web`` both take."""
    parser.add_argument(
        "--secure-cookie",
        action="store_true",
        help="web chat: people reach it over https through a proxy that ends TLS (the session cookie is then Secure)",
    )
    parser.add_argument(
        "--web-url",
        type=public_url,
        default=os.environ.get(URL_VARIABLE) or None,
        help=f"web chat: its public address, e.g. https://chat.wegwijs.nl (default: ${URL_VARIABLE}); "
        "/newclient then also gives a link and QR code that open the web chat",
    )


def add_options(parser: argparse.ArgumentParser) -> None:
    """``wegwijs run``'s web chat options."""
    parser.add_argument("--web-port", type=port_option, help="also serve the web chat on this port (0: any free port)")
    parser.add_argument("--web-host", default="127.0.0.1", help="web chat: address to listen on")
    _add_shared_options(parser)


def add_commands(sub: argparse._SubParsersAction, bot: RunCommand) -> None:  # type: ignore[type-arg]
    """``wegwijs web --port 8090``: the bot (long polling) with the web chat beside it, as ``run --web-port``."""
    web = sub.add_parser(
        "web", help="run the bot with the web chat beside it (klantmanagers stay in Telegram: TELEGRAM_BOT_TOKEN)"
    )
    web.add_argument("--port", type=port_option, default=DEFAULT_PORT, help=f"the web chat's port (default {DEFAULT_PORT})")
    web.add_argument("--host", default="127.0.0.1", help="the web chat's address (default 127.0.0.1)")
    bot.add_options(web)
    _add_shared_options(web)

    def run(args: argparse.Namespace) -> int:
        args.web_port, args.web_host = args.port, args.host
        return bot.run(args)

    web.set_defaults(func=run)


def join(options: argparse.Namespace) -> Join | None:
    """With ``--web-port``: the web chat's port is taken now (``listening.PortUnavailable``), and it
    is served while the bot runs. It offers invitations when its public address is known."""
    port = getattr(options, "web_port", None)
    if port is None:
        if getattr(options, "web_url", None):
            log.warning("--web-url (%s) is set but the web chat is not served (no --web-port): /newclient"
                        " gives only the Telegram link", URL_VARIABLE)
        return None
    from bot.channels.web import beside

    sock = beside.bind(getattr(options, "web_host", "127.0.0.1"), port)
    secure_cookie = bool(getattr(options, "secure_cookie", False))
    base_url: str | None = getattr(options, "web_url", None)

    @asynccontextmanager
    async def running(services: Services) -> AsyncIterator[Joined]:
        from bot.conversation import handle  # the core's entry point for every channel but Telegram's PTB handlers

        async with beside.served(services, handle, services.channels, sock, secure_cookie=secure_cookie) as served:
            invite = partial(invitation, base_url) if base_url else None
            yield Joined(channel=served.channel, invite=invite, url=served.url)

    return running


CHANNEL = ChannelSpec(name=NAME, join=join, options=add_options, commands=add_commands)
"""No migrations of its own yet: its tables came with the core's (``_v15_web_chat`` in ``bot/core/db.py``)."""
