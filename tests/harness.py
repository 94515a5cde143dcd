"""Driving the real bot over HTTP through the emulator, as people would.

A ``BotUnderTest`` runs the real PTB ``Application`` against the emulator. It
adds one observer handler in a last group, so a test can wait until the bot
has finished with an update instead of sleeping.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.telegram.app import build_application, running
from bot.channels.telegram.identity import person_of
from bot.texts.bidi import strip_marks
from bot.core.clock import Clock
from bot.core.config import DEFAULT_CONTENT_DIR, DEFAULT_RELOAD_SECONDS, DEFAULT_SEND_TIMEOUT_SECONDS, Settings
from bot.emulator import EmulatorClient, running_emulator
from bot.channel_list import CHANNELS
from bot.core.channels import ChannelSpec
from bot.core.features import Feature
from bot.core.services import KEY, Services
from bot.ops import http as ops_http
from bot.features import FEATURES

TOKEN = "123456:TEST-TOKEN"
OBSERVER_GROUP = 10_000
TEST_FLOOD_BURST = 100_000


@dataclass
class BotUnderTest:
    emulator: Any
    client: EmulatorClient
    settings: Settings
    clock: Clock | None = None
    features: Sequence[Feature] = FEATURES
    channels: Sequence[ChannelSpec] = CHANNELS
    options: argparse.Namespace | None = None
    app: Application | None = None
    _processed: set[int] = field(default_factory=set)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _stack: AsyncExitStack | None = None

    @property
    def services(self) -> Services:
        return self.app.bot_data[KEY]

    async def http_url(self, timeout: float = 10.0) -> str:
        """Where the bot's HTTP server listens, once it serves (start the bot with ``http_port=0``)."""
        server = ops_http.address(self.app)
        if server is None:
            raise AssertionError("the bot has no HTTP server: pass http_port=0 to bot_under_test")
        await asyncio.wait_for(server.ready.wait(), timeout)
        return server.url

    async def start(self) -> None:
        self.app = build_application(
            self.settings, clock=self.clock, features=self.features, channels=self.channels, options=self.options
        )
        self.app.add_handler(TypeHandler(Update, self._observe), group=OBSERVER_GROUP)
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(self.app, poll_timeout=1))

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None
            self.services.db.close()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _observe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self._changed:
            self._processed.add(update.update_id)
            self._changed.notify_all()

    async def processed(self, update_id: int, timeout: float = 10.0) -> None:
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: update_id in self._processed)

        await asyncio.wait_for(wait(), timeout)
        # Error handlers run as tasks of their own; let them finish too.
        await asyncio.sleep(0)

    def person(self, user_id: int, language_code: str = "en", first_name: str = "Test") -> Person:
        return Person(self, user_id, language_code, first_name)

    def person_id(self, telegram_id: int) -> int:
        """The bot's person id for a Telegram user it knows (``Person.person_id``)."""
        return self.person(telegram_id).person_id


