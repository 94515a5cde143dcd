"""Search through the real bot: free text and /search, as people type them."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

import yaml

from bot.texts.bidi import strip_marks
from bot.core.config import DEFAULT_CONTENT_DIR
from tests.harness import BotUnderTest, Person, bot_under_test, buttons, seen
from tests.test_reload import FAST, until

OWN_NAMES = {"nl": "Nederlands", "en": "English", "ar": "العربية", "fa": "فارسی", "ti": "ትግርኛ"}


def ui(lang: str, key: str) -> str:
    """A short text as the editor wrote it; English where a translation has none yet."""
    texts = yaml.safe_load((DEFAULT_CONTENT_DIR / lang / "ui.yaml").read_text(encoding="utf-8"))
    if key not in texts:
        return ui("en", key)
    return texts[key]


def title(lang: str, item_id: str) -> str:
    text = (DEFAULT_CONTENT_DIR / lang / "items" / f"{item_id}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])["title"]


def keyboard(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(strip_marks(b["text"]), b["callback_data"]) for row in rows for b in row]


async def onboarded(bot: BotUnderTest, user_id: int, lang: str) -> Person:
    person = bot.person(user_id)
    await person.say("/start")
    await person.press(OWN_NAMES[lang])
    await person.press(html.unescape(ui(lang, "privacy.accept")))
    step_buttons = buttons((await person.client.messages(person.user_id))[-1])
    await person.press(step_buttons[2])
    return person


def drafts(bot: BotUnderTest, user_id: int) -> list[dict]:
    return list(bot.services.db["question_drafts"].rows_where("user_id = ?", [user_id], order_by="id"))


async def test_free_text_shows_items_and_hands_the_exact_text_to_the_klantmanager(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 601, "nl")
    question = "Huis  sleutel?? 🔑 wanneer\u200c مِفْتاح "  # double space, emoji, ZWNJ, tashkeel, trailing space
    answer = await person.say(question)
    message = answer[-1]
    assert message["html"] == ui("nl", "search.results")
    found = keyboard(message)
    assert found[0] == (title("nl", "woning"), "item:woning")
    assert len([data for _, data in found if data.startswith("item:")]) <= 3
    [draft] = drafts(bot, person.person_id)
    assert draft["text"] == question  # byte for byte, as typed
    assert (html.unescape(ui("nl", "search.ask_other")), f"ask:draft:{draft['id']}") in found

    item = await person.press(title("nl", "woning"))
    assert title("nl", "woning") in item[-1]["html"]


async def test_search_command_and_a_typo(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 602, "en")
    answer = await person.say("/search helth insurence")
    assert keyboard(answer[-1])[0] == (title("en", "zorgverzekering"), "item:zorgverzekering")
    assert drafts(bot, person.person_id)[0]["text"] == "helth insurence"


async def test_nothing_in_own_language_falls_back_to_dutch_and_english(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 603, "ar")
    # An Arabic speaker types in English: the English texts match, the buttons are in Arabic.
    answer = await person.say("health insurance doctor")
    assert keyboard(answer[-1])[0] == (title("ar", "zorgverzekering"), "item:zorgverzekering")
    item = await person.press(title("ar", "zorgverzekering"))
    assert title("ar", "zorgverzekering") in seen(item[-1])


async def test_nothing_anywhere_offers_the_klantmanager(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 604, "fa")
    answer = await person.say("xyzzy plugh")
    assert seen(answer[-1]) == ui("fa", "search.nothing")
    [draft] = drafts(bot, person.person_id)
    assert draft["text"] == "xyzzy plugh"
    found = keyboard(answer[-1])
    assert (html.unescape(ui("fa", "search.ask")), f"ask:draft:{draft['id']}") in found
    assert not [data for _, data in found if data.startswith("item:")]


async def test_empty_emoji_and_very_long_queries_are_answered_cleanly(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 605, "ti")
    for text in ("👍🙂", "?!… ፡፡ ።", "/search"):
        answer = await person.say(text)
        assert answer[-1]["html"] == ui("ti", "search.empty"), text
    assert drafts(bot, person.person_id) == []  # nothing worth handing over

    long_text = " ".join(["uitkering", "ገንዘብ", "wonnig", "🙂", "x" * 300] * 120)[:4000]
    started = time.perf_counter()
    answer = await person.say(long_text)
    assert time.perf_counter() - started < 2
    assert answer[-1]["html"] == ui("ti", "search.results")
    assert drafts(bot, person.person_id)[0]["text"] == long_text


async def test_only_the_latest_drafts_are_kept_and_delete_erases_them(bot: BotUnderTest) -> None:
    person = await onboarded(bot, 606, "nl")
    person_id = person.person_id
    for n in range(7):
        await person.say(f"geld {n}")
    assert [d["text"] for d in drafts(bot, person.person_id)] == [f"geld {n}" for n in range(2, 7)]
    mine = await person.say("/mydata")
    assert ui("nl", "mydata.table.question_drafts").replace("{{ count }}", "5") in mine[0]["html"]
    await person.say("/delete")
    await person.press(html.unescape(ui("nl", "delete.yes")))
    assert drafts(bot, person_id) == []


async def test_index_is_rebuilt_after_a_content_reload(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=content, reload_seconds=FAST) as bot:
        person = await onboarded(bot, 607, "nl")
        assert (await person.say("zebrapad"))[-1]["html"] == ui("nl", "search.nothing")
        before = bot.services.renderer
        woning = content / "nl" / "items" / "woning.md"
        text = woning.read_text(encoding="utf-8")
        woning.write_text(text.replace("keywords: [", "keywords: [zebrapad, ", 1), encoding="utf-8")
        await until(lambda: bot.services.renderer is not before)  # the bot's own file-change check
        answer = await person.say("zebrapad")
    assert keyboard(answer[-1])[0] == (title("nl", "woning"), "item:woning")


async def test_a_search_reads_and_writes_with_plain_sql(bot: BotUnderTest) -> None:
    """Every update of a person runs these statements: no sqlite-utils schema look-ups or savepoints
    (12 look-ups and 2 savepoint statements of 29 for one search before), and one commit (README, "Commits")."""
    person = await onboarded(bot, 611, "en")
    await person.say("housing")  # the search index is built
    statements: list[str] = []
    bot.services.db.conn.set_trace_callback(statements.append)
    try:
        await person.say("where can I learn dutch")
    finally:
        bot.services.db.conn.set_trace_callback(None)
    assert statements, "the trace saw the update"
    assert not [s for s in statements if "sqlite_master" in s or "SAVEPOINT" in s.upper()]
    assert sum(s.strip().upper() == "COMMIT" for s in statements) == 1
    assert len(statements) <= 15  # 15 today: a new statement on every update is a choice to make here
