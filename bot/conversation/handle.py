"""The one entry point for channels other than Telegram: a person's turn, answered.

The routes of the app's features are matched as the Telegram channel's PTB
handlers match them (``bot/core/routes.py``): one route per group, groups in
order. A fault is logged and the person hears that something went wrong, as
in Telegram (``bot/channels/telegram/errors.py``).
"""

from __future__ import annotations

import logging

from bot.conversation.common import tell_error
from bot.core.db_locks import is_busy
from bot.core.routes import first_match
from bot.core.services import Services
from bot.core.turns import Turn

log = logging.getLogger(__name__)


async def handle(s: Services, turn: Turn) -> None:
    """Answer one turn through the channel it came from (``s.channels[turn.channel]``)."""
    try:
        for route, match in first_match(s.registry.routes, turn):
            await route.handler(s, turn, match)
    except Exception as exc:
        busy = is_busy(exc)
        if busy:
            log.warning("database locked while handling a turn: %s", exc)
        else:
            log.error("error while handling a turn of %s", turn.channel, exc_info=exc)
        try:
            await tell_error(s, turn, busy)
        except Exception:  # the channel itself may be the fault; it is logged above
            log.warning("could not tell %s %s about the error", turn.channel, turn.address)
