"""The web chat's HTTP side: the page, what the person does, and the live stream.

Routes:
- ``GET /`` and ``GET /start?code=<code>``: the chat page (a link or QR code
  opens it; the code is passed on as ``/start <code>`` is in Telegram).
- ``POST /api/hello``: opens a session when the browser has none (the token
  goes into an HttpOnly ``SameSite=Strict`` cookie) and answers the page's
  texts in the person's language.
- ``POST /api/turn``: one thing the person did, as JSON (``{"text": ...}``,
  ``{"button": ...}`` or ``{"command": ..., "args": [...]}``), handed to the
  core as a ``Turn``.
- ``POST /api/upload``: a photo or document (multipart ``file``, ``caption``),
  stored in ``web_files`` and handed to the core as the turn's attachment.
- ``GET /api/events``: server-sent events, one per message; a page that opens
  gets the latest messages first, a reconnecting one (``Last-Event-ID``) what
  it missed.
- ``GET /api/files/<id>``, ``GET /api/voice/<message id>``: a file or a
  recording of the person's own chat, to their own session only.

Why a cookie and not localStorage: a script (ours or one injected) can never
read an HttpOnly cookie, ``SameSite=Strict`` keeps other sites from posting
in the person's name, and the browser sends it with the event stream by
itself. Bad input (no session, a forged button, a text too long, an empty or
malformed request) is answered with a short text in the person's language
and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import sqlite_utils
from aiohttp import web

from bot.channels.web import store
from bot.channels.web.channel import NAME, Pages, Passing, WebChannel
from bot.core.channel import Attachment, Channel
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people import identities
from bot.people.users import get_user
from bot.texts.render import is_right_to_left

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "wegwijs_session"
MAX_TEXT = 4096
"""Characters in one message, as Telegram allows."""
MAX_BUTTON = 64
"""Bytes of a button's action, as Telegram's callback data."""
MAX_BODY = 64 * 1024
"""Bytes of one posted action (a text of MAX_TEXT characters is at most 16 kB of UTF-8, 24 kB escaped)."""
MAX_UPLOAD = 10 * 1024 * 1024
"""Bytes of a photo or document a person sends (Telegram lets a bot fetch up to 20 MB)."""
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_WAITING_TURNS = 8
"""A person's turns are handled one at a time; more than this many waiting (a flood) are refused."""
HEARTBEAT_SECONDS = 15.0
"""An open stream gets a comment this often (proxies close silent streams) and looks for rows other processes stored."""
COMMAND_NAME = re.compile(r"[A-Za-z0-9_]{1,32}")
COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?", re.DOTALL)
CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
CHROME_KEYS = (
    "web.title",
    "web.messages",
    "web.placeholder",
    "web.send",
    "web.connection_lost",
    "web.attach",
)
MENU_KEY = "menu.main"
"""The page's own menu button, always there beside the title: Telegram has its command menu by the
text box, and a person who scrolled up or whose last message had no ☰ button needs one too."""

TurnHandler = Callable[[Services, Turn], Awaitable[None]]
"""The core's entry point: what to do with one turn (``conversation.handle``)."""
PersonFor = Callable[[sqlite_utils.Database, str], int]
"""Creates the person for a new web address and returns their internal id (``identities.person_for``)."""

CHAT = web.AppKey("web_chat", "WebChat")


def web_person_for(services: Services) -> PersonFor:
    """A new person for each new session, known in the identities as ('web', the session's address)."""

    def create(db: sqlite_utils.Database, address: str) -> int:
        person = identities.person_for(db, NAME, address, create=True, now=services.clock.now())
        assert person is not None  # create=True always gives one
        return person

    return create


