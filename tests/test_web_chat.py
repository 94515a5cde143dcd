"""The web chat channel over HTTP: sessions, the event stream, waiting messages, erasure, bad input.

The core behind the page here is a small stand-in (``StandIn``): it records
each ``Turn`` and answers through the real ``WebChannel``, so these tests
show what the channel does, whatever the core says.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.channels.web import store
from bot.channels.web.sanitize import safe_html
from bot.channels.web.server import CHAT, build_web_app, running_web, web_person_for
from bot.core.channel import Attachment, Blocked, Button, Outgoing, Rejected
from bot.core.clock import FakeClock
from bot.core.config import DEFAULT_CONTENT_DIR, Settings
from bot.core.db import erase_person, open_db
from bot.core.features import Registry
from bot.core.services import Services
from bot.features import FEATURES
from bot.core.turns import Turn
from bot.people.identities import person_for
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
class OtherChannel:
    """Another channel of the core (Telegram, where the klantmanager works): only its files matter here."""

    name: str = "telegram"
    files: dict[str, bytes] = field(default_factory=dict)

    async def send(self, address: str, message: Outgoing):
        raise AssertionError("nothing is sent to the other channel in these tests")

    async def file_bytes(self, attachment: Attachment) -> bytes:
        return self.files[attachment.ref]


@dataclass
class WebChat:
    url: str
    services: Services
    core: StandIn
    app: object
    channels: dict

    @property
    def channel(self):
        return self.app[CHAT].channel

    def person(self, accept_language: str = "en"):
        return web_person(self.url, accept_language)


@pytest.fixture
async def chat(tmp_path) -> AsyncIterator[WebChat]:
    settings = Settings(db_path=tmp_path / "web.db", content_dir=DEFAULT_CONTENT_DIR)
    services = Services(
        settings=settings, db=open_db(settings.db_path), renderer=Renderer(load_content(DEFAULT_CONTENT_DIR)),
        clock=FakeClock(NOW), registry=Registry.of(FEATURES),
    )
    core = StandIn()
    channels: dict = {"telegram": OtherChannel()}
    app = build_web_app(services, core.handle, web_person_for(services), channels)
    channels["web"] = app[CHAT].channel
    core.app = app
    async with running_web(app) as url:
        yield WebChat(url=url, services=services, core=core, app=app, channels=channels)
    services.db.close()


def rows(chat: WebChat) -> dict[str, list]:
    db = chat.services.db
    return {table: list(db[table].rows) for table in ("web_sessions", "web_messages", "users")}


async def started(person: WebPerson) -> None:
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
        await started(person)
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
        await started(person)
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
        await started(person)
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
        await started(person)
        user_id = chat.core.turns[0].person_id
        address = chat.core.turns[0].address
        erase_person(chat.services.db, user_id)
        assert rows(chat) == {"web_sessions": [], "web_messages": [], "users": []}
        assert person_for(chat.services.db, "web", address) is None
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
        await started(person)
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
        await started(person)
        assert (await person.post({"text": text}))[0] == 200
    assert chat.core.turns[-1].text == text


async def test_a_forged_session_gets_a_clear_answer_and_no_stream(chat):
    import aiohttp

    async with chat.person("ti") as person:
        person.session.cookie_jar.update_cookies({"wegwijs_session": "forged-" + "x" * 40})
        status, answer = await person.post({"text": "hello"})
        assert (status, answer["error"]) == (401, "web.session_unknown")
        assert answer["text"] == chat.services.renderer.button("ti", "web.session_unknown")
        async with person.session.get("/api/events") as response:
            assert response.status == 401
        assert (await person.hello())["new"] is True  # the page starts afresh
        async with person.session.get("/api/events", headers={"Last-Event-ID": "9" * 40}, timeout=aiohttp.ClientTimeout(sock_read=1)) as response:
            assert response.status == 200  # a forged position: the page gets the history, nothing fails
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
        await started(person)  # the language question, and nothing chosen
    db = chat.services.db
    assert retention.sweep(db, rules, NOW + timedelta(days=6)).unfinished == 0
    assert db["web_messages"].count == 1
    assert retention.sweep(db, rules, NOW + timedelta(days=8)).unfinished == 1
    assert (db["web_sessions"].count, db["web_messages"].count) == (0, 0)


async def test_mydata_exports_the_web_chat_rows_without_the_token(chat):
    from bot.core.db import export_person

    async with chat.person() as person:
        await started(person)
        token = person.token
    exported = export_person(chat.services.db, chat.core.turns[0].person_id)
    assert len(exported["web_sessions"]) == 1 and len(exported["web_messages"]) == 1
    assert token not in str(exported)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def upload(person: WebPerson, content: bytes, name: str, mime: str, caption: str | None = None) -> tuple[int, dict]:
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type=mime)
    if caption is not None:
        form.add_field("caption", caption)
    async with person.session.post("/api/upload", data=form) as response:
        return response.status, await response.json()


async def test_a_photo_sent_from_the_page_reaches_the_core_and_only_its_owner_can_fetch_it(chat):
    async with chat.person() as person, chat.person() as stranger:
        await started(person)
        assert (await upload(person, PNG, "brief.png", "image/png", caption=" my letter "))[0] == 200
        sent = chat.core.turns[-1]
        assert (sent.attachment.kind, sent.attachment.channel, sent.attachment.file_name, sent.text) == (
            "photo", "web", "brief.png", "my letter"
        )
        assert await chat.channel.file_bytes(sent.attachment) == PNG
        # The core passes it back (as a klantmanager's answer would come): shown as an image.
        await chat.channel.send(sent.address, Outgoing(html="Here", attachment=sent.attachment))
        _, echoed, shown = await person.wait_for(3)
        url = shown.data["file"]["url"]
        assert shown.data["file"] == {"kind": "photo", "name": "brief.png", "url": url}
        async with person.session.get(url) as response:
            assert (response.status, response.content_type, await response.read()) == (200, "image/png", PNG)
        await stranger.hello()
        async with stranger.session.get(url) as response:
            assert response.status == 404 and (await response.json())["error"] == "web.file_gone"
        status, answer = await upload(person, b"<html><script>alert(1)</script>", "x.html", "text/html")
        assert status == 200 and chat.core.turns[-1].attachment.kind == "document"
        file_id = chat.core.turns[-1].attachment.ref
        async with person.session.get(f"/api/files/{file_id}") as response:  # a download, never a page of ours
            assert response.content_type == "application/octet-stream"
            assert response.headers["Content-Disposition"].startswith("attachment")


async def test_uploads_that_cannot_be_taken_are_refused_clearly(chat):
    async with chat.person("nl") as person:
        await started(person)
        turns = len(chat.core.turns)
        assert await upload(person, b"", "empty.pdf", "application/pdf") == (400, await _refusal(chat, "nl", "web.empty"))
        big = b"x" * (11 * 1024 * 1024)
        assert (await upload(person, big, "big.pdf", "application/pdf"))[1]["error"] == "web.file_too_large"
        status, answer = await person.post({"text": "x"}, content_type="multipart/form-data; boundary=x")
        assert (status, answer["error"]) == (415, "web.bad_request")
    assert len(chat.core.turns) == turns and chat.services.db["web_files"].count == 0


async def _refusal(chat: WebChat, lang: str, key: str) -> dict:
    return {"error": key, "text": chat.services.renderer.button(lang, key), "lang": lang, "dir": "ltr"}


async def test_the_data_export_arrives_as_a_file_and_a_recording_can_be_played(chat):
    recording = DEFAULT_CONTENT_DIR / "journey.yaml"  # any file in the content folder stands in for content/<lang>/audio/<id>.ogg
    async with chat.person() as person:
        await started(person)
        address = chat.core.turns[0].address
        await chat.channel.send_document(address, "wegwijs.json", b'{"users": []}', "<b>Your data</b>")
        await chat.channel.send(address, Outgoing(html="Listen", voice=recording))
        await chat.channel.send(address, Outgoing(html="Elsewhere", voice=DEFAULT_CONTENT_DIR.parent / "pyproject.toml"))
        _, export, listen, elsewhere = await person.wait_for(4)
        assert export.data["html"] == "<b>Your data</b>" and export.data["file"]["name"] == "wegwijs.json"
        async with person.session.get(export.data["file"]["url"]) as response:
            assert await response.read() == b'{"users": []}'
        async with person.session.get(listen.data["voice"]) as response:
            assert (response.status, response.content_type, await response.read()) == (200, "audio/ogg", recording.read_bytes())
        assert "voice" not in elsewhere.data  # only recordings inside the content folder are offered


async def test_the_web_chat_runs_beside_the_bot_and_stops_with_it(tmp_path):
    """Asked for by ``--web-port``, the channel list starts the web chat with the bot and stops it after."""
    import argparse

    import aiohttp

    from bot.channels.web import beside
    from bot.core import listening
    from tests.harness import bot_under_test

    async with bot_under_test(tmp_path / "beside.db", options=argparse.Namespace(web_port=0)) as bot:
        s = bot.services
        served = s.joined["web"]
        assert s.channels["web"] is served.channel
        async with web_person(served.url, "ti") as person:
            await started(person)
        await bot.stop()  # as run_polling stops it
        assert "web" not in s.channels and "web" not in s.joined
        with pytest.raises(aiohttp.ClientConnectionError):
            async with aiohttp.ClientSession() as session, session.get(served.url):
                pass
    with beside.bind("127.0.0.1", 0) as taken, pytest.raises(listening.PortUnavailable, match="cannot serve the web chat"):
        beside.bind("127.0.0.1", taken.getsockname()[1])


async def test_a_photo_from_the_klantmanagers_telegram_is_kept_and_shown_in_the_web_chat(chat):
    chat.channels["telegram"].files["AgAD-photo"] = PNG
    async with chat.person() as person:
        await started(person)
        address = chat.core.turns[0].address
        photo = Attachment(kind="photo", channel="telegram", ref="AgAD-photo")
        await chat.channel.send(address, Outgoing(html="✉ <b>Answer from Sanne:</b>", attachment=photo))
        _, answer = await person.wait_for(2)
        assert answer.data["file"]["kind"] == "photo"
        async with person.session.get(answer.data["file"]["url"]) as response:
            assert (response.content_type, await response.read()) == ("image/jpeg", PNG)
        with pytest.raises(Rejected):  # a channel this process does not run: refused for good, said loudly
            await chat.channel.send(address, Outgoing(html="x", attachment=Attachment("photo", "signal", "1")))


async def test_turns_of_one_person_are_handled_one_at_a_time_in_order_and_a_flood_is_refused(chat):
    import asyncio

    from bot.channels.web.server import MAX_WAITING_TURNS

    gate = asyncio.Event()
    running: list[str] = []
    order: list[str] = []
    answer = chat.core.handle

    async def slow(s, turn):
        running.append(turn.text)
        assert len(running) == 1, "two turns of one person at once"
        await gate.wait()
        order.append(turn.text)
        running.pop()
        await answer(s, turn)

    async with chat.person() as person:
        await started(person)
        chat.app[CHAT].handle = slow
        posts = []
        for n in range(MAX_WAITING_TURNS + 2):
            posts.append(asyncio.create_task(person.post({"text": f"m{n}"})))
            await asyncio.sleep(0.02)  # sent one after the other, as a person taps
        await asyncio.sleep(0.2)
        gate.set()
        results = await asyncio.gather(*posts)
    assert [status for status, _ in results] == [200] * MAX_WAITING_TURNS + [429, 429]
    assert results[-1][1]["error"] == "errors.try_again"
    assert order == [f"m{n}" for n in range(MAX_WAITING_TURNS)]


async def test_wegwijs_web_serves_the_chat_beside_the_bot_and_a_taken_port_stops_it(tmp_path):
    """``wegwijs web`` and ``wegwijs run --web-port`` come from the web chat's entry in the channel list."""
    import asyncio
    import os
    import socket
    import sys

    import aiohttp

    from bot.emulator import running_emulator
    from tests.harness import TOKEN
    from tests.test_operator_tools import _line

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "WEGWIJS_HTTP_PORT": "0"}
    async with running_emulator(limits=False) as emu:

        async def wegwijs(*args: str) -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *args, "--api-url", emu.api_url, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )

        with socket.create_server(("127.0.0.1", 0)) as taken:
            web = await wegwijs("web", "--port", "0", "--db", str(tmp_path / "a.db"))
            port = str(taken.getsockname()[1])
            refused = {
                "run": await wegwijs("run", "--web-port", port, "--db", str(tmp_path / "b.db")),
                "web": await wegwijs("web", "--port", port, "--db", str(tmp_path / "c.db")),
            }
            try:
                url = (await _line(web.stderr, r"wegwijs web channel on (http://\S+)"))[1]
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    assert response.status == 200
                for command, process in refused.items():
                    _, err = await asyncio.wait_for(process.communicate(), 60)
                    assert process.returncode == 2, err.decode()
                    assert f"wegwijs {command}: cannot serve the web chat on 127.0.0.1:{port}" in err.decode()
                    assert "Traceback" not in err.decode()
            finally:
                for process in (web, *refused.values()):
                    if process.returncode is None:
                        process.terminate()
                    await asyncio.wait_for(process.wait(), 30)


