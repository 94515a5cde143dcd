"""The channels beside Telegram, in order: the one list the app, the CLI and the database walk.

A third channel is a package ``bot/channels/<name>/`` whose ``spec`` module
declares ``CHANNEL``, a ``ChannelSpec`` (``bot/core/channels.py``), and one line
below: its package's name. Telegram is not in the list: it is the host every
bot has (the reason is in ``bot/core/channels.py``).
"""

from __future__ import annotations

from importlib import import_module

from bot.core.channels import ChannelSpec, check_list

CHANNELS: tuple[ChannelSpec, ...] = check_list(
    import_module(f"bot.channels.{package}.spec").CHANNEL
    for package in (
        "web",
    )
)
