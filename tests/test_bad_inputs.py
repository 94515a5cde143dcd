"""The bad-input corpus (tests/data/bad_inputs.yaml), and the defects of issue 12 that take more than one step.

One bot, one emulator and one team of people for the whole module: an admin,
two klantmanagers, a statushouder in each language and a colleague's client.
Each corpus entry is sent through the emulator by the person it names and
checked for the answer (or silence), errors in the log, and changes in the
database beyond the tables the entry allows. The outbox dispatcher is off, so
nothing is sent on its own and planned messages stay visible as rows.
"""

from __future__ import annotations

import argparse
import html
import itertools
import logging
import re
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlite_utils
import yaml

from bot.reminders import appointments
from bot.core import awaiting
from bot.delivery import notices
from bot.cli.main import main as cli
from bot.core.clock import FakeClock
from bot.texts.render import Renderer
from bot.texts.timing import load_timing
from tests.harness import BotUnderTest, Person, bot_under_test

pytestmark = pytest.mark.asyncio(loop_scope="module")

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "bad_inputs.yaml").read_text(encoding="utf-8"))
assert len({entry["id"] for entry in CORPUS}) == len(CORPUS), "corpus ids must be unique"
ADMIN, SANNE, DAAN = 7001, 7002, 7003
CLIENTS = {"nl": 7101, "en": 7102, "ar": 7103, "fa": 7104, "ti": 7105}
OTHER_CLIENT = 7106  # Daan's
FIRST_NEW_PERSON = 7200
GROUP, CHANNEL = -1001000, -1002000
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday
LANGUAGE_BUTTONS = {"ar": "العربية", "en": "English", "ti": "ትግርኛ", "fa": "فارسی", "nl": "Nederlands"}
SEND_METHODS = (
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "copyMessage", "forwardMessage",
    "editMessageText", "editMessageReplyMarkup",
)
STAFF_LANGUAGE = "nl"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass
class World:
    bot: BotUnderTest
    admin: Person
    sanne: Person
    daan: Person
    clients: dict[str, Person]
    facts: dict[str, str] = field(default_factory=dict)
    new_ids: itertools.count = field(default_factory=lambda: itertools.count(FIRST_NEW_PERSON))

    @property
    def db(self) -> sqlite_utils.Database:
        return self.bot.services.db

    @property
    def renderer(self) -> Renderer:
        return self.bot.services.renderer

    def label(self, lang: str, key: str) -> str:
        return html.unescape(self.renderer.button(lang, key))

    async def new_client(self, km: Person, name: str, user_id: int, lang: str) -> Person:
        code = start_code(await km.say(f"/newclient {name}"))
        client = self.bot.person(user_id, language_code=lang)
        await client.say(f"/start {code}")
        await client.press(LANGUAGE_BUTTONS[lang])
        await client.press(self.label(lang, "privacy.accept"))
        return client

    async def ask(self, client: Person, lang: str, question: str) -> str:
        """Send a question to the klantmanager; returns the token of its (now used) Send button."""
        await client.say("/menu")
        await client.press(self.label(lang, "menu.ask"))
        confirm = (await client.say(question))[-1]
        token = next(
            b["callback_data"] for row in confirm["reply_markup"]["inline_keyboard"] for b in row
            if b["callback_data"].startswith("ask:send:")
        )
        await client.press(self.label(lang, "ask.yes"))
        return token.rpartition(":")[2]

    def newest(self, table: str, user_id: int) -> str:
        return str(self.db.execute(f"SELECT max(id) FROM [{table}] WHERE user_id = ?", [user_id]).fetchone()[0])

    async def fresh_km_invite(self) -> str:
        return start_code(await self.admin.say("/invite"))


