"""Live reload: a running bot takes edited content that passes the check, and refuses content that does not."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.texts.content import load_content
from bot.texts.reload import fingerprint
from bot.texts.render import Renderer
from tests.content_fixture import fixture_content, onboard
from tests.harness import BotUnderTest, bot_under_test

FAST = 0.05
"""Seconds between looks for changed files in these tests."""


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), timeout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.texts.reload" and "refused" in r.getMessage()]


async def test_an_edit_is_served_and_a_broken_one_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = fixture_content(tmp_path)
    renderer = Renderer(load_content(root))
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=root, reload_seconds=FAST) as bot:
        person = bot.person(801)
        card = await onboard(person, renderer, "nl", step_number=2)
        assert "Neem uw verblijfsdocument mee." in card[-1]["html"]

        first = bot.services.renderer
        edit(root / "nl/items/stap-intake.md", "Neem uw verblijfsdocument mee.", "Neem uw paspoort mee.")
        await until(lambda: bot.services.renderer is not first)
        card = await person.say("/step")
        assert "Neem uw paspoort mee." in card[-1]["html"]

        good = bot.services.renderer
        edit(root / "nl/ui.yaml", "menu.header: Wat wilt u doen?", "menu.header: <div>Wat wilt u doen?")
        await until(lambda: bool(refusals(caplog)))
        assert bot.services.renderer is good
        assert "nl/ui.yaml" in refusals(caplog)[0] and 'Unsupported start tag "div"' in refusals(caplog)[0]
        menu = await person.say("/menu")
        assert menu[-1]["html"] == "Wat wilt u doen?"  # the last good content

        edit(root / "nl/ui.yaml", "<div>Wat wilt u doen?", "Wat kan ik voor u doen?")
        await until(lambda: bot.services.renderer is not good)
        assert (await person.say("/menu"))[-1]["html"] == "Wat kan ik voor u doen?"


async def test_sighup_reloads_at_once(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=root, reload_seconds=0) as bot:
        first = bot.services.renderer
        edit(root / "en/items/digid.md", "Apply for it", "Ask for it")
        await asyncio.sleep(0.2)
        assert bot.services.renderer is first  # no polling: only the signal reloads
        os.kill(os.getpid(), signal.SIGHUP)
        await until(lambda: bot.services.renderer is not first)
        assert "Ask for it" in bot.services.renderer.item("en", "digid").html


async def test_the_command_menu_follows_the_content(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=root, reload_seconds=FAST) as bot:
        edit(root / "nl/ui.yaml", "command.menu: Menu", "command.menu: Hoofdmenu")
        first = bot.services.renderer
        await until(lambda: bot.services.renderer is not first)
        await until_command_menu(bot, "Hoofdmenu")


async def until_command_menu(bot: BotUnderTest, description: str) -> None:
    for _ in range(100):
        commands = await bot.app.bot.get_my_commands()
        if commands and commands[0].description == description:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the command menu never said {description!r}")


def test_a_change_of_any_content_file_changes_the_fingerprint(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    before = fingerprint(root)
    (root / "ar/audio").mkdir()
    (root / "ar/audio/woning.ogg").write_bytes(b"OggS")
    assert fingerprint(root) != before


def test_the_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_RELOAD_SECONDS", "2.5")
    assert Settings.from_env().reload_seconds == 2.5
    monkeypatch.delenv("WEGWIJS_RELOAD_SECONDS")
    assert Settings.from_env().reload_seconds == 5.0


@pytest.fixture(autouse=True)
def _reload_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.texts.reload")
