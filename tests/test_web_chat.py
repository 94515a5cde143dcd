"""The web chat channel over HTTP: sessions, the event stream, waiting messages, erasure, bad input.

The core behind the page here is a small stand-in (``StandIn``): it records
each ``Turn`` and answers through the real ``WebChannel``, so these tests
show what the channel does, whatever the core says.
"""

from __future__ import annotations

import html
import itertools
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.channels.web import store
from bot.channels.web.sanitize import safe_html
from bot.channels.web.server import CHAT, build_web_app, running_web
from bot.core.channel import Blocked, Button, Outgoing
from bot.core.clock import FakeClock
from bot.core.config import DEFAULT_CONTENT_DIR, Settings
from bot.core.db import erase_person, open_db
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import choose_language, get_user
from bot.texts.content import load_content
from bot.texts.render import Renderer
from tests.web_harness import WebPerson, web_person

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass
class StandIn:
    """Stands in for the core: the language question on /start, a language button chosen, anything else echoed."""

    turns: list[Turn] = field(default_factory=list)
    app: object = None

    async def handle(self, s: Services, turn: Turn) -> None:
        self.turns.append(turn)
        channel = self.app[CHAT].channel
        r = s.renderer
        if turn.command == "start":
            text = "\n".join(r.ui(lang, "language.prompt") for lang in r.journey.languages)
            keyboard = (tuple(Button(r.button(lang, "language.name"), f"lang:{lang}") for lang in r.journey.languages),)
            await channel.send(turn.address, Outgoing(html=text, keyboard=keyboard))
        elif turn.button is not None and turn.button.startswith("lang:"):
            lang = turn.button.removeprefix("lang:")
            choose_language(s.db, turn.person_id, lang)
            await channel.send(turn.address, Outgoing(html=r.ui(lang, "language.changed")))
        else:
            await channel.send(turn.address, Outgoing(html=html.escape(turn.text or turn.command or "")))


@dataclass
class WebChat:
    url: str
    services: Services
    core: StandIn
    app: object

    @property
    def channel(self):
        return self.app[CHAT].channel

    def person(self, accept_language: str = "en"):
        return web_person(self.url, accept_language)


@pytest.fixture
async def chat(tmp_path) -> AsyncIterator[WebChat]:
    settings = Settings(db_path=tmp_path / "web.db", content_dir=DEFAULT_CONTENT_DIR)
    services = Services(
        settings=settings, db=open_db(settings.db_path), renderer=Renderer(load_content(DEFAULT_CONTENT_DIR)), clock=FakeClock(NOW)
    )
    ids = itertools.count(5000)
    core = StandIn()
    app = build_web_app(services, core.handle, lambda db, address: next(ids))
    core.app = app
    async with running_web(app) as url:
        yield WebChat(url=url, services=services, core=core, app=app)
    services.db.close()


def rows(chat: WebChat) -> dict[str, list]:
    db = chat.services.db
    return {table: list(db[table].rows) for table in ("web_sessions", "web_messages", "users")}


async def started(chat: WebChat, person: WebPerson) -> None:
    """Open the page as a first visit does: a session, the stream, /start."""
    assert (await person.hello())["new"] is True
    await person.open_page()
    assert (await person.post({"command": "start", "args": []}))[0] == 200
    await person.wait_for(1)


async def test_the_page_is_ours_alone_and_speaks_the_browsers_language(chat):
    async with chat.person("ar,en;q=0.5") as person:
        async with person.session.get("/start?code=abc-123") as response:
            page = await response.text()
            assert response.status == 200
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        async with person.session.get("/start?code=<script>") as response:
            assert 'data-code="-"' in await response.text()
    assert 'lang="ar" dir="rtl"' in page
    assert 'data-code="abc-123"' in page
    assert chat.services.renderer.button("ar", "web.placeholder") in page
    # No CDN, no external font: every address in the page is our own.
    assert "//" not in page


async def test_a_session_is_a_cookie_the_database_keeps_only_its_hash(chat, tmp_path):
    async with chat.person() as person:
        async with person.session.post("/api/hello", json={}) as response:
            assert (await response.json())["new"] is True
            set_cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        token = person.token
        assert token and len(token) >= 43
        assert (await person.hello())["new"] is False  # the same browser keeps its session
        (session,) = rows(chat)["web_sessions"]
        assert session["token_hash"] == store.token_hash(token)
        chat.services.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert token.encode() not in (tmp_path / "web.db").read_bytes()


