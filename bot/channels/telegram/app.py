"""Building the PTB Application: services, handlers, commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.channels.telegram import chats, errors, jobs, updates
from bot.channels.telegram.routes import add_routes
from bot.channel_list import CHANNELS
from bot.core import channels as channel_contract
from bot.core.channels import ChannelSpec
from bot.core.features import Feature, Job, Registry
from bot.features import FEATURES
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.ratelimit import ChatRateLimiter
from bot.ops import http as ops_http
from bot.core.clock import Clock, clock_starting_at
from bot.core.config import Settings
from bot.texts.content import load_content
from bot.core.db import migrate_channel, open_db
from bot.core.db_locks import LOOP_BUSY_TIMEOUT_MS
from bot.texts.render import Renderer
from bot.core.runlog import log_start
from bot.core.services import KEY, Services

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
JOINS_KEY = "wegwijs.channels"
"""``app.bot_data[JOINS_KEY]``: the channels beside Telegram that start and stop with this bot."""
JOINED_KEY = "wegwijs.channels.running"
"""``app.bot_data[JOINED_KEY]``: while the bot runs, what stops those channels."""


def build_application(
    settings: Settings,
    clock: Clock | None = None,
    features: Sequence[Feature] = FEATURES,
    channels: Sequence[ChannelSpec] = CHANNELS,
    options: argparse.Namespace | None = None,
) -> Application:
    """The bot: Telegram's own guard, then each feature's handlers and routes in the order of ``features``.

    ``channels``: the channels beside Telegram (``bot/channel_list.py``); each has its migrations
    applied, and runs with the bot when ``options`` (``wegwijs run``'s) ask for it. A port a
    channel cannot have raises ``listening.PortUnavailable`` here, before anything starts.
    """
    if not settings.token:
        raise ValueError("a bot token is needed (TELEGRAM_BOT_TOKEN)")
    channels = channel_contract.check_list(channels)
    joins = channel_contract.joins(channels, options or argparse.Namespace())
    renderer = Renderer(load_content(settings.content_dir))
    limiter = ChatRateLimiter(overall_rate=OVERALL_RATE, burst=OVERALL_BURST, max_retries=RATE_LIMIT_RETRIES)
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
    s = Services(
        settings=settings,
        db=open_db(settings.db_path, LOOP_BUSY_TIMEOUT_MS),
        renderer=renderer,
        clock=clock or clock_starting_at(settings.clock_start),
        registry=Registry.of(features),
    )
    for channel in channels:  # after the core's migrations (open_db), each channel's own
        migrate_channel(s.db, channel.name, channel.migrations)
    s.channels[TelegramChannel.name] = TelegramChannel(app.bot, s.channels)
    app.bot_data[KEY] = s
    app.bot_data[JOINS_KEY] = joins
    updates.register(app)
    chats.register(app)
    for feature in s.registry.features:
        if feature.telegram is not None:
            feature.telegram(app)
        add_routes(app, feature.routes)
    errors.register(app)
    for job in s.registry.jobs:
        _schedule(app, job)
    jobs.start_outbox(app)
    jobs.start_retention(app)
    jobs.install_reload(app, settings, after_reload=set_commands)
    return app


WARM_UP_SECONDS = 1.0
"""Work that only prepares (the search index, the command menus) waits this long after the
start, so that the bot listens first: done at once, it held up the first getUpdates by about
160 ms of processor time (issue 11, ``bench/start.py``). A search before then builds the index
itself."""


def _schedule(app: Application, job: Job) -> None:
    """A feature's job on PTB's JobQueue: once a moment after the bot runs, or repeating from the start."""
    if app.job_queue is None:
        return

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        await job.run(context.application.bot_data[KEY])

    if job.every is None:
        app.job_queue.run_once(run, when=WARM_UP_SECONDS, name=job.name, job_kwargs={"misfire_grace_time": None})
    else:
        app.job_queue.run_repeating(run, interval=job.every, first=0, name=job.name)


async def on_start(app: Application) -> None:
    log_start(app.bot_data[KEY].settings, app.bot.username)
    # The command menu is set once the bot listens, not before: rendering it
    # reads each language's CLDR data (issue 11, start time).
    once = {"misfire_grace_time": None}
    app.job_queue.run_once(_set_commands_now, when=WARM_UP_SECONDS, name=COMMANDS_JOB, job_kwargs=once)
    jobs.listen_for_sighup(app)
    await ops_http.start(app)
    stack = AsyncExitStack()
    app.bot_data[JOINED_KEY] = stack
    await stack.enter_async_context(channel_contract.joined(app.bot_data[KEY], app.bot_data[JOINS_KEY]))


async def on_shutdown(app: Application) -> None:
    stack: AsyncExitStack | None = app.bot_data.pop(JOINED_KEY, None)
    if stack is not None:  # the channels beside Telegram stop first, as they started last
        await stack.aclose()
    await ops_http.stop(app)


async def _set_commands_now(context: ContextTypes.DEFAULT_TYPE) -> None:
    await set_commands(context.application)


async def set_commands(app: Application) -> None:
    """The command menu in each language, and in the source language for everyone else."""
    renderer = app.bot_data[KEY].renderer
    registry = app.bot_data[KEY].registry
    journey = renderer.journey

    async def set_for(lang: str) -> None:
        commands = [BotCommand(name, renderer.button(lang, f"command.{name}")) for name in registry.commands]
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
