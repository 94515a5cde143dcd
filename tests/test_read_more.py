"""Short, action first: a critical item arrives with its short part and "Read more", through the real bot."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot.core.clock import FakeClock
from bot.texts.readmore import split_body
from tests.harness import BotUnderTest, bot_under_test, buttons
from tests.test_spine import first_paragraph_line, item_file, onboard, ui_file
from tests.timeline import DISPATCH_SECONDS, MONDAY, plain, settle

EN = {k: re.sub(r"<[^>]+>", "", html.unescape(v)) for k, v in ui_file("en").items()}
"""English UI texts as the person sees them (no tags)."""


def parts(lang: str, item_id: str) -> tuple[str, str, str]:
    """Title, short part and rest of an item as the editor wrote them."""
    front, body = item_file(lang, item_id)
    short, rest = split_body(body)
    return front["title"], short, rest


def back_to(step_overview: str) -> str:
    return EN["item.back_to_step"].replace("{{ title }}", parts("en", step_overview)[0])


def a_line_of(markdown: str) -> str:
    """The last line of a part, without Markdown, to look for in a message."""
    line = [x for x in markdown.splitlines() if x.strip()][-1]
    return line.replace("**", "").removeprefix("- ")


async def asked(bot: BotUnderTest, user_id: int, item_id: str) -> dict:
    messages = [m for m in await bot.client.bot_messages(user_id) if EN["check.first"] in plain(m)]
    return next(m for m in messages if parts("en", item_id)[0] in plain(m))


async def test_a_critical_item_arrives_short_and_read_more_sends_the_rest(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=DISPATCH_SECONDS) as bot:
        person = bot.person(701)
        await onboard(person, "en", step_number=3)  # intake: woning is critical
        await settle(bot)
        title, short, rest = parts("en", "woning")
        message = await asked(bot, 701, "woning")
        text = plain(message)
        assert a_line_of(short) in text and a_line_of(rest) not in text
        assert text.index(short.splitlines()[0].replace("**", "")) < text.index(EN["check.question"])
        assert buttons(message) == [EN["item.read_more"], EN["check.yes"], EN["check.unclear"], EN["check.ask"]]
        assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more:woning"

        more = await person.press_data(message["message_id"], "more:woning")
        assert len(more) == 1
        assert title in plain(more[0]) and a_line_of(rest) in plain(more[0])
        assert a_line_of(short) not in plain(more[0])
        assert buttons(more[0]) == [back_to("stap-intake"), EN["menu.main"]]


async def test_an_item_opened_from_the_step_is_short_too_and_the_dutch_below_follows(bot: BotUnderTest) -> None:
    person = bot.person(702)
    await onboard(person, "en", step_number=5)  # tov: participatieverklaring is critical
    await person.say("/bilingual")
    await person.say("/step")
    title, short, rest = parts("en", "participatieverklaring")
    _, nl_short, nl_rest = parts("nl", "participatieverklaring")
    item = (await person.press(title))[-1]
    text = plain(item)
    assert a_line_of(short) in text and a_line_of(nl_short) in text  # own language, then Dutch
    assert a_line_of(rest) not in text and a_line_of(nl_rest) not in text
    # An important item carries its check, and leads back to its step (issue 14).
    checks = [EN["check.yes"], EN["check.unclear"], EN["check.ask"]]
    assert buttons(item) == [EN["item.read_more"], *checks, back_to("stap-tov"), EN["menu.main"]]

    more = await person.press(EN["item.read_more"])
    text = plain(more[-1])
    assert a_line_of(rest) in text and a_line_of(nl_rest) in text
    assert text.index(a_line_of(rest)) < text.index(EN["bilingual.dutch_label"]) < text.index(a_line_of(nl_rest))


async def test_a_forged_or_old_read_more_button_gets_the_stale_answer(bot: BotUnderTest) -> None:
    person = bot.person(703)
    card = await onboard(person, "en", step_number=3)
    stale = EN["errors.stale_button"]
    for data in ("more:no-such-item", "more:stap-azc", "more:", "more:woning:extra"):
        answer = await person.press_data(card[-1]["message_id"], data)
        assert [plain(m) for m in answer] == [stale], data
        assert buttons(answer[-1]) == [EN["menu.main"]]


async def test_an_item_without_the_marker_is_sent_whole_without_read_more(bot: BotUnderTest) -> None:
    person = bot.person(704)
    await onboard(person, "en", step_number=3)
    await person.say("/topics")
    title, body, rest = parts("en", "digid")
    assert rest == ""
    topic = (await person.press(title))[-1]
    assert first_paragraph_line(body) in plain(topic) and "Do you need help with DigiD?" in plain(topic)
    assert buttons(topic) == [EN["menu.main"]]
