"""Running the outbox dispatcher (``bot/delivery/dispatcher.py``) from PTB's JobQueue."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.core.services import KEY, Services
from bot.delivery import outbox
from bot.delivery.dispatcher import Dispatcher
from bot.texts.timing import load_timing

log = logging.getLogger(__name__)
JOB_NAME = "outbox"


def start(app: Application) -> None:
    """Check the timing rules, take back what a crash left half-sent, and run the dispatcher."""
    s: Services = app.bot_data[KEY]
    load_timing(s.renderer.journey)
    if s.settings.dispatch_seconds <= 0:
        return
    recovered = outbox.recover(s.db)
    if recovered:
        log.warning("%d scheduled message(s) were being sent when the bot stopped; sending again", recovered)

    def spawn(drain: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return app.create_task(drain, name="outbox-drain")  # the application waits for it when it stops

    dispatcher = Dispatcher(s, running=lambda: app.running, spawn=spawn)

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        dispatcher.tick()

    # The scheduler starts only when the application does (after getMe,
    # setMyCommands, deleteWebhook). An interval job added now with first=0
    # would by then count as started in the past, and APScheduler makes its
    # first run one whole interval later. A one-off run at 0 without a grace
    # limit does run as soon as the scheduler starts.
    once = {"misfire_grace_time": None}
    app.job_queue.run_once(tick, when=0, name=JOB_NAME, job_kwargs=once)
    interval = s.settings.dispatch_seconds
    app.job_queue.run_repeating(tick, interval=interval, first=interval, name=JOB_NAME)