@dataclass
class TurnLine:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class Refused(Exception):
    """A request the chat does not take: answered with ``key``'s text and ``status``; nothing changes."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


@dataclass
class WebChat:
    """What the routes share: the core's services and entry point, the open pages, the channel."""

    services: Services
    handle: TurnHandler
    person_for: PersonFor
    pages: Pages
    channel: WebChannel
    secure_cookie: bool = False
    turns: dict[str, TurnLine] = field(default_factory=dict)
    """Per address, the turn being handled and those waiting: one at a time, in order (as Telegram's chats)."""

    # Languages -----------------------------------------------------------

    def browser_language(self, request: web.Request) -> str | None:
        """The first of the browser's languages that Wegwijs speaks."""
        languages = self.services.renderer.journey.languages
        for part in request.headers.get("Accept-Language", "").split(","):
            code = part.split(";")[0].strip().lower().split("-")[0]
            if code in languages:
                return code
        return None

    def language(self, request: web.Request, session: store.Session | None) -> str:
        user = get_user(self.services.db, session.user_id) if session is not None else None
        if user is not None and user.lang:
            return user.lang
        return self.browser_language(request) or self.services.renderer.journey.source_language

    def direction(self, lang: str) -> str:
        return "rtl" if is_right_to_left(self.services.renderer.journey.locale(lang)) else "ltr"

    def chrome(self, lang: str) -> dict[str, Any]:
        """The page's own texts (placeholder, send, connection lost...) in one language."""
        r = self.services.renderer
        return {
            "lang": lang,
            "dir": self.direction(lang),
            "texts": {
                **{key.removeprefix("web."): r.button(lang, key) for key in CHROME_KEYS},
                "menu": r.button(lang, MENU_KEY),  # the same label as the ☰ button under messages
            },
        }

    # Sessions ------------------------------------------------------------

    def session(self, request: web.Request) -> store.Session | None:
        return store.session_for(self.services.db, request.cookies.get(COOKIE))

    def open_session(self) -> tuple[store.Session, str]:
        """A new person and session; returns it with the token for the browser's cookie."""
        s = self.services
        address = store.new_address()
        user_id = self.person_for(s.db, address)
        token = store.open_session(s.db, user_id, address, s.clock.now())
        return store.Session(address=address, user_id=user_id), token

    def keep_token(self, request: web.Request, response: web.Response, token: str) -> None:
        # 400 days: the longest a browser keeps a cookie; retention erases a person long silent anyway.
        # Secure over https (or behind a proxy that ends TLS: ``secure_cookie``), so it never travels in the clear.
        secure = self.secure_cookie or request.secure
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=secure, path="/", max_age=400 * 86400)

    def refusal(self, request: web.Request, session: store.Session | None, refused: Refused) -> web.Response:
        lang = self.language(request, session)
        text = self.services.renderer.button(lang, refused.key)
        return web.json_response({"error": refused.key, "text": text, "lang": lang, "dir": self.direction(lang)}, status=refused.status)


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise Refused(415, "web.bad_request")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise Refused(413, "errors.too_long")
    if not raw.strip():
        raise Refused(400, "web.empty")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Refused(400, "web.bad_request") from exc
    if not isinstance(body, dict):
        raise Refused(400, "web.bad_request")
    return body


def turn_fields(chat: WebChat, session: store.Session, body: dict[str, Any]) -> dict[str, Any]:
    """The Turn's fields for one posted action, or ``Refused``."""
    kinds = [kind for kind in ("text", "button", "command") if kind in body]
    if len(kinds) != 1:
        raise Refused(400, "web.empty" if not kinds else "web.bad_request")
    kind = kinds[0]
    value = body[kind]
    if not isinstance(value, str):
        raise Refused(400, "web.bad_request")
    if kind == "button":
        if len(value.encode()) > MAX_BUTTON or not store.offered(chat.services.db, session.address, value):
            raise Refused(400, "errors.stale_button")
        return {"button": value}
    if kind == "command":
        args = body.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise Refused(400, "web.bad_request")
        if COMMAND_NAME.fullmatch(value) is None:
            raise Refused(400, "errors.unknown_command")
        value = "/" + value + "".join(" " + a for a in args)
    text = value.strip()
    if not text:
        raise Refused(400, "web.empty")
    if len(text) > MAX_TEXT:
        raise Refused(400, "errors.too_long")
    command = COMMAND.fullmatch(text)
    if command is None:
        return {"text": text}
    args = tuple((command.group(2) or "").split())
    return {"command": command.group(1).lower(), "args": args}


async def page(request: web.Request) -> web.Response:
    chat = request.app[CHAT]
    code = request.query.get("code", "")
    if code and CODE.fullmatch(code) is None:
        code = "-"  # a code that cannot be one: the core answers that the link is wrong
    lang = chat.language(request, chat.session(request))
    static = request.app.router["static"]
    html = TEMPLATES.get_template("chat.html").render(
        chrome=chat.chrome(lang), code=code, static=lambda name: str(static.url_for(filename=name))
    )
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store", **SECURITY_HEADERS})


