"""The spine, through the real PTB stack and the emulator: people talking to the bot."""

from __future__ import annotations

import asyncio
import html
import json
from pathlib import Path

import pytest
import yaml

from bot.core.config import DEFAULT_CONTENT_DIR
from bot.core.db import personal_tables
from bot.channels.telegram.telegram_html import parse_telegram_html
from tests.harness import BotUnderTest, Person, bot_under_test, buttons, seen

LANGUAGES = ["nl", "en", "ar", "fa", "ti"]
OWN_NAMES = {"nl": "Nederlands", "en": "English", "ar": "العربية", "fa": "فارسی", "ti": "ትግርኛ"}


def ui_file(lang: str) -> dict[str, str]:
    """The editors' text, read straight from the file, to compare byte for byte."""
    return yaml.safe_load((DEFAULT_CONTENT_DIR / lang / "ui.yaml").read_text(encoding="utf-8"))


def item_file(lang: str, item_id: str) -> tuple[dict, str]:
    text = (DEFAULT_CONTENT_DIR / lang / "items" / f"{item_id}.md").read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    return yaml.safe_load(front), body.strip()


def visible(message: dict) -> str:
    return parse_telegram_html(message["html"]) if message.get("html") else message.get("text", "")


def first_paragraph_line(body: str) -> str:
    """A plain line of an item body (no Markdown markers), to look for in a message."""
    for line in body.splitlines():
        line = line.strip()
        if line and "**" not in line and "[" not in line and not line.startswith("- "):
            return line
    raise AssertionError("no plain line")


async def onboard(person: Person, lang: str, step_number: int = 3) -> list[dict]:
    """/start, choose the language, accept privacy, choose a step; returns the step card."""
    await person.say("/start")
    await person.press(OWN_NAMES[lang])
    await person.press(html.unescape(ui_file(lang)["privacy.accept"]))
    step_buttons = buttons((await person.client.messages(person.user_id))[-1])
    return await person.press(step_buttons[step_number - 1])


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_onboarding_in_each_language(bot: BotUnderTest, lang: str) -> None:
    person = bot.person(100 + LANGUAGES.index(lang), language_code="en")
    welcome = await person.say("/start")
    assert buttons(welcome[-1]) == [OWN_NAMES[code] for code in LANGUAGES]

    privacy = await person.press(OWN_NAMES[lang])
    privacy_front, privacy_body = item_file(lang, "privacy")
    assert privacy_front["title"] in seen(privacy[-1])
    assert first_paragraph_line(privacy_body) in seen(privacy[-1])
    # Nothing beyond the language is stored before the person agrees.
    row = bot.services.db["users"].get(person.person_id)
    assert row["lang"] == lang and row["privacy_accepted_at"] is None and row["step"] is None

    after_accept = await person.press(html.unescape(ui_file(lang)["privacy.accept"]))
    assert seen(after_accept[-1]) == ui_file(lang)["step.prompt"]

    card = await onboard_step(person, 3)
    stap_front, stap_body = item_file(lang, "stap-intake")
    text = seen(card[-1])
    assert stap_front["title"] in text
    assert first_paragraph_line(stap_body) in text  # byte-exact, in its own script
    next_title = item_file(lang, "stap-opstartklas")[0]["title"]
    assert next_title in text
    assert "3" in text and "7" in text


async def onboard_step(person: Person, number: int) -> list[dict]:
    step_buttons = buttons((await person.client.messages(person.user_id))[-1])
    return await person.press(step_buttons[number - 1])


async def test_language_change_and_bilingual_view(bot: BotUnderTest) -> None:
    person = bot.person(201)
    await onboard(person, "ar")
    changed = await person.say("/language")
    await person.press("فارسی")
    fa = ui_file("fa")
    messages = await person.client.messages(person.user_id)
    assert any(seen(m) == fa["language.changed"] for m in messages)

    toggled = await person.say("/bilingual")
    assert fa["bilingual.on"] in seen(toggled[0])
    card = await person.say("/step")
    text = seen(card[-1])
    assert item_file("fa", "stap-intake")[0]["title"] in text
    assert fa["bilingual.dutch_label"] in text
    assert first_paragraph_line(item_file("nl", "stap-intake")[1]) in text
    # Own language first, Dutch after it.
    assert text.index(item_file("fa", "stap-intake")[0]["title"]) < text.index(fa["bilingual.dutch_label"])

    await person.say("/bilingual")
    card = await person.say("/step")
    assert fa["bilingual.dutch_label"] not in seen(card[-1])
    assert changed  # the language menu was shown


