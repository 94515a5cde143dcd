"""The two-pane browser demo in real Chromium, as a viewer uses it (issue 15).

One demo and one browser for the module; the tests run in order, as one visit:
onboarding in Arabic in the web chat (checked for right-to-left layout), a
question to klantmanager Kim answered in her Telegram (the screenshot in the
README is taken here), an appointment Kim plans whose reminder arrives when the
demo clock is moved forward, and ``/delete`` from the web chat.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

# The demo runs the web chat on the core's conversation.handle (h15in's branch); until that is
# merged here, these tests skip and say so.
pytest.importorskip("bot.conversation", reason="bot.conversation (h15in-core) is not merged into this tree yet")

from bot.demo.web import CLIENT_NAME, WebDemo, running_web_demo  # noqa: E402
from bot.texts.bidi import strip_marks  # noqa: E402
from bot.texts.render import Renderer  # noqa: E402
from tests.browser import Served, browser, press, screenshot, served, texts_of, wait_for  # noqa: E402, F401  (browser: a fixture)

LANG = "ar"
QUESTION = "متى تبدأ دروس اللغة؟"
ANSWER = "De taalschool begint op 4 januari. Ik stuur u de brief."
README_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "demo-web.png"
UPDATE_SCREENSHOT = "WEGWIJS_UPDATE_SCREENSHOT"
"""Set to 1 to take the README's screenshots again (as tests/test_dashboard_browser.py does)."""
PERSON_MESSAGES = "#log article.message:not(.mine)"
KM_MESSAGES = ".msg.bot .bubble"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served[WebDemo]]:
    db_path = tmp_path_factory.mktemp("web-demo") / "demo.db"
    with served(lambda: running_web_demo(db_path=db_path)) as running:
        yield running


def person_pane(driver) -> None:
    driver.switch_to.default_content()
    driver.switch_to.frame("person")


def km_pane(driver) -> None:
    driver.switch_to.default_content()
    driver.switch_to.frame("klantmanager")


def texts(driver, selector: str) -> list[str]:
    """The messages' text as read, without the direction marks around Latin words in Arabic."""
    return [strip_marks(text) for text in texts_of(driver, selector)]


def arrives(driver, selector: str, wanted: str) -> None:
    """Wait until a message in the current pane contains ``wanted``."""
    wait_for(driver, lambda d: any(wanted in text for text in texts(d, selector)))


def type_in(driver, text: str) -> None:
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys("\n")


def plain(renderer: Renderer, lang: str, key: str, **values: object) -> str:
    """A ui text as the page shows it: no tags (bold is drawn), no direction marks."""
    return strip_marks(renderer.button(lang, key, **values)).replace("<b>", "").replace("</b>", "")


RIGHT_TO_LEFT_LINES = """
const out = [];
for (const article of document.querySelectorAll(arguments[0])) {
  const body = article.querySelector(".body");
  const box = body.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(body);
  const lines = new Map();
  for (const rect of range.getClientRects()) {
    if (rect.width < 1) continue;
    const top = Math.round(rect.top);
    const line = lines.get(top) || { left: rect.left, right: rect.right };
    lines.set(top, { left: Math.min(line.left, rect.left), right: Math.max(line.right, rect.right) });
  }
  out.push({ direction: getComputedStyle(body).direction, lang: article.lang,
             boxLeft: box.left, boxRight: box.right, lines: [...lines.values()] });
}
return out;
"""


def test_onboarding_in_arabic_reads_right_to_left(browser, demo: Served[WebDemo], renderer: Renderer) -> None:  # noqa: F811
    browser.get(f"{demo.value.url}?lang={LANG}")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    person_pane(browser)
    press(browser, renderer.button(LANG, "language.name"), within="#log")
    press(browser, renderer.button(LANG, "privacy.accept"), within="#log")
    arrives(browser, PERSON_MESSAGES, "Kim")  # linked to Kim by the invitation the demo opened
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"

    measured = browser.execute_script(RIGHT_TO_LEFT_LINES, PERSON_MESSAGES)
    arabic = [m for m in measured if m["lang"] == LANG]
    assert arabic and all(m["direction"] == "rtl" for m in arabic)
    # Short lines (shorter than the bubble) hug the right edge, as Arabic text does, not the left.
    short = [(m, line) for m in arabic for line in m["lines"] if line["right"] - line["left"] < 0.7 * (m["boxRight"] - m["boxLeft"])]
    assert short, "no short line to see the alignment by"
    for m, line in short:
        assert m["boxRight"] - line["right"] < 4, (m, line)
        assert line["left"] - m["boxLeft"] > 20, (m, line)
    browser.switch_to.default_content()
    screenshot(browser, "demo-onboarding-arabic")