def start_code(answer: list[dict]) -> str:
    return next(m["html"].split("?start=")[1].split()[0] for m in answer if "?start=" in (m["html"] or ""))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    db_path = tmp_path_factory.mktemp("bad_inputs") / "wegwijs.db"
    assert cli(["admin", "add", str(ADMIN), "--name", "Beheer", "--db", str(db_path)]) == 0
    # The web chat runs beside the bot, with its public address: /newclient also gives its link.
    web = argparse.Namespace(web_port=0, web_url="https://chat.wegwijs.example")
    async with bot_under_test(db_path, clock=FakeClock(START), options=web) as bot:
        admin = bot.person(ADMIN, "nl", "Beheer")
        sanne, daan = bot.person(SANNE, "nl", "Sanne"), bot.person(DAAN, "nl", "Daan")
        for km in (sanne, daan):
            await km.say(f"/start {start_code(await admin.say('/invite'))}")
        w = World(bot, admin, sanne, daan, clients={})
        for lang, user_id in CLIENTS.items():
            w.clients[lang] = await w.new_client(sanne, f"Klant {lang}", user_id, lang)
        other = await w.new_client(daan, "Klant van Daan", OTHER_CLIENT, "en")
        await other.say("woning")
        used_token = await w.ask(w.clients["en"], "en", "Wanneer komt mijn uitkering?")
        await w.ask(other, "en", "Where is my money?")
        s = bot.services
        other_appointment = appointments.add(
            s.db, load_timing(s.renderer.journey), user_id=other.person_id, kind="tov",
            starts_at=datetime(2027, 3, 10, 10, 0), now=START, place="Implacement",
        )
        client = w.clients["en"].person_id
        w.facts.update(
            client=str(client),
            other_client=str(other.person_id),
            other_draft=w.newest("question_drafts", other.person_id),
            other_appointment=str(other_appointment.id),
            question=w.newest("questions", client),
            other_question=w.newest("questions", other.person_id),
            sanne=str(sanne.person_id),
            daan=str(daan.person_id),
            used_token=used_token,
        )
        yield w


# ---------------------------------------------------------------- the corpus


def snapshot(db: sqlite_utils.Database, allowed: set[str]) -> dict[str, list[str]]:
    """Every row of every table (but those allowed to change), ignoring when a person was last active."""
    tables = [t for t in db.table_names() if t not in allowed and not t.startswith("sqlite_")]
    result = {}
    for table in tables:
        columns = [c.name for c in db[table].columns if (table, c.name) != ("users", "last_active_at")]
        query = f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{table}]"
        result[table] = sorted(repr(row) for row in db.execute(query).fetchall())
    return result


async def send_calls(bot: BotUnderTest) -> int:
    calls = (await bot.client.stats())["method_calls"]
    return sum(calls.get(name, 0) for name in SEND_METHODS)


async def fill(w: World, text: str) -> str:
    """Put the facts of the test world into a text or button data ({km_invite}: a fresh invitation)."""
    if "{km_invite}" in text:
        text = text.replace("{km_invite}", await w.fresh_km_invite())
    return PLACEHOLDER.sub(lambda m: w.facts.get(m[1], m[0]), text)


def sender(w: World, entry: dict[str, Any]) -> tuple[Person, str]:
    who, lang = entry["who"], entry.get("lang", "en")
    assert who in ("new", "client", "klantmanager", "admin"), entry
    if who == "new":
        return w.bot.person(next(w.new_ids), language_code=lang), lang
    if who == "client":
        return w.clients[lang], lang
    return {"klantmanager": w.sanne, "admin": w.admin}[who], STAFF_LANGUAGE


async def prepare(w: World, person: Person, kind: str, new: bool) -> int | None:
    """What the input needs before it is sent (not part of what is checked): a bot message
    to press a button on, or a message of the sender's own to edit. Returns that message's id."""
    if kind == "button":
        if new:
            await person.say("/start")
        return (await w.bot.client.bot_messages(person.user_id))[-1]["message_id"]
    if kind == "edit":
        result = await w.bot.client.send_text(person.user_id, "hallo", language_code=person.language_code)
        await w.bot.processed(result["update_id"])
        return result["message"]["message_id"]
    await w.bot.client.register_user(person.user_id, person.first_name, language_code=person.language_code)
    return None


