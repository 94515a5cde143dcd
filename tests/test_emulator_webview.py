"""The emulator's web view of a Telegram chat, in real Chromium: typing and pressing reach the bot."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from selenium.webdriver.common.by import By

from tests.browser import browser, press, screenshot, served, texts_of, wait_for  # noqa: F401  (browser is a fixture)
from bot.casework import staff
from bot.people.identities import TELEGRAM, person_for
from tests.harness import bot_under_test

PERSON = 5101


def _bubbles(driver) -> list[str]:
    return texts_of(driver, ".msg .bubble")


def test_a_chat_in_the_browser_talks_to_the_bot(browser, tmp_path: Path) -> None:  # noqa: F811
    with served(lambda: bot_under_test(tmp_path / "wegwijs.db")) as served_bot:
        bot = served_bot.value
        browser.get(f"{bot.emulator.base_url}/_web/chat/{PERSON}?placeholder=Bericht")
        box = browser.find_element(By.ID, "text")
        assert box.get_attribute("placeholder") == "Bericht"
        box.send_keys("/start\n")
        press(browser, "English")  # a callback_query, as a press in Telegram's app
        wait_for(browser, lambda d: any("privacy" in text.lower() for text in _bubbles(d)))
        sent = browser.find_elements(By.CSS_SELECTOR, ".msg.me .bubble")
        assert sent and sent[0].text.startswith("/start")
        # Bold in the bot's message is drawn from its entities, not by trusting its HTML.
        assert browser.find_elements(By.CSS_SELECTOR, ".msg.bot .bubble b")
        screenshot(browser, "emulator-chat")


async def test_the_view_refuses_bad_requests_and_changes_nothing(bot) -> None:
    """Forged presses, empty or non-JSON bodies, unknown chats: clear errors, no update for the bot."""
    base = f"{bot.emulator.base_url}/_web/chat/{PERSON}"
    before = bot.emulator.state.stats.events["updates_enqueued"]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/messages") as response:
            assert response.status == 200 and await response.json() == []  # not opened yet: an empty chat
        for path, body in (("send", {"text": "  "}), ("send", {"text": 5}), ("press", {"message_id": "x", "data": "a"})):
            async with http.post(f"{base}/{path}", json=body) as response:
                assert response.status == 400, (path, body)
        async with http.post(f"{base}/send", data=b"not json", headers={"Content-Type": "application/json"}) as response:
            assert response.status == 400
        async with http.post(f"{base}/press", json={"message_id": 99, "data": "menu"}) as response:
            assert response.status == 404  # no such chat, so no such message
        async with http.get(f"{bot.emulator.base_url}/_web/chat/abc") as response:
            assert response.status == 404
        async with http.get(f"{bot.emulator.base_url}/_web/static/../server.py") as response:
            assert response.status == 404
    assert bot.emulator.state.stats.events["updates_enqueued"] == before


async def test_a_long_message_is_cut_as_telegrams_app_does(bot) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{bot.emulator.base_url}/_web/chat/{PERSON}/send", json={"text": "a" * 5000}) as response:
            assert response.status == 200
    sent = [m for m in await bot.client.messages(PERSON) if not m["from_bot"]]
    assert len(sent[0]["text"]) == 4096


KIM = 5201


def test_a_klantmanager_answers_a_question_in_the_browser(browser, tmp_path: Path, renderer) -> None:  # noqa: F811
    """Kim's Telegram in the browser: a question arrives with its buttons, her answer reaches the person."""
    with served(lambda: bot_under_test(tmp_path / "wegwijs.db", dispatch_seconds=0.05)) as running:
        bot = running.value

        def seed() -> None:
            db, now = bot.services.db, bot.services.clock.now()
            kim = person_for(db, TELEGRAM, KIM, create=True, now=now)
            staff.add_klantmanager(db, kim, "Kim", now)
            staff.link_client(db, person_for(db, TELEGRAM, PERSON, create=True, now=now), kim, "Amal", now)

        running.call(seed)
        browser.get(f"{bot.emulator.base_url}/_web/chat/{KIM}")
        browser.find_element(By.ID, "text").send_keys("/start\n")  # Kim has opened her chat with the bot
        wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot"))

        amal = bot.person(PERSON, "en", "Amal")
        for step in (amal.say("/start"), amal.press("English"), amal.press(renderer.button("en", "privacy.accept")),
                     amal.say("/menu"), amal.press(renderer.button("en", "menu.ask")), amal.say("Where is my letter?"),
                     amal.press(renderer.button("en", "ask.yes"))):
            running.run(step)

        wait_for(browser, lambda d: any("Where is my letter?" in t for t in _bubbles(d)))
        press(browser, renderer.button("nl", "km.reply_button"))
        browser.find_element(By.ID, "text").send_keys("In de blauwe map.\n")
        answer = running.run(amal.receive_until(lambda m: "In de blauwe map." in (m.get("html") or "")))
        assert "Kim" in answer["html"]
        screenshot(browser, "emulator-klantmanager")