async def hello(request: web.Request) -> web.Response:
    """Open a session if the browser has none; answer the page's texts and whether it is new."""
    chat = request.app[CHAT]
    session = chat.session(request)
    token = None
    if session is None:
        session, token = chat.open_session()
    response = web.json_response({"new": token is not None, **chat.chrome(chat.language(request, session))})
    if token is not None:
        chat.keep_token(request, response, token)
    return response


async def turn(request: web.Request) -> web.Response:
    chat = request.app[CHAT]
    session = chat.session(request)
    try:
        if session is None:
            raise Refused(401, "web.session_unknown")
        fields = turn_fields(chat, session, await _json_body(request))
    except Refused as refused:
        return chat.refusal(request, session, refused)
    return await _hand_over(request, session, fields)


async def upload(request: web.Request) -> web.Response:
    """A photo or document the person sends (multipart: ``file``, and a ``caption`` if they wrote one)."""
    chat = request.app[CHAT]
    session = chat.session(request)
    try:
        if session is None:
            raise Refused(401, "web.session_unknown")
        kind, name, mime, content, caption = await _read_upload(request)
    except Refused as refused:
        return chat.refusal(request, session, refused)
    s = chat.services
    file_id = store.add_file(s.db, session, kind, name, mime, content, s.clock.now())
    attachment = Attachment(kind=kind, channel=NAME, ref=str(file_id), file_name=name)
    return await _hand_over(request, session, {"attachment": attachment, "text": caption})


async def _read_upload(request: web.Request) -> tuple[str, str, str, bytes, str | None]:
    if request.content_type != "multipart/form-data":
        raise Refused(415, "web.bad_request")
    if request.content_length is not None and request.content_length > MAX_UPLOAD + MAX_BODY:
        raise Refused(413, "web.file_too_large")
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge as exc:
        raise Refused(413, "web.file_too_large") from exc
    except ValueError as exc:  # a malformed multipart body
        raise Refused(400, "web.bad_request") from exc
    part = form.get("file")
    if not isinstance(part, web.FileField):
        raise Refused(400, "web.empty")
    content = part.file.read()
    if not content:
        raise Refused(400, "web.empty")
    caption = form.get("caption")
    caption = caption.strip() if isinstance(caption, str) and caption.strip() else None
    if caption is not None and len(caption) > MAX_TEXT:
        raise Refused(400, "errors.too_long")
    mime = part.content_type if part.content_type in PHOTO_TYPES else "application/octet-stream"
    kind = "photo" if mime in PHOTO_TYPES else "document"
    name = Path(part.filename or kind).name[:200] or kind
    return kind, name, mime, content, caption


async def _hand_over(request: web.Request, session: store.Session, fields: dict[str, Any]) -> web.Response:
    """Give one turn to the core; answer the page's texts (the language may have changed)."""
    chat = request.app[CHAT]
    s = chat.services
    store.seen(s.db, session, s.clock.now())
    person_turn = Turn(
        person_id=session.user_id,
        channel=NAME,
        address=session.address,
        language_hint=chat.browser_language(request),
        **fields,
    )
    line = chat.turns.setdefault(session.address, TurnLine())
    if line.waiting >= MAX_WAITING_TURNS:
        return chat.refusal(request, session, Refused(429, "errors.try_again"))
    line.waiting += 1
    try:
        async with line.lock:
            await chat.handle(s, person_turn)
    except Exception:
        log.exception("web chat: the core failed on a turn")
        return chat.refusal(request, session, Refused(500, "errors.generic"))
    finally:
        line.waiting -= 1
        if not line.waiting:
            chat.turns.pop(session.address, None)
    return web.json_response(chat.chrome(chat.language(request, store.session_at(s.db, session.address))))


async def file_download(request: web.Request) -> web.StreamResponse:
    """A file of this person's chat: only to their own session."""
    chat = request.app[CHAT]
    session = chat.session(request)
    file_id = request.match_info["file_id"]
    stored = store.file_of(chat.services.db, session.address, int(file_id)) if session and file_id.isdigit() else None
    content = store.file_content(chat.services.db, stored.id) if stored else None
    if stored is None or content is None:
        return chat.refusal(request, session, Refused(404, "web.file_gone"))
    disposition = "inline" if stored.mime in PHOTO_TYPES or stored.kind == "voice" else "attachment"
    return web.Response(
        body=content,
        content_type=stored.mime,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.file_name)}",
            "Cache-Control": "private, no-store",
            **SECURITY_HEADERS,
        },
    )


