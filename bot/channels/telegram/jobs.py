"""What PTB's JobQueue runs in the bot: the outbox dispatcher, the retention sweep, the content reload."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.core.config import Settings
from bot.core.services import KEY, Services
from bot.delivery import outbox
from bot.delivery.dispatcher import DISPATCHER_KEY, Dispatcher
from bot.people import retention_job
from bot.people.retention import load_rules
from bot.texts.reload import ContentReloader
from bot.texts.timing import load_timing

log = logging.getLogger(__name__)
OUTBOX_JOB = "outbox"
RETENTION_JOB = "retention"
RELOAD_JOB = "content-reload"
RELOADER = "wegwijs.reload"
"""Where the application keeps its ``ContentReloader`` (``bot_data``)."""


class _SkippedTicks(logging.Filter):
    """Drop APScheduler's "skipped: maximum number of running instances" for the dispatcher's tick.

    The tick only wakes the dispatcher (its sends run in their own task), so a
    tick is "still running" only while the event loop is busy elsewhere, and a
    skipped one loses nothing: the next comes an interval later. With ticks of
    50-200 ms (tests, the demo) the warning filled the log and the terminal
    demo's chat. Other jobs' skips still show.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        skipped = "maximum number of running instances" in str(record.msg)
        return not (skipped and args and getattr(args[0], "name", None) == OUTBOX_JOB)


_SKIPPED_TICKS = _SkippedTicks()


def start_outbox(app: Application) -> None:
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
    app.bot_data[DISPATCHER_KEY] = dispatcher  # the health check and /metrics read it

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        dispatcher.tick()

    # The scheduler starts only when the application does (after getMe,
    # setMyCommands, deleteWebhook). An interval job added now with first=0
    # would by then count as started in the past, and APScheduler makes its
    # first run one whole interval later. A one-off run at 0 without a grace
    # limit does run as soon as the scheduler starts.
    once = {"misfire_grace_time": None}
    app.job_queue.run_once(tick, when=0, name=OUTBOX_JOB, job_kwargs=once)
    interval = s.settings.dispatch_seconds
    app.job_queue.run_repeating(tick, interval=interval, first=interval, name=OUTBOX_JOB)
    logging.getLogger("apscheduler.scheduler").addFilter(_SKIPPED_TICKS)  # once: adding it again changes nothing


def start_retention(app: Application) -> None:
    """Check the rules and run the sweep from the JobQueue (not at all when the interval is 0)."""
    s: Services = app.bot_data[KEY]
    load_rules(s.renderer.journey)

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        retention_job.sweep_now(s)

    if s.settings.retention_seconds > 0:
        app.job_queue.run_repeating(run, interval=s.settings.retention_seconds, first=0, name=RETENTION_JOB)


def install_reload(
    app: Application, settings: Settings, after_reload: Callable[[Application], Awaitable[None]] | None = None
) -> None:
    """Look for changed content every ``settings.reload_seconds`` (0: only on SIGHUP)."""
    then = (lambda: after_reload(app)) if after_reload is not None else None
    reloader = ContentReloader(app.bot_data[KEY], settings.content_dir, then)
    app.bot_data[RELOADER] = reloader

    async def look(context: ContextTypes.DEFAULT_TYPE) -> None:
        await reloader.look_for_changes()

    if settings.reload_seconds > 0 and app.job_queue is not None:
        app.job_queue.run_repeating(look, interval=settings.reload_seconds, first=settings.reload_seconds, name=RELOAD_JOB)


def listen_for_sighup(app: Application) -> None:
    """Reload on SIGHUP. Only the main thread's loop can handle signals, and not on every platform."""
    reloader: ContentReloader | None = app.bot_data.get(RELOADER)
    if reloader is None or not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, lambda: app.create_task(reloader.reload("SIGHUP")))
    except (NotImplementedError, RuntimeError, ValueError):
        log.warning("cannot listen for SIGHUP here; content is still reloaded when files change")
