"""``wegwijs demo --web``: the two-pane browser demo.

One local page shows a statushouder's phone on the left (the web chat, in any
language) and klantmanager Kim's Telegram on the right (the emulator's web view
of her chat), so a viewer watches a question travel from the person to Kim and
the answer come back. A "move the clock forward" control moves the demo clock
(:class:`DemoClock`), so a reminder planned for tomorrow arrives now.

Everything runs in this process: the emulator, the bot (Telegram channel and
web channel on one core) and the page's own small server. The demo seeds Kim
and a single-use invitation; the left pane opens the invitation's link.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import webbrowser
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from babel.dates import format_skeleton

from bot.casework import invites, staff
from bot.channels.telegram.app import build_application, running
from bot.channels.web.beside import bind, serving
from bot.conversation import handle
from bot.core import listening
from bot.core.config import DEFAULT_CONTENT_DIR, TIMEZONE, Settings
from bot.core.services import KEY, Services
from bot.demo.clock import DemoClock
from bot.demo.terminal import DEMO_KM, DEMO_TOKEN, DISPATCH_SECONDS, KM_NAME
from bot.emulator import RunningEmulator, running_emulator
from bot.people.identities import TELEGRAM, person_for
from bot.texts.render import clock as time_of_day, is_right_to_left

CLIENT_NAME = "Demo"
"""The name Kim gave the invitation: how the person appears in her caseload."""
DEFAULT_PORT = 8089
STEPS = ((1, "demo.web.hour"), (24, "demo.web.day"), (24 * 7, "demo.web.week"))
"""What the clock buttons skip, in hours, and their labels."""
MAX_HOURS = 24 * 366
DAY_SKELETON = "MMMEd"
STATIC = files(__package__) / "static"
_PAGE = jinja2.Environment(autoescape=True).from_string(STATIC.joinpath("demo.html").read_text(encoding="utf-8"))
_ASSETS = {"demo.js": "text/javascript", "demo.css": "text/css"}
DEMO_KEY = web.AppKey("web_demo", "WebDemo")


@dataclass
class WebDemo:
    """A running two-pane demo: its page and the pieces a test reaches into."""

    url: str
    """The one page to open."""
    emulator: RunningEmulator
    services: Services
    clock: DemoClock
    kim: int
    """Klantmanager Kim's person id (her Telegram user id is ``DEMO_KM``)."""
    invite_code: str
    person_base: str
    """The web chat's address."""

    def person_url(self) -> str:
        """The left pane: the invitation's link until it is used; then the chat itself (a reload goes on)."""
        used = self.services.db.execute("SELECT used_at FROM invites WHERE code = ?", [self.invite_code]).fetchone()
        if used is not None and used[0] is None:
            return f"{self.person_base}/start?{urlencode({'code': self.invite_code})}"
        return f"{self.person_base}/"

    def km_url(self, lang: str) -> str:
        """The right pane: the emulator's view of Kim's Telegram chat, its hint in ``lang``."""
        query = urlencode({"placeholder": self.services.renderer.button(lang, "demo.web.message")})
        return f"{self.emulator.base_url}/_web/chat/{DEMO_KM}?{query}"

    def language(self, request: web.Request) -> str:
        lang = request.query.get("lang", "")
        journey = self.services.renderer.journey
        return lang if lang in journey.languages else "en"

    def clock_label(self, lang: str) -> str:
        locale = self.services.renderer.journey.locale(lang)
        now = self.clock.now().astimezone(TIMEZONE)
        return f"{format_skeleton(DAY_SKELETON, now, locale=locale)} {time_of_day(now, locale)}"


async def _page(request: web.Request) -> web.Response:
    demo = request.app[DEMO_KEY]
    lang = demo.language(request)
    r = demo.services.renderer
    body = _PAGE.render(
        lang=lang,
        direction="rtl" if is_right_to_left(r.journey.locale(lang)) else "ltr",
        title=r.button(lang, "demo.web.title"),
        heading=r.button(lang, "demo.web.title"),
        intro=r.button(lang, "demo.web.intro", name=KM_NAME),
        language_label=r.button(lang, "demo.web.language"),
        languages=[(code, r.button(code, "language.name")) for code in r.journey.languages],
        clock_label=r.button(lang, "demo.web.clock"),
        clock_now=demo.clock_label(lang),
        steps=[(hours, r.button(lang, key)) for hours, key in STEPS],
        person_title=r.button(lang, "demo.web.person"),
        person_url=demo.person_url(),
        km_title=r.button(lang, "demo.web.klantmanager", name=KM_NAME),
        km_url=demo.km_url(lang),
    )
    return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-store"})