def test_a_question_in_arabic_reaches_kim_and_her_answer_comes_back(
    browser, demo: Served[WebDemo], renderer: Renderer  # noqa: F811
) -> None:
    person_pane(browser)
    press(browser, strip_marks(renderer.button(LANG, "menu.main")), within="header")  # the page's own ☰, by the title
    press(browser, renderer.button(LANG, "menu.ask"), within="#log")
    type_in(browser, QUESTION)
    press(browser, renderer.button(LANG, "ask.yes"), within="#log")

    km_pane(browser)
    arrives(browser, KM_MESSAGES, QUESTION)  # in Kim's Telegram, with the client's name and language in Dutch
    question = [t for t in texts(browser, KM_MESSAGES) if QUESTION in t][-1]
    assert CLIENT_NAME in question
    press(browser, renderer.button("nl", "km.reply_button"), within="#log")
    type_in(browser, ANSWER)

    person_pane(browser)
    arrives(browser, PERSON_MESSAGES, ANSWER)
    answer = [t for t in texts(browser, PERSON_MESSAGES) if ANSWER in t][-1]
    assert "Kim" in answer  # under the header "answer from your klantmanager Kim", in Arabic

    browser.switch_to.default_content()
    browser.set_window_size(1280, 1000)  # both phones whole, with the bar above them
    browser.execute_script("window.scrollTo(0, 0)")
    path = screenshot(browser, "demo-web")  # always into test-screenshots/, to look at
    if os.environ.get(UPDATE_SCREENSHOT) == "1":  # the README's copy only when asked: a test run leaves the tree clean
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, README_SCREENSHOT)


def test_a_reminder_arrives_when_the_clock_moves_forward(browser, demo: Served[WebDemo], renderer: Renderer) -> None:  # noqa: F811
    km_pane(browser)
    type_in(browser, "/clients")
    press(browser, CLIENT_NAME, within="#log")
    press(browser, renderer.button("nl", "km.appointment_button"), within="#log")
    press(browser, "➕ " + renderer.button("nl", "appointment.kind.tov"), within="#log")
    type_in(browser, "morgen 14:00")
    type_in(browser, "Jan Evertsenstraat 1")
    press(browser, renderer.button("nl", "km.appt_nothing_button"), within="#log")
    press(browser, renderer.button("nl", "km.appt_save_button"), within="#log")

    reminder = plain(renderer, LANG, "appointment.reminder")
    person_pane(browser)
    arrives(browser, PERSON_MESSAGES, "Jan Evertsenstraat 1")  # the notice of the new appointment
    assert not any(reminder in text for text in texts(browser, PERSON_MESSAGES))

    browser.switch_to.default_content()  # tomorrow 10:00: the reminder of one day before (14:00 today) is due
    before = browser.find_element(By.ID, "clock-now").text
    press(browser, renderer.button(LANG, "demo.web.day"), within=".clock")
    wait_for(browser, lambda d: d.find_element(By.ID, "clock-now").text != before)
    person_pane(browser)
    arrives(browser, PERSON_MESSAGES, reminder)


def test_delete_from_the_web_chat_erases_the_person(browser, demo: Served[WebDemo], renderer: Renderer) -> None:  # noqa: F811
    person_pane(browser)
    type_in(browser, "/delete")
    press(browser, renderer.button(LANG, "delete.yes"), within="#log")
    arrives(browser, PERSON_MESSAGES, plain(renderer, LANG, "delete.done").split(".")[0])

    db = demo.value.services.db
    assert demo.call(lambda: db["clients"].count_where("klantmanager_id = ?", [demo.value.kim])) == 0
    assert demo.call(lambda: db["web_messages"].count) == 0
    assert demo.call(lambda: db["web_sessions"].count) == 0
    km_pane(browser)
    arrives(browser, KM_MESSAGES, CLIENT_NAME)  # Kim is told who left, nothing more

    # "Send /start", the farewell says: the page starts a new session, as a reload would.
    person_pane(browser)
    mine_before = len(browser.find_elements(By.CSS_SELECTOR, "#log article.mine"))
    prompt = plain(renderer, LANG, "language.prompt")
    prompts = sum(prompt in text for text in texts(browser, PERSON_MESSAGES))
    type_in(browser, "/start")
    wait_for(browser, lambda d: sum(prompt in text for text in texts(d, PERSON_MESSAGES)) > prompts)  # asked anew
    assert demo.call(lambda: db["web_sessions"].count) == 1
    press(browser, renderer.button(LANG, "language.name"), within="#log")
    arrives(browser, PERSON_MESSAGES, plain(renderer, LANG, "privacy.accept"))
    # A message the server refuses leaves no bubble that looks sent: it goes back into the box.
    too_long = "ب" * 4_100
    browser.execute_script("document.getElementById('text').value = arguments[0];"
                           "document.getElementById('composer').requestSubmit();", too_long)
    wait_for(browser, lambda d: d.find_element(By.ID, "notice").is_displayed())
    assert browser.find_element(By.ID, "notice").text == plain(renderer, LANG, "errors.too_long")
    assert browser.find_element(By.ID, "text").get_attribute("value") == too_long
    assert len(browser.find_elements(By.CSS_SELECTOR, "#log article.mine")) == mine_before
