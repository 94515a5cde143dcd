"""Building the PTB Application: services, handlers, commands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.delivery import dispatcher
from bot.ops import http as ops_http
from bot.texts import reload
from bot.people import retention_job
from bot.channels.telegram import updates
from bot.core.clock import Clock, clock_starting_at
from bot.core.config import Settings
from bot.texts.content import load_content
from bot.core.db import open_db
from bot.core.db_locks import LOOP_BUSY_TIMEOUT_MS
from bot.delivery.dispatcher import DeliveryRateLimiter
from bot.channels.telegram.handlers import (
    appointments,
    ask,
    checks,
    fallback,
    followup,
    guard,
    klantmanager,
    km_absence,
    km_admin,
    km_answers,
    km_appointments,
    km_broadcast,
    km_caseload,
    km_dashboard,
    menu,
    onboarding,
    personal_data,
    read_more,
    reminders,
    search,
)
from bot.texts.render import Renderer
from bot.core.runlog import log_start
from bot.core.services import KEY, Services

# Order matters: the guard keeps groups, channels and edits away from all the
# others; the fallback module catches whatever the others leave. Klantmanager
# messages are routed before anything meant for statushouders.
HANDLER_MODULES = (
    guard, klantmanager, km_admin, km_caseload, km_appointments, km_answers, km_absence, km_broadcast, km_dashboard, onboarding, menu, read_more, personal_data, search, appointments, checks, reminders, ask, followup, fallback
)
# Telegram answers 429 with a retry_after when the bot sends too fast; the
# limiter then waits and tries again instead of dropping the message.
RATE_LIMIT_RETRIES = 5
# A little under Telegram's 30 messages/s, so that network jitter never
# pushes the bot over Telegram's own limit.
OVERALL_RATE = 29.5
# At most this many requests at once before the pace above holds. PTB's
# default allows a whole second's worth (29) at once: that empties Telegram's
# own allowance, and with round trips of 50 ms and more the jitter that
# follows drew 429 answers, each pausing every send for a second.
OVERALL_BURST = 10
COMMANDS_JOB = "set-commands"
COMMANDS = ("menu", "step", "path", "topics", "search", "reminders", "language", "bilingual", "privacy", "mydata", "delete", "help")


def build_application(settings: Settings, clock: Clock | None = None) -> Application:
    if not settings.token:
        raise ValueError("a bot token is needed (TELEGRAM_BOT_TOKEN)")
    renderer = Renderer(load_content(settings.content_dir))
    limiter = DeliveryRateLimiter(overall_rate=OVERALL_RATE, burst=OVERALL_BURST, max_retries=RATE_LIMIT_RETRIES)
    builder = ApplicationBuilder().token(settings.token).rate_limiter(limiter).post_init(on_start).post_shutdown(on_shutdown)
    timeout = settings.send_timeout_seconds
    builder = builder.read_timeout(timeout).write_timeout(timeout).media_write_timeout(3 * timeout)
    builder = builder.concurrent_updates(
        updates.ChatOrderedProcessor(
            settings.updates_at_once, updates.FloodGuard(settings.flood_burst, settings.flood_per_second)
        )
    )
    if settings.api_url:
        builder = builder.base_url(settings.api_url)
    if settings.file_url:
        builder = builder.base_file_url(settings.file_url)
    app = builder.build()
    app.bot_data[KEY] = Services(
        settings=settings, db=open_db(settings.db_path, LOOP_BUSY_TIMEOUT_MS), renderer=renderer, clock=clock or clock_starting_at(settings.clock_start)
    )
    updates.register(app)
    for module in HANDLER_MODULES:
        module.register(app)
    dispatcher.start(app)
    if settings.http_port is not None:  # metrics only where /metrics serves them (prometheus-client: 50 ms to import)
        from bot.ops import metrics

        metrics.install(app)
    retention_job.start(app)
    reload.install(app, settings, after_reload=set_commands)
    return app


async def on_start(app: Application) -> None:
    log_start(app)
    # The command menu is set as soon as the bot runs, not before it listens:
    # rendering it reads each language's CLDR data (issue 11, start time).
    app.job_queue.run_once(_set_commands_now, when=0, name=COMMANDS_JOB, job_kwargs={"misfire_grace_time": None})
    reload.listen_for_sighup(app)
    await ops_http.start(app)


async def on_shutdown(app: Application) -> None:
    await ops_http.stop(app)


async def _set_commands_now(context: ContextTypes.DEFAULT_TYPE) -> None:
    await set_commands(context.application)


async def set_commands(app: Application) -> None:
    """The command menu in each language, and in the source language for everyone else."""
    renderer = app.bot_data[KEY].renderer
    journey = renderer.journey

    async def set_for(lang: str) -> None:
        commands = [BotCommand(name, renderer.button(lang, f"command.{name}")) for name in COMMANDS]
        code = None if lang == journey.source_language else lang
        await app.bot.set_my_commands(commands, language_code=code)

    # At once, not one round trip after another.
    await asyncio.gather(*(set_for(lang) for lang in journey.languages))


@asynccontextmanager
async def running(app: Application, poll_timeout: int = 10) -> AsyncIterator[Application]:
    """Run the bot with long polling inside an already running event loop (tests, demo)."""
    try:
        async with app:
            if app.post_init:  # run_polling() would call it; here we start the pieces ourselves
                await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        if app.post_shutdown:
            await app.post_shutdown(app)