async def _clock(request: web.Request) -> web.Response:
    """GET: the demo clock's time; POST ``{"hours": n}``: move it forward first."""
    demo = request.app[DEMO_KEY]
    if request.method == "POST":
        try:
            hours = float((await request.json())["hours"])
        except (ValueError, TypeError, KeyError):
            raise web.HTTPBadRequest(text='send {"hours": <number>}') from None
        if not 0 < hours <= MAX_HOURS:
            raise web.HTTPBadRequest(text=f"hours must be more than 0 and at most {MAX_HOURS}")
        demo.clock.advance(timedelta(hours=hours))
    lang = demo.language(request)
    return web.json_response({"now": demo.clock.now().isoformat(), "label": demo.clock_label(lang)})


async def _asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _ASSETS:
        raise web.HTTPNotFound()
    return web.Response(text=STATIC.joinpath(name).read_text(encoding="utf-8"), content_type=_ASSETS[name])


def _page_app(demo: WebDemo) -> web.Application:
    app = web.Application()
    app[DEMO_KEY] = demo
    app.add_routes([web.get("/", _page), web.get("/clock", _clock), web.post("/clock", _clock),
                    web.get("/static/{name}", _asset)])
    return app


@asynccontextmanager
async def _serve(app: web.Application, sock: socket.socket) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield listening.url(sock)
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_web_demo(host: str = "127.0.0.1", port: int = 0, db_path: Path | None = None) -> AsyncIterator[WebDemo]:
    """The whole demo, served until the block exits (port 0: any free port, for tests)."""
    page_socket = listening.listen(host, port, serving="the demo page", choose="choose another with --port")  # first: a port in use stops the demo before anything starts
    async with AsyncExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="wegwijs-web-demo-"))
        emu = await stack.enter_async_context(running_emulator(host=host, chat_burst=5))
        clock = DemoClock.this_morning()
        settings = Settings(
            db_path=db_path or Path(tmp) / "demo.db",
            content_dir=DEFAULT_CONTENT_DIR,
            token=DEMO_TOKEN,
            api_url=emu.api_url,
            file_url=emu.file_url,
            dispatch_seconds=DISPATCH_SECONDS,
        )
        app = build_application(settings, clock=clock)
        services: Services = app.bot_data[KEY]
        stack.callback(services.db.close)
        now = clock.now()
        kim = person_for(services.db, TELEGRAM, DEMO_KM, create=True, now=now)
        staff.add_klantmanager(services.db, kim, KM_NAME, now)
        code = invites.create(services.db, invites.CLIENT, kim, now, klantmanager_id=kim, name=CLIENT_NAME)
        await stack.enter_async_context(running(app, poll_timeout=1))
        # Kim has started her chat with the bot, as every klantmanager has.
        emu.state.user_message(DEMO_KM, text="/start", first_name=KM_NAME, language_code="nl")
        web_chat = await stack.enter_async_context(serving(services, handle, services.channels, bind(host, 0)))
        person_base = web_chat.url
        demo = WebDemo(url="", emulator=emu, services=services, clock=clock, kim=kim, invite_code=code,
                       person_base=person_base)
        demo.url = await stack.enter_async_context(_serve(_page_app(demo), page_socket))
        yield demo


async def run_web_demo(host: str = "127.0.0.1", port: int = DEFAULT_PORT, db_path: Path | None = None,
                       open_browser: bool = True) -> int:
    """Serve the demo until Ctrl-C; print its one URL and open it in the browser."""
    try:
        async with running_web_demo(host, port, db_path) as demo:
            print(demo.url, flush=True)
            if open_browser:
                await asyncio.to_thread(webbrowser.open, demo.url)
            await asyncio.Event().wait()  # until Ctrl-C
    except listening.PortUnavailable as exc:
        print(f"wegwijs demo --web: {exc}", file=sys.stderr)
        return 2
    return 0