async def test_menu_path_topics_and_back(bot: BotUnderTest) -> None:
    person = bot.person(202)
    await onboard(person, "en", step_number=5)
    en = {k: html.unescape(v) for k, v in ui_file("en").items()}
    menu = await person.say("/menu")
    assert buttons(menu[-1])[:3] == [en["menu.where"], en["menu.path"], en["menu.topics"]]

    path = await person.press(en["menu.path"])
    text = visible(path[-1])
    for step_id in ["stap-azc", "stap-tov", "stap-inburgering"]:
        assert item_file("en", step_id)[0]["title"] in text
    assert "5. " + item_file("en", "stap-tov")[0]["title"] + " ⬅ you are here" in text

    step_one = await person.press("1. " + item_file("en", "stap-azc")[0]["title"])
    assert item_file("en", "stap-azc")[0]["title"] in step_one[-1]["html"]
    back = await person.press(en["menu.main"])
    assert back[-1]["html"] == en["menu.header"]

    topics = await person.press(en["menu.topics"])
    topic = await person.press(item_file("en", "digid")[0]["title"])
    assert first_paragraph_line(item_file("en", "digid")[1]) in topic[-1]["html"]

    where = await person.say("/step")
    critical_title = item_file("en", "participatieverklaring")[0]["title"]
    assert critical_title in buttons(where[-1])
    item = await person.press(critical_title)
    assert first_paragraph_line(item_file("en", "participatieverklaring")[1]) in item[-1]["html"]
    assert topics


async def test_deep_link_sets_the_step_after_onboarding(bot: BotUnderTest) -> None:
    person = bot.person(203)
    await person.say("/start step-tov")
    await person.press("English")
    card = await person.press(html.unescape(ui_file("en")["privacy.accept"]))
    assert item_file("en", "stap-tov")[0]["title"] in card[-1]["html"]
    assert bot.services.db["users"].get(person.person_id)["step"] == "tov"


async def test_mydata_and_delete_leave_nothing(bot: BotUnderTest) -> None:
    person = bot.person(204)
    await onboard(person, "ti")
    ti = ui_file("ti")
    mine = await person.say("/mydata")
    assert html.unescape(ti["mydata.header"]).replace("<b>", "").replace("</b>", "") in visible(mine[0])
    document = mine[-1]
    assert document["kind"] == "document" and document["file_name"].endswith(".json")
    exported = json.loads(await person.client.file_bytes(document["file_id"]))
    assert exported["users"][0]["lang"] == "ti" and exported["users"][0]["step"] == "intake"

    person_id = person.person_id
    confirm = await person.say("/delete")
    await person.press(html.unescape(ti["delete.yes"]))
    db = bot.services.db
    assert db["users"].count_where("id = ?", [person_id]) == 0
    for table in personal_tables(db):
        assert db[table].count_where("user_id = ?", [person_id]) == 0
    # Nor is the link to their Telegram account kept.
    assert db["identities"].count_where("person_id = ?", [person_id]) == 0
    assert db["persons"].count_where("id = ?", [person_id]) == 0
    assert confirm

    again = await person.say("/menu")
    assert buttons(again[-1]) == [OWN_NAMES[code] for code in LANGUAGES]


