"""The emulator's web view of a Telegram chat, in real Chromium: typing and pressing reach the bot."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from tests.browser import browser, press, screenshot, served, wait_for  # noqa: F401  (browser is a fixture)
from tests.harness import bot_under_test

PERSON = 5101


def _bubbles(driver) -> list[str]:
    return [el.text for el in driver.find_elements(By.CSS_SELECTOR, ".msg .bubble")]


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
