"""The retention sweep in the running bot: the warning it plans (an outbox kind), and one sweep.

The running bot's scheduler runs ``sweep_now`` (Telegram: ``bot/channels/telegram/jobs.py``).
"""

from __future__ import annotations

import json
import logging

from bot.delivery import deliver
from bot.screens import views
from bot.delivery.outbox import OutboxRow, Skipped
from bot.people.retention import Swept, load_rules, sweep
from bot.core.services import Services
from bot.people.users import get_user

log = logging.getLogger(__name__)

WARNING_TEXT = "privacy.inactive_warning"


async def send_warning(s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: tell the person when everything about them will be erased, unless they come back."""
    user = get_user(s.db, row.user_id)
    if user is None or not user.onboarded or not user.lang:
        return Skipped("the person erased their data")
    current = s.db.execute("SELECT last_active_at FROM users WHERE id = ?", [user.id]).fetchone()[0]
    if current != row.params["last_active_at"]:
        return Skipped("the person used Wegwijs again")
    screen = views.text_screen(s.renderer, user.lang, WARNING_TEXT, with_menu=True, when=row.params["erase_at"])
    await deliver.screen_to_person(s, user, screen)
    return None


def sweep_now(s: Services) -> None:
    """Erase and warn whatever is due now (``bot/people/retention.py``)."""
    swept = sweep(s.db, load_rules(s.renderer.journey), s.clock.now())
    if swept != Swept():
        log.info("retention: %s", json.dumps(swept.__dict__))
