"""The web chat on the real core: the same conversation as in Telegram, the klantmanager in Telegram.

A web person here is a browser (``tests/web_harness.py``) on the web chat
served beside the bot under test (``beside.serving``, or the bot's channel
list as ``wegwijs run --web-port`` asks it); klantmanager Sanne works in
Telegram through the emulator (``tests/test_handoff.Team``).
"""

from __future__ import annotations

import argparse
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot import conversation
from bot.channels.telegram.handlers.klantmanager import qr_png
from bot.channels.web import beside
from bot.people import identities
from bot.reminders import appointments
from bot.texts.bidi import strip_marks
from bot.texts.timing import load_timing
from tests.harness import buttons
from tests.test_handoff import START, Team, label, link_code, team_at
from tests.timeline import settle
from tests.web_harness import WebPerson, web_person

QUESTION = "متى تبدأ دروس اللغة؟"
ANSWER = "De taalschool begint op 4 januari."


def plain(markup: str) -> str:
    """What a reader sees of a message: no tags, no direction marks, entities read."""
    return strip_marks(html.unescape(re.sub(r"<[^>]+>", "", markup))).strip()


def labels(keyboard: list) -> list[str]:
    return [strip_marks(b["label"]) for row in keyboard for b in row]


@asynccontextmanager
async def web_chat(team: Team) -> AsyncIterator[str]:
    s = team.bot.services
    async with beside.serving(s, conversation.handle, s.channels, beside.bind("127.0.0.1", 0)) as served:
        yield served.url


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    async with team_at(tmp_path, START) as team:
        yield team


async def press(person: WebPerson, label_text: str) -> None:
    """Press the button with this label on the latest message that has it, and wait for the answer."""
    message = next(m for m in reversed(person.shown) if strip_marks(label_text) in labels(m.data["buttons"]))
    action = next(
        b["action"] for row in message.data["buttons"] for b in row if strip_marks(b["label"]) == strip_marks(label_text)
    )
    before = len(person.shown)
    status, answer = await person.post({"button": action})
    assert status == 200, answer
    await person.wait_for(before + 1)


async def say(person: WebPerson, text: str) -> None:
    before = len(person.shown)
    status, answer = await person.post({"text": text})
    assert status == 200, answer
    await person.wait_for(before + 1)


async def test_onboarding_in_arabic_gives_the_same_screens_as_telegram(team: Team) -> None:
    telegram = team.bot.person(880_100, language_code="ar")
    seen_in_telegram = [*await telegram.say("/start")]
    seen_in_telegram += await telegram.press("العربية")
    seen_in_telegram += await telegram.press(label("ar", "privacy.accept"))
    async with web_chat(team) as url, web_person(url, "ar") as person:
        await person.hello()
        await person.open_page()
        await say(person, "/start")
        await press(person, "العربية")
        await press(person, label("ar", "privacy.accept"))
        await settle(team.bot)
        shown = person.shown
    telegram_texts = [plain(m["html"]) for m in seen_in_telegram]
    web_texts = [plain(m.data["html"]) for m in shown]
    assert "\n\n".join(web_texts) == "\n\n".join(telegram_texts)  # Telegram splits long texts; the page does not
    assert [labels(m.data["buttons"]) for m in shown if m.data["buttons"]] == [
        [strip_marks(b) for b in buttons(m)] for m in seen_in_telegram if buttons(m)
    ]
    assert {m.data["dir"] for m in shown[1:]} == {"rtl"}


async def test_a_question_from_the_web_reaches_the_klantmanager_and_her_answer_comes_back(team: Team) -> None:
    invite = await team.sanne.say("/newclient Amal Haddad")
    async with web_chat(team) as url, web_person(url, "ar") as amal:
        await amal.hello()
        await amal.open_page()
        await say(amal, f"/start {link_code(invite[0])}")
        await press(amal, "العربية")
        await press(amal, label("ar", "privacy.accept"))
        await say(amal, "/menu")
        await press(amal, label("ar", "menu.ask"))
        await say(amal, QUESTION)
        await press(amal, label("ar", "ask.yes"))
        relayed = await team.sanne.receive_until(lambda m: QUESTION in (m["text"] or ""))
        assert "Amal Haddad" in relayed["text"]
        before = len(amal.shown)
        await team.sanne.reply_to(relayed["message_id"], ANSWER)
        await amal.wait_for(before + 1, timeout=10)
        assert ANSWER in amal.shown[-1].data["html"]


PUBLIC_URL = "https://chat.wegwijs.example"
"""The web chat's public address (``--web-url``): a proxy there passes requests on to its port."""