async def voice_recording(request: web.Request) -> web.StreamResponse:
    """The recording that came with one of this person's messages."""
    chat = request.app[CHAT]
    session = chat.session(request)
    message_id = request.match_info["message_id"]
    relative = store.voice_of(chat.services.db, session.address, int(message_id)) if session and message_id.isdigit() else None
    root = chat.services.settings.content_dir.resolve()
    path = (root / relative).resolve() if relative else None
    if path is None or not path.is_relative_to(root) or not path.is_file():
        return chat.refusal(request, session, Refused(404, "web.file_gone"))
    return web.FileResponse(path, headers={"Content-Type": "audio/ogg", "Cache-Control": "private, max-age=86400"})


def _event(payload: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


def _payload(
    chat: WebChat, lang: str | None, html: str, keyboard: Any, message: store.WebMessage | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "lang": lang,
        "dir": chat.direction(lang) if lang else "auto",
        "html": html,
        "buttons": json.loads(store.keyboard_json(keyboard)),
    }
    if message is not None and message.file is not None:
        f = message.file
        payload["file"] = {"kind": f.kind, "name": f.file_name, "url": f"/api/files/{f.id}"}
    if message is not None and message.voice:
        payload["voice"] = f"/api/voice/{message.id}"
    return payload


async def events(request: web.Request) -> web.StreamResponse:
    chat = request.app[CHAT]
    session = chat.session(request)
    if session is None:
        return chat.refusal(request, None, Refused(401, "web.session_unknown"))
    last = request.headers.get("Last-Event-ID", "")
    after: int | None = int(last) if last.isdigit() and len(last) < 19 else None  # 19 digits: past SQLite's integers
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    db = chat.services.db
    with chat.pages.listen(session.address) as queue:
        user = get_user(db, session.user_id)
        chat.pages.note_language(session.address, user.lang if user is not None else None)
        try:
            while True:
                messages = store.messages_after(db, session.address, after)
                for message in messages:
                    await response.write(_event(_payload(chat, message.lang, message.html, message.keyboard, message), message.id))
                    after = message.id
                store.mark_delivered(db, [m.id for m in messages])
                after = after or 0
                try:
                    item = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                if item is None:
                    break
                if isinstance(item, Passing):
                    await response.write(_event(_payload(chat, item.lang, item.html, item.keyboard)))
                    if store.session_at(db, session.address) is None:
                        await response.write(b"event: ended\ndata: {}\n\n")
                        break
        except ConnectionResetError:  # the page was closed
            pass
    return response


SECURITY_HEADERS = {
    # Our own script and style only: no CDN, no inline script, nothing framed from elsewhere.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'self' http://127.0.0.1:* http://localhost:*",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
)


async def _close_pages(app: web.Application) -> None:
    app[CHAT].pages.close_all()


def build_web_app(
    services: Services,
    handle: TurnHandler,
    person_for: PersonFor,
    channels: Mapping[str, Channel],
    *,
    secure_cookie: bool = False,
) -> web.Application:
    """The web chat's aiohttp application; ``app[CHAT].channel`` is the ``WebChannel`` to register in ``channels``."""
    app = web.Application(client_max_size=MAX_UPLOAD + MAX_BODY)
    pages = Pages()
    app[CHAT] = WebChat(
        services=services, handle=handle, person_for=person_for, pages=pages,
        channel=WebChannel(services, pages, channels), secure_cookie=secure_cookie,
    )
    app.router.add_get("/", page)
    app.router.add_get("/start", page)
    app.router.add_post("/api/hello", hello)
    app.router.add_post("/api/turn", turn)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/upload", upload)
    app.router.add_get("/api/files/{file_id}", file_download)
    app.router.add_get("/api/voice/{message_id}", voice_recording)
    app.router.add_static("/static/", HERE / "static", name="static", append_version=True)
    app.on_shutdown.append(_close_pages)
    return app


@asynccontextmanager
async def running_web(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve the web chat inside a running event loop; yields its base URL (port 0: any free port, for tests)."""
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()