def test_a_malformed_public_address_of_the_web_chat_stops_the_start(capsys, monkeypatch, tmp_path):
    from bot.channels.web.spec import public_url
    from bot.cli.main import main

    assert public_url(" https://chat.wegwijs.nl/ ") == "https://chat.wegwijs.nl"
    assert public_url("http://[::1]:8090") == "http://[::1]:8090"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    refused = [
        (["run", "--web-port", "0", "--web-url", "chat.wegwijs.nl"], None),
        (["web", "--port", "0"], "https://chat.wegwijs.nl/?lang=ar"),
    ]
    # Each would make a link that breaks: an empty query or fragment, a path (the page asks from
    # the root), a port that is no port, no host, credentials, a control character, markup.
    for bad in ("https://x.nl/?", "https://x.nl/#", "https://x.nl/amsterdam", "https://x.nl:abc", "https://x.nl:99999",
                "https://:80", "https://user:pw@x.nl", "https://x.nl/a\tb", 'https://x.nl/"><script>'):
        refused.append((["run", "--web-port", "0", "--web-url", bad], None))
    for argv, variable in refused:
        if variable is not None:
            monkeypatch.setenv("WEGWIJS_WEB_URL", variable)
        with pytest.raises(SystemExit) as stopped:
            main([*argv, "--db", str(tmp_path / "w.db")])
        monkeypatch.delenv("WEGWIJS_WEB_URL", raising=False)
        err = capsys.readouterr().err
        given = variable or argv[-1]
        assert stopped.value.code == 2 and "argument --web-url: WEGWIJS_WEB_URL or --web-url" in err, err
        assert repr(given) + " is not valid" in err
    for argv in (["run", "--web-port", "70000"], ["web", "--port", "-1"]):  # no port at all
        with pytest.raises(SystemExit) as stopped:
            main([*argv, "--db", str(tmp_path / "w.db")])
        assert stopped.value.code == 2 and "is not a port: a port is a number from 0 to 65535" in capsys.readouterr().err
    assert not (tmp_path / "w.db").exists(), "stopped before anything started"
