"""What every handler needs, kept in one object on the app.

PTB handlers reach it with ``bot.channels.telegram.context.services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from bot.core.channel import Channel
from bot.core.channels import Joined
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.features import Registry
from bot.texts.render import Renderer

KEY = "wegwijs"


@dataclass
class Services:
    settings: Settings
    db: sqlite_utils.Database
    renderer: Renderer
    """Replaced as a whole when content is reloaded."""
    clock: Clock
    registry: Registry
    """What the app's features declared (``bot/core/features.py``)."""
    channels: dict[str, Channel] = field(default_factory=dict)
    """Every channel the bot speaks through, by name (``Turn.channel``); ``bot/delivery/deliver.py`` picks one per person."""
    joined: dict[str, Joined] = field(default_factory=dict)
    """The channels beside Telegram running now, in the list's order (``bot/core/channels.py``)."""
