"""A local Telegram Bot API emulator for tests and the terminal demo.

Point python-telegram-bot at it with ``base_url=running.api_url`` and
``base_file_url=running.file_url``; drive the users with :class:`EmulatorClient`.
"""

from .client import ControlAPIError, EmulatorClient
from .server import Emulator, RunningEmulator, running_emulator, serve
from .telegram_html import (
    TelegramHTMLError,
    parse_telegram_html,
    parse_telegram_html_entities,
)

__all__ = [
    "ControlAPIError",
    "Emulator",
    "EmulatorClient",
    "RunningEmulator",
    "TelegramHTMLError",
    "parse_telegram_html",
    "parse_telegram_html_entities",
    "running_emulator",
    "serve",
]
