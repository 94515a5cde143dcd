"""``wegwijs demo``: talk to the real bot in a terminal, through the emulator.

The emulator and the bot run in this process; the terminal plays the
statushouder's Telegram app. Type text to send it, a number to press a
button. Lines can also be piped in, one per turn.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.casework import staff
from bot.channels.telegram.app import build_application, running
from bot.core.config import DEFAULT_CONTENT_DIR, Settings
from bot.emulator import EmulatorClient, running_emulator
from bot.core.services import KEY
from bot.people.identities import TELEGRAM, person_for

DEMO_TOKEN = "424242:DEMO"
DEMO_USER = 1001
DEMO_KM, KM_NAME = 2002, "Kim"
"""The demo person's klantmanager: ``:km <text>`` answers as her."""
QUIET = 0.4
"""Seconds without a new bot message after which the bot's turn is over."""
TURN_TIMEOUT = 8.0
DRAIN_QUIET = 1.0
"""Seconds without a message in either chat before the demo ends."""
QUIT = {"/quit", "/exit"}
DISPATCH_SECONDS = 0.2
"""Scheduled messages (the critical items of a step) come within the bot's turn."""
ANSI_BOLD, ANSI_DIM, ANSI_RESET = "\033[1m", "\033[2m", "\033[0m"

_TAG = re.compile(r"<(/?)(b|strong)>|<[^>]+>")


def to_terminal(text: str, color: bool) -> str:
    """Telegram HTML as terminal text: bold stays bold, other tags go."""

    def replace(match: re.Match[str]) -> str:
        if match.group(2) and color:
            return ANSI_RESET if match.group(1) else ANSI_BOLD
        return ""

    return html.unescape(_TAG.sub(replace, text))


PHOTO = b"\x89PNG demo: a photo of the letter"
KM_PREFIX, PHOTO_COMMAND, STICKER_COMMAND = ":km ", ":photo", ":sticker"


