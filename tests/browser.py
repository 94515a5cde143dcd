"""Real Chromium for the browser tests: one headless browser per test module.

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them), driven
by Selenium: pure Python, and nothing is downloaded (Playwright's pip package
brings a Node driver of its own and wants to fetch its own browsers). Without
Chromium the tests skip with a reason that says how to get it.

The servers under test run in a thread of their own with their own event loop
(:func:`served`), because Selenium's calls block.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1280, 900)
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine's network is closed: without these, Chromium keeps trying Google's hosts.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--force-device-scale-factor=1",
)
WAIT_SECONDS = 20.0
SCREENSHOTS = Path(os.environ.get("WEGWIJS_SCREENSHOTS", "test-screenshots"))
"""Where tests leave the PNGs they took (a person can look at them after a run)."""

T = TypeVar("T")
R = TypeVar("R")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return (f"BROWSER TESTS SKIPPED: {path} is missing. Install Debian's Chromium: "
                    "`apt-get install chromium chromium-driver` (.ci/run does this).")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "BROWSER TESTS SKIPPED: selenium is not installed (pip install -e '.[test]')."
    return None


@contextmanager
def chromium_driver(profile: Path, window: tuple[int, int] = WINDOW, extra: tuple[str, ...] = ()) -> Iterator["WebDriver"]:
    """A headless Chromium with an empty profile in ``profile``, or a loud skip when there is none."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, *extra, f"--window-size={window[0]},{window[1]}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator["WebDriver"]:
    """A headless Chromium for the whole module (starting one takes about a second)."""
    with chromium_driver(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def wait_for(driver: "WebDriver", condition: Callable[["WebDriver"], T], timeout: float = WAIT_SECONDS) -> T:
    """What ``condition`` returns once it is truthy; fails the test after ``timeout`` seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    def tried(d: "WebDriver") -> T | bool:
        try:
            return condition(d)
        except Exception as exc:
            if is_gone(exc):
                return False
            raise

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(tried)


def is_gone(exc: Exception) -> bool:
    """The element was drawn anew between finding it and reading it: a live page does that, try again.

    Chromedriver says so in two ways: a stale element, or (when the node went
    between its two inspector calls) "Node with given id does not belong to the
    document", which comes as a plain WebDriverException.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    return isinstance(exc, StaleElementReferenceException) or (
        isinstance(exc, WebDriverException) and "does not belong to the document" in str(exc.msg)
    )


def texts_of(driver: "WebDriver", selector: str) -> list[str]:
    """The rendered text of every element ``selector`` finds, read in one go in the page.

    One script call reads them all at one moment, so a message drawn anew
    between finding and reading cannot make the read fail.
    """
    script = "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText)"
    return driver.execute_script(script, selector)


def press(driver: "WebDriver", label: str, within: str = "body", timeout: float = WAIT_SECONDS) -> None:
    """Click the newest button labelled ``label`` (inside the CSS selector ``within``) once it is there."""
    from selenium.webdriver.common.by import By

    def click(d: "WebDriver") -> bool:
        matches = [b for b in d.find_element(By.CSS_SELECTOR, within).find_elements(By.TAG_NAME, "button")
                   if b.text.strip() == label and b.is_enabled()]
        if not matches:
            return False
        matches[-1].click()
        return True

    wait_for(driver, click, timeout)


def screenshot(driver: "WebDriver", name: str) -> Path:
    """Save the window as ``<SCREENSHOTS>/<name>.png``; returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


@dataclass
class Served(Generic[T]):
    """What :func:`served` started, and a way to run code beside it in its event loop."""

    value: T
    loop: asyncio.AbstractEventLoop

    def call(self, function: Callable[[], R], timeout: float = WAIT_SECONDS) -> R:
        """Run ``function`` in the servers' thread (their SQLite connection lives there)."""

        async def run() -> R:
            return function()

        return self.run(run(), timeout)

    def run(self, coroutine: Coroutine[Any, Any, R], timeout: float = WAIT_SECONDS) -> R:
        """Await ``coroutine`` in the servers' loop (a harness person's ``say``, say) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextmanager
def served(start: Callable[[], AbstractAsyncContextManager[T]]) -> Iterator[Served[T]]:
    """Enter the async context manager ``start()`` in a background event loop, until the block ends.

    The servers (emulator, bot, web pages) live in that loop while the test drives
    the browser; leaving the block exits the context manager there and stops the loop.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="served", daemon=True)
    thread.start()
    entered: Future[T] = Future()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with start() as value:
                entered.set_result(value)
                await stop.wait()
        except BaseException as exc:
            if not entered.done():
                entered.set_exception(exc)
            raise

    task = asyncio.run_coroutine_threadsafe(main(), loop)
    try:
        yield Served(entered.result(timeout=60), loop)
    finally:
        loop.call_soon_threadsafe(stop.set)
        try:
            task.result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
