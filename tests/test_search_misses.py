"""Questions search did not answer: kept 90 days, erased with the person, listed by frequency without names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.search import search_misses
from bot.cli.main import main as cli
from bot.core.clock import FakeClock
from bot.core.db import personal_tables
from bot.channels.telegram.handlers.search import EXPIRY_JOB
from tests.content_fixture import onboard
from tests.harness import BotUnderTest, Person, bot_under_test
from tests.test_handoff import Team, label, team  # noqa: F401  (team is a fixture)

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def rows(bot: BotUnderTest) -> list[dict]:
    return list(bot.services.db[search_misses.TABLE].rows_where(order_by="id"))


async def person(bot: BotUnderTest, user_id: int, lang: str) -> Person:
    someone = bot.person(user_id)
    await onboard(someone, bot.services.renderer, lang)
    return someone


async def test_a_search_that_found_nothing_is_kept_and_erased_with_the_person(bot: BotUnderTest) -> None:
    amal = await person(bot, 710_001, "ar")
    await amal.say("xyzzy  PLUGH؟ 0612345678")
    await amal.say("huurcontract")  # found: not kept
    db = bot.services.db
    assert search_misses.TABLE in personal_tables(db)  # /mydata shows it, /delete erases it
    [row] = rows(bot)
    assert row["lang"] == "ar" and row["reason"] == search_misses.NOTHING and row["user_id"] == amal.person_id
    assert row["text"] == "xyzzy PLUGH؟ #"  # one line, the phone number masked
    assert row["day"] == bot.services.clock.now().date().isoformat()  # the day, not the moment

    await amal.say("/delete")
    await amal.press(bot.services.renderer.button("ar", "delete.yes"))
    assert rows(bot) == []  # no trace of the person after /delete


def ask_button(message: dict) -> str:
    """The "ask my klantmanager" button under search results."""
    return next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("ask:draft:")
    )


async def test_a_search_followed_by_ask_my_klantmanager_is_kept(team: Team) -> None:  # noqa: F811
    amal = await team.new_client(team.sanne, "Amal", 710_002, "en")
    results = (await amal.say("rental contract for my flat"))[-1]
    confirm = await amal.press_data(results["message_id"], ask_button(results))
    assert label("en", "ask.yes") in [b["text"] for row in confirm[-1]["reply_markup"]["inline_keyboard"] for b in row]
    [row] = rows(team.bot)
    assert (row["lang"], row["text"], row["reason"]) == ("en", "rental contract for my flat", search_misses.ASKED)

    # Nothing found, then asked: one question, kept once.
    await amal.press(label("en", "ask.no"))
    nothing = (await amal.say("xyzzy plugh"))[-1]
    await amal.press_data(nothing["message_id"], ask_button(nothing))
    assert [r["reason"] for r in rows(team.bot)] == [search_misses.ASKED, search_misses.NOTHING]


async def test_questions_older_than_90_days_are_dropped(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with bot_under_test(tmp_path / "wegwijs.db", clock=clock) as bot:
        amal = await person(bot, 710_003, "nl")
        await amal.say("xyzzy 1st")
        clock.advance(timedelta(days=89))
        await amal.say("xyzzy 2nd")
        assert [r["text"] for r in rows(bot)] == ["xyzzy 1st", "xyzzy 2nd"]

        clock.advance(timedelta(days=2))  # the first is 91 days old now
        [job] = bot.app.job_queue.get_jobs_by_name(EXPIRY_JOB)
        assert job.job.trigger.interval == timedelta(days=1)
        await job.run(bot.app)
        assert [r["text"] for r in rows(bot)] == ["xyzzy 2nd"]

        clock.advance(timedelta(days=90))  # a new question also drops what is too old
        await amal.say("xyzzy 3rd")
        assert [r["text"] for r in rows(bot)] == ["xyzzy 3rd"]


async def test_cli_lists_the_questions_by_frequency(tmp_path: Path, capsys) -> None:
    clock = FakeClock(START)
    db_path = tmp_path / "wegwijs.db"
    async with bot_under_test(db_path, clock=clock) as bot:
        nl, ar, ti = [await person(bot, 710_010 + n, lang) for n, lang in enumerate(("nl", "ar", "ti"))]
        for text in ("Frobozz zorkmid?", "frobozz  ZORKMID"):
            await nl.say(text)
        await ti.say("ፍሮቦዝ xyzzy")
        clock.advance(timedelta(days=1))
        await ar.say("زوركميد  فروبوز")
        await nl.say("frobozz zorkmid ?!")
    capsys.readouterr()
    assert cli(["content", "misses", "--db", str(db_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # One question in three spellings, with its latest wording; then the ones asked once, the most recent first.
    assert lines[1].split() == ["nl", "3", "0", "2027-03-02", "frobozz", "zorkmid", "?!"]
    assert lines[2].split() == ["ar", "1", "0", "2027-03-02", "زوركميد", "فروبوز"]
    assert lines[3].split() == ["ti", "1", "0", "2027-03-01", "ፍሮቦዝ", "xyzzy"]
    assert lines[-1].startswith("3 question(s)")

    assert cli(["content", "misses", "--db", str(db_path), "--lang", "ar"]) == 0
    only_ar = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in only_ar[1:-1]] == ["ar"]
