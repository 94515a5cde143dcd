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

from bot.app import build_application, running
from bot.config import DEFAULT_CONTENT_DIR, Settings
from bot.emulator import EmulatorClient, running_emulator
from bot.services import KEY

DEMO_TOKEN = "424242:DEMO"
DEMO_USER = 1001
QUIET = 0.4
"""Seconds without a new bot message after which the bot's turn is over."""
TURN_TIMEOUT = 8.0
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


class Terminal:
    def __init__(self, client: EmulatorClient, out: TextIO, color: bool) -> None:
        self.client = client
        self.out = out
        self.color = color
        self.seen = 0
        self.buttons: list[tuple[int, str]] = []
        """(message id, callback data) of the newest keyboard, numbered from 1."""

    async def print_new(self) -> int:
        messages = [m for m in await self.client.messages(DEMO_USER, after=self.seen) if m["from_bot"]]
        for message in messages:
            self.seen = max(self.seen, message["message_id"])
            body = message.get("html") or message.get("text") or message.get("caption") or ""
            if message.get("kind") == "document":
                body = f"📎 {message.get('file_name', '')}\n{body}"
            self.out.write("\n🤖 " + to_terminal(body, self.color).replace("\n", "\n   ") + "\n")
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if rows:
                self.buttons = []
                for row in rows:
                    for button in row:
                        self.buttons.append((message["message_id"], button["callback_data"]))
                        label = f"[{len(self.buttons)}] {button['text']}"
                        self.out.write(f"   {ANSI_DIM if self.color else ''}{label}{ANSI_RESET if self.color else ''}\n")
        self.out.flush()
        return len(messages)

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

    async def handle(self, line: str, lang: str) -> None:
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            message_id, data = self.buttons[int(line) - 1]
            await self.client.press(DEMO_USER, message_id, data)
        elif line == ":sticker":
            await self.client.send_sticker(DEMO_USER)
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
            renderer = app.bot_data[KEY].renderer
            terminal = Terminal(client, out, color=interactive)
            async with running(app, poll_timeout=1):
                out.write(to_terminal(renderer.ui(lang, "demo.intro"), interactive) + "\n")
                await terminal.handle("/start", lang)
                while (line := await _read_line(interactive)) is not None:
                    if line in QUIT:
                        break
                    if line:
                        await terminal.handle(line, lang)
            app.bot_data[KEY].db.close()
    return 0
