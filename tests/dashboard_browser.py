"""Debian's Chromium, driven by Selenium through Debian's chromedriver, for the dashboard's tests.

Selenium is blocking; the bot and its HTTP server run on the test's event
loop, so every browser call runs in a thread (``await browser.open(url)``).
The browser itself comes from ``tests/browser.py`` (Debian's Chromium, or a
loud skip), as for every browser test.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.browser import chromium_driver, is_gone

EXTRA_FLAGS = ("--disable-extensions", "--lang=nl")
DESKTOP = (1280, 900)
PHONE = (390, 844)


class Browser:
    """One Chromium for a test module; pages are opened and read from the event loop."""

    def __init__(self, driver: object) -> None:
        self.driver = driver

    async def _run(self, call, *args):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(call, *args)

    async def open(self, url: str) -> None:
        await self._run(self.driver.get, url)

    async def wait_for_path(self, path: str, timeout: float = 5.0) -> None:
        """Wait until the browser shows ``path`` (after a meta refresh), fully loaded."""

        def arrived() -> bool:
            at = self.driver.current_url.split("?")[0].endswith(path)
            return at and self.driver.execute_script("return document.readyState") == "complete"

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self._run(arrived):
            if loop.time() > deadline:
                raise AssertionError(f"the browser stayed at {self.driver.current_url}, not {path}")
            await asyncio.sleep(0.05)

    async def text(self, selector: str = "body") -> str:
        from selenium.webdriver.common.by import By

        return await self._run(lambda: self.driver.find_element(By.CSS_SELECTOR, selector).text)

    async def count(self, selector: str) -> int:
        from selenium.webdriver.common.by import By

        return await self._run(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, selector)))

    def _click_and_wait_for_the_next_page(self, by: str, what: str, timeout: float = 5.0) -> None:
        """Click, then wait until the old page is gone and the new one loaded.

        Selenium's click returns as soon as the click is sent; a form's POST and
        redirect come after. Reading the page straight away can find the old
        page's element just before it goes (a stale element in CI). The old page
        counts as gone however chromedriver says so (``is_gone``).
        """
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.wait import WebDriverWait

        old_page = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(by, what).click()

        def old_page_gone(_: object) -> bool:
            try:
                old_page.is_enabled()
            except Exception as exc:
                if is_gone(exc):
                    return True
                raise
            return False

        wait = WebDriverWait(self.driver, timeout)
        wait.until(old_page_gone)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    async def click_link(self, text: str) -> None:
        """Follow a link to another page."""
        from selenium.webdriver.common.by import By

        await self._run(self._click_and_wait_for_the_next_page, By.LINK_TEXT, text)

    async def press_button(self, text: str) -> None:
        """Press a form's button and wait for the page it leads to."""
        from selenium.webdriver.common.by import By

        await self._run(self._click_and_wait_for_the_next_page, By.XPATH, f"//button[normalize-space()='{text}']")

    async def tab(self) -> str:
        """Press Tab; the text of the element that then has the focus."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        def press() -> str:
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            return self.driver.switch_to.active_element.text

        return await self._run(press)

    async def enter(self) -> None:
        """Press Enter on the element that has the focus (follows a link, as a keyboard user does)."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        await self._run(lambda: ActionChains(self.driver).send_keys(Keys.ENTER).perform())

    async def cookies(self) -> list[dict]:
        return await self._run(self.driver.get_cookies)

    async def forget_cookies(self) -> None:
        await self._run(self.driver.delete_all_cookies)

    async def size(self, width: int, height: int) -> None:
        await self._run(self.driver.set_window_size, width, height)

    async def page_width(self) -> int:
        return await self._run(self.driver.execute_script, "return document.documentElement.scrollWidth")

    async def page_height(self) -> int:
        return await self._run(self.driver.execute_script, "return document.documentElement.scrollHeight")

    async def screenshot(self, path: Path) -> None:
        await self._run(self.driver.save_screenshot, str(path))


def chromium() -> Iterator[Browser]:
    """A headless Chromium with an empty profile (a module-scoped fixture uses this), or a loud skip."""
    with tempfile.TemporaryDirectory(prefix="wegwijs-chromium-") as profile:
        with chromium_driver(Path(profile), DESKTOP, EXTRA_FLAGS) as driver:
            yield Browser(driver)