def sending(w: World, person: Person, kind: str, value: str, target: int | None, repeat: int) -> Awaitable[dict]:
    client, user = w.bot.client, person.user_id
    if kind == "text":
        return client.send_text(user, value * repeat, language_code=person.language_code)
    if kind == "button":
        return client.press(user, target, value)
    if kind == "edit":
        return client.edit_message(user, target, value)
    if kind == "group":
        return client.send_group_message(user, GROUP, value, chat_type="supergroup")
    if kind == "channel":
        return client.send_channel_post(CHANNEL, value)
    if kind == "inline":
        return client.inline_query(user, value)
    if kind == "member":
        if value == "kicked":
            return client.my_chat_member(user, new="kicked")
        return client.my_chat_member(user, old="left", new="member", chat_id=GROUP, chat_type="group")
    if value == "sticker":
        return client.send_sticker(user)
    if value in ("video_note", "animation"):
        return getattr(client, f"send_{value}")(user, b"\x00\x00\x00\x18ftypmp42")
    return client.send_attachment(user, value)


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
async def test_bad_input(world: World, entry: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    w = world
    person, lang = sender(w, entry)
    (kind, raw), = entry["send"].items()
    target = await prepare(w, person, kind, new=entry["who"] == "new")
    value = await fill(w, str(raw))
    allowed = set(entry.get("changes", []))
    before, calls_before, left_before = snapshot(w.db, allowed), await send_calls(w.bot), await w.bot.client.left_chats()
    caplog.clear()

    answers = await person.act(sending(w, person, kind, value, target, entry.get("repeat", 1)))

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"errors logged: {[r.getMessage() for r in errors]}"
    if entry["expect"] == "silence":
        assert answers == [] and await send_calls(w.bot) == calls_before, answers
    else:
        keys = entry["expect"] if isinstance(entry["expect"], list) else [entry["expect"]]
        expected = [w.renderer.ui(lang, key) for key in keys]
        assert answers, "no answer"
        assert any(text in answers[0]["html"] for text in expected), (answers[0]["html"], expected)
    for forbidden in [entry["forbid"]] if "forbid" in entry else []:
        assert all(forbidden not in (m["html"] or "") for m in answers)
    left = await w.bot.client.left_chats()
    assert (left != left_before) == bool(entry.get("leaves")), left
    assert snapshot(w.db, allowed) == before


# ---------------------------------------------------------------- defects in more than one step


async def test_a_client_name_with_markup_is_text_in_both_invitations(world: World) -> None:
    """/newclient with markup in the name: the Telegram and the web chat invitation show it as text."""
    name = "<script>x</script> & <b>Amal"
    answers = await world.sanne.say(f"/newclient {name}")
    assert [m["kind"] for m in answers] == ["text", "photo", "text", "photo"]  # Telegram's, then the web chat's
    assert "https://chat.wegwijs.example/start?code=" in answers[2]["html"]
    for message in answers:
        shown = message["html"] or message["caption"] or ""
        assert "<script>" not in shown and "<b>Amal" not in shown
    assert all(html.escape(name, quote=False) in (m["html"] or m["caption"]) for m in answers)


async def test_call_me_back_twice_tells_the_client_once(world: World) -> None:
    w = world
    question = w.facts["question"]
    chat = (await w.bot.client.bot_messages(SANNE))[-1]["message_id"]
    first = await w.sanne.press_data(chat, f"kq:call:{question}")
    second = await w.sanne.press_data(chat, f"kq:call:{question}")
    assert first[-1]["html"] == w.renderer.ui("nl", "km.call_noted", client="Klant en")
    assert second[-1]["html"] == w.renderer.ui("nl", "km.call_already", client="Klant en")
    planned = w.db.execute(
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND params LIKE '%ask.will_call%'", [w.clients["en"].person_id]
    ).fetchone()[0]
    assert planned == 1
    assert notices.planned(w.db, about=w.clients["en"].person_id, once=f"call:{question}")
    assert w.db["audit"].count_where("action = 'call_back' AND user_id = ?", [w.clients["en"].person_id]) == 1


async def test_a_command_or_the_menu_button_ends_the_question_being_written(world: World) -> None:
    w = world
    amal = w.clients["ar"]
    for leave in (lambda: amal.say("/menu"), lambda: amal.press(w.label("ar", "menu.main"))):
        await amal.say("/menu")
        await amal.press(w.label("ar", "menu.ask"))
        assert awaiting.current(w.db, amal.person_id) is not None
        await leave()
        assert awaiting.current(w.db, amal.person_id) is None
        answer = await amal.say("سكن")  # housing: a search now, not the question for the klantmanager
        assert w.renderer.ui("ar", "ask.confirm", name="Sanne") not in answer[-1]["html"]
        assert answer[-1]["html"] in (w.renderer.ui("ar", "search.results"), w.renderer.ui("ar", "search.nothing"))


async def test_an_edited_message_never_opens_the_erase_prompt(world: World) -> None:
    w = world
    tesfay = w.clients["ti"]
    await tesfay.say("/menu")
    old = (await w.bot.client.messages(tesfay.user_id))[-2]["message_id"]  # "/menu", as typed
    answer = await tesfay.act(w.bot.client.edit_message(tesfay.user_id, old, "/delete"))
    assert answer[0]["html"].startswith(w.renderer.ui("ti", "errors.edited"))
    assert w.db["users"].get(tesfay.person_id)["confirm_token"] is None


async def test_in_a_group_not_even_a_failure_is_announced(world: World) -> None:
    w = world
    await w.bot.client.inject_fault("leaveChat", status=400)
    calls = await send_calls(w.bot)
    added = w.bot.client.my_chat_member(SANNE, old="left", new="member", chat_id=GROUP - 1, chat_type="group")
    assert await w.sanne.act(added) == []
    assert await send_calls(w.bot) == calls