async def test_old_delete_button_does_not_delete(bot: BotUnderTest) -> None:
    person = bot.person(205)
    await onboard(person, "nl")
    nl = ui_file("nl")
    first = await person.say("/delete")
    await person.press(nl["delete.no"])
    yes_data = first[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    answer = await person.press_data(first[-1]["message_id"], yes_data)
    assert answer[0]["html"] == nl["errors.stale_button"]
    assert bot.services.db["users"].count_where("id = ?", [person.person_id]) == 1


@pytest.mark.parametrize("lang", ["fa", "ti"])
async def test_bad_input_gets_a_clear_answer_in_the_users_language(bot: BotUnderTest, lang: str) -> None:
    person = bot.person(300 + LANGUAGES.index(lang))
    await onboard(person, lang)
    texts = ui_file(lang)

    assert seen((await person.say("/frobnicate"))[0]) == texts["errors.unknown_command"]
    assert seen((await person.send(sticker=True))[0]) == texts["errors.not_text"]
    assert seen((await person.send(photo=b"\x89PNG fake"))[0]) == texts["errors.not_text"]
    assert seen((await person.send(voice=b"OggS fake"))[0]) == texts["errors.not_text"]
    assert seen((await person.say("x" * 5000))[0]) == texts["errors.too_long"]
    card = (await person.client.messages(person.user_id))[-1]
    for forged in ["item:../../etc/passwd", "step:nowhere", "lang:xx", "m:nothing", "garbage", "del:yes:guess"]:
        answer = await person.press_data(card["message_id"], forged)
        assert seen(answer[0]) == texts["errors.stale_button"], forged
    assert seen((await person.say("/start a b c"))[0]) == texts["errors.bad_code"]
    assert seen((await person.say("/start step-nowhere"))[0]) == texts["errors.bad_code"]
    assert seen((await person.say("/start " + "x" * 65))[0]) == texts["errors.bad_code"]
    # Nothing was lost: the person is still where they were.
    row = bot.services.db["users"].get(person.person_id)
    assert row["lang"] == lang and row["step"] == "intake" and row["privacy_accepted_at"]


async def test_free_text_before_onboarding_asks_for_the_language(bot: BotUnderTest) -> None:
    person = bot.person(310)
    answer = await person.say("hallo")
    assert buttons(answer[-1]) == [OWN_NAMES[code] for code in LANGUAGES]
    await person.press("العربية")
    sticker = await person.send(sticker=True)
    assert item_file("ar", "privacy")[0]["title"] in seen(sticker[-1])


async def test_declining_privacy_keeps_nothing(bot: BotUnderTest) -> None:
    person = bot.person(311)
    await person.say("/start")
    await person.press("English")
    person_id = person.person_id
    declined = await person.press(html.unescape(ui_file("en")["privacy.decline"]))
    assert declined[-1]["html"] == ui_file("en")["privacy.declined"]
    assert bot.services.db["users"].count_where("id = ?", [person_id]) == 0
    assert bot.services.db["identities"].count_where("person_id = ?", [person_id]) == 0


async def test_restart_keeps_every_users_state(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "wegwijs.db") as bot:
        amal, tesfay = bot.person(401), bot.person(402)
        await onboard(amal, "ar", step_number=2)
        await onboard(tesfay, "ti", step_number=6)
        await tesfay.say("/bilingual")
        await bot.restart()
        amal_card = await amal.say("/step")
        tesfay_card = await tesfay.say("/step")
    assert item_file("ar", "stap-welkomst")[0]["title"] in seen(amal_card[-1])
    assert item_file("ti", "stap-taalschool")[0]["title"] in seen(tesfay_card[-1])
    assert ui_file("ti")["bilingual.dutch_label"] in seen(tesfay_card[-1])


async def test_commands_are_set_per_language(bot: BotUnderTest) -> None:
    # Set by a job right after the bot starts listening.
    for _ in range(100):
        if commands := await bot.app.bot.get_my_commands(language_code="ar"):
            break
        await asyncio.sleep(0.05)
    assert [c.command for c in commands][:2] == ["menu", "step"]
    assert commands[0].description == html.unescape(ui_file("ar")["command.menu"])


async def test_a_text_over_telegrams_limit_arrives_in_parts(tmp_path: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    item = content / "en" / "items" / "digid.md"
    front, body = item.read_text(encoding="utf-8").split("---\n", 2)[1:]
    paragraphs = "\n\n".join(f"Paragraph {n}: " + "DigiD is your login. " * 20 for n in range(14))
    item.write_text(f"---\n{front}---\n{body}\n\n{paragraphs}\n", encoding="utf-8")
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=content) as bot:
        person = bot.person(450)
        await onboard(person, "en")
        await person.say("/topics")
        parts = await person.press("DigiD")
    assert len(parts) >= 2
    assert all(len(parse_telegram_html(p["html"])) <= 4096 for p in parts)
    assert "Paragraph 13:" in parts[-1]["html"]
    assert all(not p.get("reply_markup") for p in parts[:-1]) and parts[-1]["reply_markup"]
