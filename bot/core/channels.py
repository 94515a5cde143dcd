"""The channel contract: what a channel beside Telegram plugs into the app, and how it joins it.

Telegram is the host, not an entry of the list: the PTB Application it builds
is the process's event loop, job queue and outbox dispatcher, klantmanagers
work only there, and every bot has it. A channel beside it (the web chat)
declares a :class:`ChannelSpec`; the app walks one ordered list of them
(``bot/channel_list.py``), as it walks its features (``bot/features.py``):
``wegwijs run`` gets each channel's options, ``wegwijs`` its own subcommands,
the database its own migrations, and the running bot each channel whose
options ask for it. What joined is kept on the app's ``Services``, not in
module globals: tests run many bots in one process, each with its own list.

Nothing here knows any channel.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.channel import Channel
from bot.core.db import Migration

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)

class ChannelUnavailable(Exception):
    """A channel its options ask for cannot run (a setting it needs is missing or wrong): the
    start stops with exit status 2 and this reason, as for a port in use."""


HOST = "telegram"
"""The host channel's name (``Turn.channel``); no channel beside it may take it."""


@dataclass(frozen=True)
class Invitation:
    """A client's invitation as a channel offers it: the link that opens the channel with the code.

    ``text`` and ``qr_caption`` are keys of ``km.*`` texts (the klantmanager
    reads them): the sentence that gives the link (``client``, ``link``) and
    the caption of its QR code (``client``).
    """

    link: str
    text: str
    qr_caption: str


@dataclass(frozen=True)
class Joined:
    """A channel while it runs beside the bot.

    ``invite(code)``: its invitation for a client's code; None when it offers
    none (its public address is not known). ``url``: where it listens on this
    machine, if it serves anything (logged at the start).
    """

    channel: Channel
    invite: Callable[[str], Invitation] | None = None
    url: str | None = None


Join = Callable[["Services"], AbstractAsyncContextManager[Joined]]
"""Runs a channel with the bot: entered when the bot starts, left when it stops."""


@dataclass(frozen=True)
class RunCommand:
    """What the CLI lends a channel's own subcommand that runs the bot (``wegwijs web``)."""

    add_options: Callable[[argparse.ArgumentParser], None]
    """The options of a bot run by long polling (``--db``, ``--api-url``, ``--http-port``, ...)."""
    run: Callable[[argparse.Namespace], int]
    """Runs the bot with the parsed options, as ``wegwijs run`` does; its exit status."""


@dataclass(frozen=True)
class ChannelSpec:
    """Everything one channel beside Telegram plugs into the app.

    ``options`` adds the channel's options to ``wegwijs run``; ``commands``
    adds its own ``wegwijs`` subcommands. ``join(options)`` reads the parsed
    options (a bare ``Namespace`` when the bot is built without a command
    line): None when they do not ask for the channel, else how it runs with
    the bot. It takes what must be had before the start at once (a port), so
    that a problem stops the start with a clear message: it raises
    ``ChannelUnavailable`` (or ``listening.PortUnavailable``), which the CLI
    turns into exit status 2. It reads its options with ``getattr(options,
    name, default)``: a bot built without a command line passes an empty
    ``Namespace``, and another channel's subcommand lacks this one's options.
    Its texts (the ``km.*`` keys its ``Invitation`` names, anything it shows)
    live in ``content/`` like every text. ``migrations`` are
    the channel's own schema steps, frozen as the core's are, applied after
    the core's and counted per channel (``bot/core/db.py``, ``migrate_channel``).
    """

    name: str
    join: Callable[[argparse.Namespace], Join | None]
    options: Callable[[argparse.ArgumentParser], None] | None = None
    commands: Callable[[argparse._SubParsersAction, RunCommand], None] | None = None  # type: ignore[type-arg]
    migrations: tuple[Migration, ...] = ()


def check_list(specs: Iterable[ChannelSpec]) -> tuple[ChannelSpec, ...]:
    """The list as given, once each name is known to be its own (and not the host's)."""
    specs = tuple(specs)
    names = [HOST, *(spec.name for spec in specs)]
    if len(set(names)) != len(names):
        raise ValueError(f"a channel is listed twice (or as {HOST!r}, the host): {names[1:]}")
    return specs


def joins(specs: Sequence[ChannelSpec], options: argparse.Namespace) -> tuple[tuple[str, Join], ...]:
    """The channels these options ask for, in the list's order, each by name."""
    return tuple((spec.name, join) for spec in specs if (join := spec.join(options)) is not None)


@asynccontextmanager
async def joined(services: Services, channels: Sequence[tuple[str, Join]]) -> AsyncIterator[None]:
    """Run these channels until the block ends: each in ``services.channels`` (the core sends
    through them) and ``services.joined`` (what they offer) while it runs, gone when it stops."""
    async with AsyncExitStack() as stack:
        for name, join in channels:
            running = await stack.enter_async_context(join(services))
            services.channels[name] = running.channel
            services.joined[name] = running
            stack.callback(_leave, services, name)
            if running.url:
                log.info("wegwijs %s channel on %s", name, running.url)
        yield


def _leave(services: Services, name: str) -> None:
    services.channels.pop(name, None)
    services.joined.pop(name, None)


def invitations(services: Services, code: str) -> list[Invitation]:
    """What the running channels beside Telegram offer for a client's code, in the list's order."""
    return [running.invite(code) for running in services.joined.values() if running.invite is not None]