async def test_newclient_gives_the_web_chat_link_and_its_qr_code_and_the_link_links_the_client(tmp_path: Path) -> None:
    options = argparse.Namespace(web_port=0, web_url=PUBLIC_URL)
    async with team_at(tmp_path, START, options=options) as team:
        invite = await team.sanne.say("/newclient Amal Haddad")
        code = link_code(invite[0])
        telegram_link, web_link = f"https://t.me/wegwijs_bot?start={code}", f"{PUBLIC_URL}/start?code={code}"
        assert [m["kind"] for m in invite] == ["text", "photo", "text", "photo"]
        assert web_link in invite[2]["html"] and "Amal Haddad" in invite[2]["html"]
        assert "webchat" in invite[3]["caption"]
        client = team.bot.client
        assert await client.file_bytes(invite[1]["file_id"]) == qr_png(telegram_link)
        assert await client.file_bytes(invite[3]["file_id"]) == qr_png(web_link)

        served = team.bot.services.joined["web"].url
        async with web_person(served, "ar") as amal:
            async with amal.session.get(web_link.removeprefix(PUBLIC_URL)) as response:  # through the proxy, to ``served``
                assert response.status == 200
                assert f'data-code="{code}"' in await response.text()
            await amal.hello()
            await amal.open_page()
            status, answer = await amal.post({"command": "start", "args": [code]})  # what the page then sends
            assert status == 200, answer
            await amal.wait_for(1)
            await press(amal, "العربية")
            await press(amal, label("ar", "privacy.accept"))
            await team.sanne.receive_until(lambda m: "Amal Haddad is nu verbonden" in (m["text"] or ""))  # km.client_linked
            web_id = identities.person_for(team.bot.services.db, "web", amal_address(team))
            row = team.bot.services.db.execute("SELECT klantmanager_id FROM clients WHERE user_id = ?", [web_id]).fetchone()
            assert row == (team.sanne.person_id,)


def amal_address(team: Team) -> str:
    """The address of the one web chat session."""
    return team.bot.services.db.execute("SELECT address FROM web_sessions").fetchone()[0]


async def test_without_its_public_address_the_web_chat_offers_no_link(tmp_path: Path) -> None:
    async with team_at(tmp_path, START, options=argparse.Namespace(web_port=0)) as team:
        invite = await team.sanne.say("/newclient Amal Haddad")
        assert [m["kind"] for m in invite] == ["text", "photo"]


async def test_a_reminder_due_while_the_page_is_closed_appears_on_the_next_open(team: Team) -> None:
    s = team.bot.services
    async with web_chat(team) as url, web_person(url, "fa") as person:
        await person.hello()
        await person.open_page()
        await say(person, "/start")
        await press(person, "فارسی")
        await press(person, label("fa", "privacy.accept"))
        person_id = next(row["user_id"] for row in s.db["web_sessions"].rows)
        await person.close_page()
        appointments.add(
            s.db, load_timing(s.renderer.journey), user_id=person_id, kind="tov",
            starts_at=datetime(2027, 3, 10, 10, 0), now=team.clock.now(), place="Stadsloket",
            map_url="https://www.openstreetmap.org/search?query=Stadsloket",
        )
        await settle(team.bot)
        waiting = s.db.execute("SELECT count(*) FROM web_messages WHERE delivered = 0").fetchone()[0]
        assert waiting >= 1  # the notice of the appointment, stored while nobody looked
        before = len(person.shown)
        await person.open_page()
        news = await person.wait_for(before + waiting)
        notice = next(m for m in news[before:] if "Stadsloket" in m.data["html"])
        links = [b for row in notice.data["buttons"] for b in row if b.get("url")]
        url = "https://www.openstreetmap.org/search?query=Stadsloket"
        assert [(b["url"], b["action"]) for b in links] == [(url, "")]  # the page opens it; nothing goes to the bot
        assert [strip_marks(b["label"]) for b in links] == [strip_marks(label("fa", "appointment.map"))]
        status, _ = await person.post({"button": ""})  # so an empty action is never a button
        assert status == 400


async def test_delete_from_the_web_chat_erases_everything(team: Team) -> None:
    s = team.bot.services
    async with web_chat(team) as url, web_person(url, "fa") as person:
        await person.hello()
        await person.open_page()
        await say(person, "/start")
        await press(person, "فارسی")
        await press(person, label("fa", "privacy.accept"))
        (session,) = s.db["web_sessions"].rows
        # No command list in a browser: /mydata and /delete are buttons under the privacy notice.
        await say(person, "/menu")
        await press(person, label("fa", "menu.privacy"))
        await press(person, label("fa", "privacy.mydata_button"))
        assert any(m.data.get("file") for m in person.shown[-2:])  # the export, as a file to download
        await press(person, label("fa", "privacy.delete_button"))
        await press(person, label("fa", "delete.yes"))
        await person.wait_ended()
    farewell = person.shown[-1].data
    assert plain(farewell["html"]) == plain(label("fa", "delete.done"))
    assert (farewell["lang"], farewell["dir"]) == ("fa", "rtl")  # in the person's language, though they are gone
    assert [s.db[table].count for table in ("web_sessions", "web_messages", "web_files")] == [0, 0, 0]
    assert s.db["users"].count_where("id = ?", [session["user_id"]]) == 0
    assert identities.person_for(s.db, "web", session["address"]) is None