async def test_start_streams_the_screen_and_a_button_comes_back_as_a_turn(chat):
    async with chat.person("ar") as person:
        await started(chat, person)
        (first,) = await person.wait_for(1)
        labels = [b["label"] for row in first.data["buttons"] for b in row]
        assert "العربية" in labels and "Nederlands" in labels
        assert (await person.post({"button": "lang:ar"}))[0] == 200
        _, changed = await person.wait_for(2)
    assert changed.data["lang"] == "ar" and changed.data["dir"] == "rtl"
    assert changed.data["html"] == safe_html(chat.services.renderer.ui("ar", "language.changed"))
    start, pressed = chat.core.turns
    assert (start.channel, start.command, start.args, start.language_hint) == ("web", "start", (), "ar")
    assert pressed.button == "lang:ar" and pressed.person_id == start.person_id and pressed.address == start.address
    assert get_user(chat.services.db, start.person_id).lang == "ar"


async def test_typed_commands_and_text_become_turns(chat):
    async with chat.person() as person:
        await started(chat, person)
        await person.post({"text": "/start  INV-42 "})
        await person.post({"text": "/Delete"})
        await person.post({"text": "where is my letter?"})
        await person.post({"command": "start", "args": ["code-1"]})
    turns = [(t.command, t.args, t.text) for t in chat.core.turns[1:]]
    assert turns == [
        ("start", ("INV-42",), None),
        ("delete", (), None),
        (None, (), "where is my letter?"),
        ("start", ("code-1",), None),
    ]


async def test_messages_sent_while_the_page_is_closed_wait_and_appear_on_the_next_open(chat):
    async with chat.person() as person:
        await started(chat, person)
        address = chat.core.turns[0].address
        await person.close_page()
        sent = await chat.channel.send(address, Outgoing(html="<b>Reminder</b>: tomorrow <script>x</script>"))
        await chat.channel.send(address, Outgoing(html="second", keyboard=((Button("OK", "m:main"),),)))
        assert store.undelivered(chat.services.db, address) == 2
        await person.open_page()  # reconnects from the last message it showed
        _, reminder, second = await person.wait_for(3)
        assert store.undelivered(chat.services.db, address) == 0
    assert reminder.id == sent.message_ref
    assert reminder.data["html"] == "<b>Reminder</b>: tomorrow &lt;script&gt;x&lt;/script&gt;"
    assert second.data["buttons"] == [[{"label": "OK", "action": "m:main"}]]
    # A page opened afresh (another tab) shows the history.
    async with chat.person() as other:
        other.session.cookie_jar.update_cookies({"wegwijs_session": person.token})
        await other.open_page()
        assert [e.id for e in await other.wait_for(3)] == [e.id for e in person.shown]


async def test_delete_erases_the_web_chat_and_the_farewell_still_reaches_the_page(chat):
    async with chat.person() as person:
        await started(chat, person)
        user_id = chat.core.turns[0].person_id
        address = chat.core.turns[0].address
        erase_person(chat.services.db, user_id)
        assert rows(chat) == {"web_sessions": [], "web_messages": [], "users": []}
        await chat.channel.send(address, Outgoing(html="Everything is erased."))
        _, farewell = await person.wait_for(2)
        await person.wait_ended()
        assert farewell.id is None and farewell.data["html"] == "Everything is erased."
        assert rows(chat)["web_messages"] == []
        status, answer = await person.post({"text": "hello"})
        assert status == 401 and answer["error"] == "web.session_unknown"
        await person.close_page()
        with pytest.raises(Blocked):  # nobody is there any more
            await chat.channel.send(address, Outgoing(html="later"))


BAD = [
    pytest.param({"raw": b"text=hello", "content_type": "application/x-www-form-urlencoded"}, 415, "web.bad_request", id="form"),
    pytest.param({"raw": b"", "content_type": "application/json"}, 400, "web.empty", id="empty-body"),
    pytest.param({"raw": b"{not json", "content_type": "application/json"}, 400, "web.bad_request", id="malformed"),
    pytest.param({"body": ["text"]}, 400, "web.bad_request", id="not-an-object"),
    pytest.param({"body": {}}, 400, "web.empty", id="nothing"),
    pytest.param({"body": {"text": "   \n "}}, 400, "web.empty", id="blank"),
    pytest.param({"body": {"text": "a", "button": "m:main"}}, 400, "web.bad_request", id="two-things"),
    pytest.param({"body": {"text": 42}}, 400, "web.bad_request", id="number"),
    pytest.param({"body": {"text": "x" * 4097}}, 400, "errors.too_long", id="4097-chars"),
    pytest.param({"raw": b'{"text": "' + b"x" * 70_000 + b'"}', "content_type": "application/json"}, 413, "errors.too_long", id="70kB"),
    pytest.param({"body": {"button": "m:main"}}, 400, "errors.stale_button", id="forged-button"),
    pytest.param({"body": {"button": "lang:" + "x" * 100}}, 400, "errors.stale_button", id="long-button"),
    pytest.param({"body": {"command": "start", "args": [1]}}, 400, "web.bad_request", id="bad-args"),
    pytest.param({"body": {"command": "rm -rf"}}, 400, "errors.unknown_command", id="bad-command"),
]


