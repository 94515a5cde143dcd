"""The retention sweep in the running bot: PTB's JobQueue runs it, the outbox sends the warning."""

from __future__ import annotations

import json
import logging

from telegram import Bot
from telegram.ext import Application, ContextTypes

from bot.delivery import outbox
from bot.screens import views
from bot.screens.messaging import send_screen
from bot.delivery.outbox import OutboxRow, Skipped
from bot.people.retention import WARNING, Swept, load_rules, sweep
from bot.core.services import KEY, Services
from bot.channels.telegram.identity import chat_of
from bot.people.users import get_user

log = logging.getLogger(__name__)

WARNING_TEXT = "privacy.inactive_warning"
JOB_NAME = "retention"


async def send_warning(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: tell the person when everything about them will be erased, unless they come back."""
    user = get_user(s.db, row.user_id)
    if user is None or not user.onboarded or not user.lang:
        return Skipped("the person erased their data")
    current = s.db.execute("SELECT last_active_at FROM users WHERE id = ?", [user.id]).fetchone()[0]
    if current != row.params["last_active_at"]:
        return Skipped("the person used Wegwijs again")
    screen = views.text_screen(s.renderer, user.lang, WARNING_TEXT, with_menu=True, when=row.params["erase_at"])
    await send_screen(bot, s.renderer, chat_of(s.db, user.id), screen, user.lang, user)
    return None


async def _run(context: ContextTypes.DEFAULT_TYPE) -> None:
    s: Services = context.application.bot_data[KEY]
    swept = sweep(s.db, load_rules(s.renderer.journey), s.clock.now())
    if swept != Swept():
        log.info("retention: %s", json.dumps(swept.__dict__))


def start(app: Application) -> None:
    """Check the rules and run the sweep from the JobQueue (not at all when the interval is 0)."""
    s: Services = app.bot_data[KEY]
    load_rules(s.renderer.journey)
    outbox.register_kind(WARNING, send_warning)
    if s.settings.retention_seconds > 0:
        app.job_queue.run_repeating(_run, interval=s.settings.retention_seconds, first=0, name=JOB_NAME)