class Terminal:
    """The person's chat, and beside it what klantmanager Kim's chat receives."""

    def __init__(self, client: EmulatorClient, out: TextIO, color: bool) -> None:
        self.client = client
        self.out = out
        self.color = color
        self.seen = {DEMO_USER: 0, DEMO_KM: 0}
        self.buttons: list[tuple[int, str]] = []
        """(message id, callback data) of the newest keyboard in the person's chat, numbered from 1."""
        self.km_welcome = 0

    def _dim(self, text: str) -> str:
        return f"{ANSI_DIM}{text}{ANSI_RESET}" if self.color else text

    async def print_new(self, chats: tuple[int, ...] = (DEMO_USER,)) -> int:
        """Print what is new in both chats; returns how many messages ``chats`` got
        (what a turn waits for: after ":km", the answer reaching the person)."""
        count = 0
        for chat in (DEMO_USER, DEMO_KM):
            messages = [m for m in await self.client.messages(chat, after=self.seen[chat]) if m["from_bot"]]
            for message in messages:
                self.seen[chat] = max(self.seen[chat], message["message_id"])
                self._print(chat, message)
            count += len(messages) if chat in chats else 0
        self.out.flush()
        return count

    async def drain(self) -> None:
        """Before the demo ends: print what is still on its way (a relay to Kim), until all is quiet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        quiet_since = loop.time()
        while loop.time() < deadline and loop.time() - quiet_since < DRAIN_QUIET:
            if await self.print_new((DEMO_USER, DEMO_KM)):
                quiet_since = loop.time()
            await asyncio.sleep(0.05)

    def _print(self, chat: int, message: dict) -> None:
        body = message.get("html") or message.get("text") or message.get("caption") or ""
        marker = {"document": f"📎 {message.get('file_name', '')}\n", "photo": "📷 "}.get(message.get("kind"), "")
        prefix = "🤖 " if chat == DEMO_USER else f"🤖 → {KM_NAME}: "
        self.out.write("\n" + prefix + (marker + to_terminal(body, self.color)).replace("\n", "\n   ") + "\n")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if chat != DEMO_USER:  # Kim's buttons are not the person's to press
            return
        if rows:
            self.buttons = []
            for row in rows:
                for button in row:
                    self.buttons.append((message["message_id"], button["callback_data"]))
                    self.out.write("   " + self._dim(f"[{len(self.buttons)}] {button['text']}") + "\n")

    async def wait_for_reply(self) -> None:
        """Print the bot's answer as it comes, until it has been quiet a moment."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        quiet_since = None
        got_any = False
        while loop.time() < deadline:
            if await self.print_new():
                got_any = True
                quiet_since = loop.time()
            elif got_any and quiet_since is not None and loop.time() - quiet_since > QUIET:
                return
            await asyncio.sleep(0.05)

    async def _newest_from_bot(self, chat: int) -> int | None:
        messages = [m for m in await self.client.messages(chat) if m["from_bot"]]
        return messages[-1]["message_id"] if messages else None

    async def klantmanager_answers(self, text: str) -> None:
        """Kim answers the newest message in her chat with Telegram's reply, as a klantmanager does."""
        self.out.write(self._dim(f"   ({KM_NAME} ↩ {text})") + "\n")
        question = await self._newest_from_bot(DEMO_KM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        while question == self.km_welcome and loop.time() < deadline:  # the question is still on its way
            await asyncio.sleep(0.05)
            question = await self._newest_from_bot(DEMO_KM)
        await self.client.send_text(DEMO_KM, text, first_name=KM_NAME, language_code="nl", reply_to_message_id=question)

    async def klantmanager_opens_chat(self) -> None:
        """Kim starts her chat with the bot (as every klantmanager has); her welcome is not shown."""
        await self.client.send_text(DEMO_KM, "/start", first_name=KM_NAME, language_code="nl")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        while (newest := await self._newest_from_bot(DEMO_KM)) is None and loop.time() < deadline:
            await asyncio.sleep(0.05)
        self.seen[DEMO_KM] = self.km_welcome = newest or 0

    async def handle(self, line: str, lang: str) -> None:
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            message_id, data = self.buttons[int(line) - 1]
            await self.client.press(DEMO_USER, message_id, data)
        elif line == STICKER_COMMAND:
            await self.client.send_sticker(DEMO_USER)
        elif line == PHOTO_COMMAND:  # a photo, sent as a reply to the newest message (the answer)
            await self.client.send_photo(DEMO_USER, PHOTO, reply_to_message_id=await self._newest_from_bot(DEMO_USER))
        elif line.startswith(KM_PREFIX):
            await self.klantmanager_answers(line.removeprefix(KM_PREFIX).strip())
        else:
            await self.client.send_text(DEMO_USER, line, first_name="Demo", language_code=lang)
        await self.wait_for_reply()


async def _read_line(interactive: bool) -> str | None:
    try:
        line = await asyncio.to_thread(input, "\n› " if interactive else "")
    except EOFError:
        return None
    return line.strip()


async def run_demo(lang: str | None = None, db_path: Path | None = None, out: TextIO = sys.stdout) -> int:
    interactive = sys.stdin.isatty()
    lang = lang or "en"
    with tempfile.TemporaryDirectory(prefix="wegwijs-demo-") as tmp:
        async with running_emulator(chat_burst=5) as emu, EmulatorClient(emu.control_url) as client:
            settings = Settings(
                db_path=db_path or Path(tmp) / "demo.db",
                content_dir=DEFAULT_CONTENT_DIR,
                token=DEMO_TOKEN,
                api_url=emu.api_url,
                file_url=emu.file_url,
                dispatch_seconds=DISPATCH_SECONDS,
            )
            app = build_application(settings)
            services = app.bot_data[KEY]
            renderer = services.renderer
            now = services.clock.now()
            km = person_for(services.db, TELEGRAM, DEMO_KM, create=True, now=now)
            person = person_for(services.db, TELEGRAM, DEMO_USER, create=True, now=now)
            staff.add_klantmanager(services.db, km, KM_NAME, now)
            staff.link_client(services.db, person, km, "Demo", now)
            terminal = Terminal(client, out, color=interactive)
            async with running(app, poll_timeout=1):
                out.write(to_terminal(renderer.ui(lang, "demo.intro"), interactive) + "\n")
                out.write(to_terminal(renderer.ui(lang, "demo.klantmanager", name=KM_NAME), interactive) + "\n")
                await terminal.klantmanager_opens_chat()
                await terminal.handle("/start", lang)
                while (line := await _read_line(interactive)) is not None:
                    if line in QUIT:
                        break
                    if line:
                        await terminal.handle(line, lang)
                await terminal.drain()
            app.bot_data[KEY].db.close()
    return 0
