"""A local Telegram Bot API emulator for tests and the terminal demo.

Point python-telegram-bot at it with ``base_url=running.api_url`` and
``base_file_url=running.file_url``; drive the users with :class:`EmulatorClient`.

The names below are imported on first use: the tests and the demo need only
some of them. Telegram's HTML rules live with the Telegram channel
(``bot/channels/telegram/telegram_html.py``); the emulator uses them from there.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import ControlAPIError, EmulatorClient
    from .server import Emulator, RunningEmulator, running_emulator, serve

_WHERE = {
    "ControlAPIError": "client",
    "EmulatorClient": "client",
    "Emulator": "server",
    "RunningEmulator": "server",
    "running_emulator": "server",
    "serve": "server",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