@dataclass
class Person:
    """One Telegram user talking to the bot."""

    bot: BotUnderTest
    user_id: int
    language_code: str
    first_name: str
    seen: int = 0
    """The highest message id in this chat the test has looked at."""

    @property
    def client(self) -> EmulatorClient:
        return self.bot.client

    @property
    def person_id(self) -> int:
        """The bot's id for this person (bot/people/identities.py), the key of their rows; not the Telegram id."""
        found = person_of(self.bot.services.db, self.user_id)
        if found is None:
            raise LookupError(f"the bot does not know Telegram user {self.user_id} yet")
        return found

    async def _after(self, update_id: int, since: int) -> list[dict]:
        await self.bot.processed(update_id)
        messages = [m for m in await self.client.messages(self.user_id, after=since) if m["from_bot"]]
        if messages:
            self.seen = max(self.seen, max(m["message_id"] for m in messages))
        return messages

    async def _last_id(self) -> int:
        messages = await self.client.messages(self.user_id)
        return messages[-1]["message_id"] if messages else 0

    async def say(self, text: str) -> list[dict]:
        result = await self.client.send_text(
            self.user_id, text, first_name=self.first_name, language_code=self.language_code
        )
        return await self._after(result["update_id"], result["message"]["message_id"])

    async def send(self, **kind: Any) -> list[dict]:
        """Send a non-text message: sticker=True, photo=bytes, voice=bytes, document=(bytes, name, mime)."""
        since = await self._last_id()
        if "sticker" in kind:
            result = await self.client.send_sticker(self.user_id)
        elif "photo" in kind:
            result = await self.client.send_photo(self.user_id, kind["photo"])
        elif "voice" in kind:
            result = await self.client.send_voice(self.user_id, kind["voice"])
        else:
            data, name, mime = kind["document"]
            result = await self.client.send_document(self.user_id, data, name, mime)
        return await self._after(result["update_id"], since)

    async def act(self, sending: Awaitable[dict]) -> list[dict]:
        """Any other update (an edit, a group message, an inline query...): ``sending`` is an
        ``EmulatorClient`` call that returns the ``update_id``; returns what the bot then said here."""
        since = await self._last_id()
        result = await sending
        return await self._after(result["update_id"], since)

    async def press_data(self, message_id: int, data: str) -> list[dict]:
        since = await self._last_id()
        result = await self.client.press(self.user_id, message_id, data)
        return await self._after(result["update_id"], since)

    async def receive(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Wait for messages the bot sends on its own (relays, reminders), after what was seen."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            new = [m for m in await self.client.messages(self.user_id, after=self.seen) if m["from_bot"]]
            if len(new) >= count:
                self.seen = max(m["message_id"] for m in new)
                return new
            if loop.time() > deadline:
                raise AssertionError(f"chat {self.user_id}: expected {count} new bot messages, got {new}")
            await asyncio.sleep(0.02)

    async def receive_until(self, predicate: Callable[[dict], bool], timeout: float = 10.0) -> dict:
        """Wait for the bot's own message that matches; returns it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            new = [m for m in await self.client.messages(self.user_id, after=self.seen) if m["from_bot"]]
            found = next((m for m in new if predicate(m)), None)
            if found is not None:
                self.seen = max(m["message_id"] for m in new)
                return found
            if loop.time() > deadline:
                raise AssertionError(f"chat {self.user_id}: no matching bot message in {new}")
            await asyncio.sleep(0.02)

    async def reply_to(self, message_id: int, text: str) -> list[dict]:
        """Answer a bot message with Telegram's reply."""
        result = await self.client.send_text(
            self.user_id, text, first_name=self.first_name, language_code=self.language_code,
            reply_to_message_id=message_id,
        )
        return await self._after(result["update_id"], result["message"]["message_id"])

    async def press(self, label: str) -> list[dict]:
        """Press the button with this label on the newest bot message that has it (direction marks aside)."""
        for message in reversed(await self.client.messages(self.user_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if strip_marks(button["text"]) == strip_marks(label):
                        return await self.press_data(message["message_id"], button["callback_data"])
        raise AssertionError(f"no button {label!r} in chat {self.user_id}")


def seen(message: dict) -> str:
    """A message's HTML without the direction marks of right-to-left texts, to compare with content files."""
    return strip_marks(message.get("html") or "")


def buttons(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


@asynccontextmanager
async def bot_under_test(
    db_path: Path,
    content_dir: Path = DEFAULT_CONTENT_DIR,
    clock: Clock | None = None,
    reload_seconds: float = DEFAULT_RELOAD_SECONDS,
    retention_seconds: float = 0.0,
    dispatch_seconds: float = 0.0,
    chat_gap_seconds: float = 0.0,
    send_timeout_seconds: float = DEFAULT_SEND_TIMEOUT_SECONDS,
    http_port: int | None = None,
    features: Sequence[Feature] = FEATURES,
    channels: Sequence[ChannelSpec] = CHANNELS,
    options: argparse.Namespace | None = None,
    **emulator_options: Any,
) -> AsyncIterator[BotUnderTest]:
    """The bot against a fresh emulator (limits off unless ``limits=True``).

    ``retention_seconds``: 0 keeps everything (tests that move the clock by
    months); a test of retention has the job and runs it when it wants.

    ``dispatch_seconds``: 0 leaves scheduled messages in the outbox; a test of
    them passes a short interval. ``chat_gap_seconds``: pacing per chat, for
    tests with the emulator's limits on. ``latency_ms=100`` (an emulator
    option) adds a round trip like real Telegram's to every Bot API call. A
    test types far faster than a person, so the flood guard is set out of
    reach (a test of the guard sets its own). ``http_port=0``: the HTTP server
    (/healthz, /metrics) on a free port, at ``BotUnderTest.http_url``.
    ``features``: the app's features, in order (a test of the feature contract
    leaves some out). ``channels``: the channels beside Telegram, and
    ``options`` the command line's values that ask for them (``web_port=0``:
    the web chat on a free port, at ``services.joined["web"].url``).
    """
    emulator_options.setdefault("limits", False)
    async with running_emulator(**emulator_options) as emu, EmulatorClient(emu.control_url) as client:
        settings = Settings(
            db_path=db_path,
            content_dir=content_dir,
            token=TOKEN,
            api_url=emu.api_url,
            file_url=emu.file_url,
            reload_seconds=reload_seconds,
            retention_seconds=retention_seconds,
            dispatch_seconds=dispatch_seconds,
            chat_gap_seconds=chat_gap_seconds,
            flood_burst=TEST_FLOOD_BURST,
            send_timeout_seconds=send_timeout_seconds,
            http_port=http_port,
        )
        harness = BotUnderTest(
            emulator=emu, client=client, settings=settings, clock=clock, features=features, channels=channels,
            options=options,
        )
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
