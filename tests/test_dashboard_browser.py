"""The dashboard in real Chromium: signing in through the bot's link, the caseload, refusals,
the admin overview (and the README's screenshot of it, from a seeded database).

One browser for the module (``tests/dashboard_browser.py``); without Chromium these skip, loudly.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bench.bigdb import generate
from bot.cli.main import main as cli
from tests.dashboard_browser import DESKTOP, PHONE, Browser, chromium
from tests.dashboard_server import dashboard_url, sign_in_link
from tests.harness import bot_under_test
from tests.test_dashboard import Dashboard, seed
from tests.test_handoff import ADMIN, START, label, team_at

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "dashboard-admin.png"
UPDATE_SCREENSHOT = "WEGWIJS_UPDATE_SCREENSHOT"
"""Set to 1 to write the admin overview's screenshot into docs/ (the README shows it)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


@pytest.fixture
async def dash(tmp_path: Path, browser: Browser) -> AsyncIterator[Dashboard]:
    await browser.forget_cookies()
    await browser.size(*DESKTOP)
    async with team_at(tmp_path, START, http_port=0) as team:
        yield Dashboard(team, dashboard_url(team.bot), *await seed(team))


def nl(key: str) -> str:
    return label("nl", key)


async def test_a_klantmanager_signs_in_from_the_bot_and_works_through_the_caseload(dash: Dashboard, browser: Browser) -> None:
    await browser.open(await sign_in_link(dash.team.sanne))
    await browser.wait_for_path("/dashboard/clients")
    assert await browser.text("h1") == nl("dashboard.clients_title")
    table = await browser.text("table.caseload")
    assert "Amal Haddad" in table and "Tesfay Berhe" in table and "Reza" not in table
    cookie = next(c for c in await browser.cookies() if c["name"] == "wegwijs_dashboard")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    assert await browser.tab() == nl("dashboard.skip")  # the keyboard's first stop: skip to the content
    await browser.click_link("Amal Haddad")
    assert await browser.text("h1") == "Amal Haddad"
    assert "متى يأتي الموعد؟" in await browser.text("main") and "Mijn kind is ziek" in await browser.text("main")

    await browser.size(*PHONE)
    await browser.open(dash.base + "/dashboard/clients")
    assert await browser.page_width() <= PHONE[0]  # the wide table scrolls inside its box, the page does not
    await browser.size(*DESKTOP)

    await browser.open(f"{dash.base}/dashboard/clients/{dash.reza.person_id}")  # Daan's client
    assert await browser.text("h1") == nl("dashboard.forbidden_title") and "Reza" not in await browser.text("main")
    await browser.open(dash.base + "/admin")
    assert await browser.text("h1") == nl("dashboard.forbidden_title")

    await browser.open(dash.base + "/dashboard/clients")
    await browser.press_button(nl("dashboard.sign_out"))
    assert await browser.text("h1") == nl("dashboard.signed_out_title")
    await browser.open(f"{dash.base}/dashboard/clients/{dash.amal.person_id}")
    assert await browser.text("h1") == nl("dashboard.not_signed_in_title")


async def test_a_reused_or_forged_link_gets_a_clear_page_and_no_session(dash: Dashboard, browser: Browser) -> None:
    link = await sign_in_link(dash.team.sanne)
    await browser.open(link)
    await browser.wait_for_path("/dashboard/clients")
    await browser.forget_cookies()
    await browser.open(link)
    assert await browser.text("h1") == nl("dashboard.link_refused_title")
    assert await browser.text("p.message") == nl("dashboard.link_used")
    assert await browser.cookies() == []
    await browser.open(link[:-6] + "AAAAAA")
    assert await browser.text("p.message") == nl("dashboard.link_unknown")
    assert await browser.cookies() == []
    await browser.open(dash.base + "/dashboard/clients")
    assert await browser.text("h1") == nl("dashboard.not_signed_in_title")


async def test_an_admin_sees_the_overview_of_a_seeded_database(tmp_path: Path, browser: Browser) -> None:
    """Also the README's screenshot: 1,000 made-up people (bench/bigdb.py), so the counts show."""
    await browser.forget_cookies()
    db_path = tmp_path / "demo.db"
    generate(db_path, people=1000, outbox_rows=10_000)
    assert cli(["admin", "add", str(ADMIN), "--name", "Beheer", "--db", str(db_path)]) == 0
    async with bot_under_test(db_path, http_port=0) as bot:
        admin = bot.person(ADMIN, "nl", "Beheer")
        await browser.open(await sign_in_link(admin))
        await browser.wait_for_path("/admin")
        assert await browser.text("h1") == nl("dashboard.admin_title")
        assert await browser.text('[aria-current="page"]') == nl("dashboard.section.path")
        assert await browser.count("section.insight") == 2 and await browser.count("figure.chart svg") == 1
        main = await browser.text("main")
        assert "Klantmanager 0001" not in main and "10000000" not in main  # no names, no ids
        shot = tmp_path / "dashboard-admin.png"
        await browser.size(DESKTOP[0], min(await browser.page_height(), int(os.environ.get("WEGWIJS_SCREENSHOT_HEIGHT", "2600"))))
        await browser.screenshot(shot)
        await browser.size(*DESKTOP)
        assert shot.stat().st_size > 10_000
        if os.environ.get(UPDATE_SCREENSHOT) == "1":
            SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copyfile(shot, SCREENSHOT)

        # The menu between the sections by keyboard: Tab to "Vragen", Enter.
        target = nl("dashboard.section.questions")
        for _ in range(12):
            if await browser.tab() == target:
                break
        else:
            raise AssertionError(f"Tab never reached {target!r}")
        await browser.enter()
        await browser.wait_for_path("/admin/questions")
        assert await browser.text('[aria-current="page"]') == target
        assert await browser.count("section.insight") == 2  # answer times per klantmanager and per week
        assert "Klantmanager 1" in await browser.text("main")  # numbered, not named

        # On a phone the menu wraps: every section in reach, and the page does not scroll sideways.
        await browser.size(*PHONE)
        await browser.open(dashboard_url(bot) + "/admin/delivery")
        assert await browser.count("nav.sections a") == 6
        assert await browser.page_width() <= PHONE[0]
        await browser.size(*DESKTOP)