@pytest.mark.parametrize(("request_", "status", "key"), BAD)
async def test_bad_input_gets_a_clear_answer_in_the_persons_language_and_changes_nothing(chat, request_, status, key):
    async with chat.person("fa") as person:
        await started(chat, person)
        await person.post({"button": "lang:fa"})
        await person.wait_for(2)
        before = rows(chat)
        turns = len(chat.core.turns)
        got, answer = await person.post(request_.get("body"), raw=request_.get("raw"), content_type=request_.get("content_type", "application/json"))
    assert (got, answer["error"]) == (status, key)
    assert answer["text"] == chat.services.renderer.button("fa", key) and answer["dir"] == "rtl"
    assert rows(chat) == before and len(chat.core.turns) == turns


async def test_4000_characters_reach_the_core_whole(chat):
    text = "ب" * 4000
    async with chat.person() as person:
        await started(chat, person)
        assert (await person.post({"text": text}))[0] == 200
    assert chat.core.turns[-1].text == text


async def test_a_forged_session_gets_a_clear_answer_and_no_stream(chat):
    async with chat.person("ti") as person:
        person.session.cookie_jar.update_cookies({"wegwijs_session": "forged-" + "x" * 40})
        status, answer = await person.post({"text": "hello"})
        assert (status, answer["error"]) == (401, "web.session_unknown")
        assert answer["text"] == chat.services.renderer.button("ti", "web.session_unknown")
        async with person.session.get("/api/events") as response:
            assert response.status == 401
        assert (await person.hello())["new"] is True  # the page starts afresh
    assert chat.core.turns == []


def test_safe_html_keeps_the_core_subset_and_escapes_everything_else():
    assert safe_html('<b>a</b> <i>b</i> <u>c</u> <s>d</s> <code>e</code> <pre>f</pre> <blockquote>g</blockquote>') == (
        "<b>a</b> <i>b</i> <u>c</u> <s>d</s> <code>e</code> <pre>f</pre> <blockquote>g</blockquote>"
    )
    assert safe_html('<a href="https://amsterdam.nl/">x</a>') == (
        '<a href="https://amsterdam.nl/" rel="noopener noreferrer nofollow" target="_blank">x</a>'
    )
    for hostile in ('<a href="tg://user?id=1">x</a>', '<a href="javascript:alert(1)">x</a>', "<img src=x onerror=alert(1)>"):
        assert "<" not in safe_html(hostile).replace("&lt;", "")
    assert safe_html("<b onclick=alert(1)>x") == "<b>x</b>"
    assert safe_html("1 < 2 & </i>") == "1 &lt; 2 &amp; &lt;/i&gt;"


def test_a_database_keeps_web_rows_to_their_person(tmp_path):
    db = open_db(tmp_path / "x.db")
    session = store.Session(address="a1", user_id=7)
    store.open_session(db, 7, "a1", NOW)
    store.add_message(db, session, "nl", "hoi", (), NOW)
    with pytest.raises(sqlite3.IntegrityError):
        store.open_session(db, 8, "a1", NOW)  # one address, one session
    erase_person(db, 7)
    assert db.execute("SELECT count(*) FROM web_messages").fetchone()[0] == 0


async def test_a_page_opened_and_left_without_a_language_is_swept_after_the_unfinished_period(chat):
    from datetime import timedelta

    from bot.people import retention

    rules = retention.load_rules(chat.services.renderer.journey)
    async with chat.person() as person:
        await started(chat, person)  # the language question, and nothing chosen
    db = chat.services.db
    assert retention.sweep(db, rules, NOW + timedelta(days=6)).unfinished == 0
    assert db["web_messages"].count == 1
    assert retention.sweep(db, rules, NOW + timedelta(days=8)).unfinished == 1
    assert (db["web_sessions"].count, db["web_messages"].count) == (0, 0)


async def test_mydata_exports_the_web_chat_rows_without_the_token(chat):
    from bot.core.db import export_person

    async with chat.person() as person:
        await started(chat, person)
        token = person.token
    exported = export_person(chat.services.db, chat.core.turns[0].person_id)
    assert len(exported["web_sessions"]) == 1 and len(exported["web_messages"]) == 1
    assert token not in str(exported)
