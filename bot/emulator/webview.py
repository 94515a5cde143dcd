"""A web view of one emulated Telegram chat: the klantmanager's Telegram in the browser demo.

``GET /_web/chat/<user_id>`` is a page that looks like a Telegram chat with the
bot: the messages of that chat with their inline buttons, and a text box. It
pretends to be the person's Telegram app, so what it does goes through the same
state calls as the control API: typing sends a message update, a button press a
callback_query update (``EmulatorState.user_message`` / ``press_button``). The
page polls ``/_web/chat/<user_id>/messages`` (no push needed on a local demo).

Query parameters of the page: ``title`` (the chat's name, default the bot's)
and ``placeholder`` (the text box's hint, default Telegram's English "Message"),
so a demo can show them in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

import jinja2
from aiohttp import web

from .state import ControlError, EmulatorState

STATIC = files(__package__) / "static"
_PAGE = jinja2.Environment(autoescape=True).from_string(STATIC.joinpath("chat.html").read_text(encoding="utf-8"))
_ASSETS = {"chat.js": "text/javascript", "chat.css": "text/css"}
MAX_TEXT = 4096
"""Telegram's app does not let a person send a longer message either."""

StateGetter = Callable[[web.Request], EmulatorState]


def _user_id(request: web.Request) -> int:
    try:
        return int(request.match_info["user_id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such chat") from None


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="request body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="request body must be a JSON object")
    return body


def _view_json(message: dict[str, Any]) -> dict[str, Any]:
    """What the page draws of a message: its text and entities, never raw HTML."""
    keys = ("message_id", "from_bot", "kind", "text", "caption", "entities", "reply_markup", "file_id",
            "file_name", "date", "edit_count", "reply_to_message_id")
    return {key: message[key] for key in keys}


def routes(state_of: StateGetter) -> list[web.RouteDef]:
    """The view's routes; ``state_of`` finds the emulator's state from a request."""

    def guarded(handler: Callable[[web.Request, EmulatorState, int], Awaitable[Any]]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                result = await handler(request, state_of(request), _user_id(request))
            except ControlError as error:
                return web.json_response({"error": error.message}, status=error.status)
            return result if isinstance(result, web.StreamResponse) else web.json_response(result)

        return wrapped

    async def page(request: web.Request, state: EmulatorState, user_id: int) -> web.Response:
        body = _PAGE.render(
            user_id=user_id,
            title=request.query.get("title") or state.bot_first_name,
            placeholder=request.query.get("placeholder") or "Message",
        )
        return web.Response(text=body, content_type="text/html")

    async def messages(request: web.Request, state: EmulatorState, user_id: int) -> Any:
        chat = state.chats.get(user_id)
        if chat is None:  # the person has not opened the chat yet: an empty chat, not an error
            return []
        return [_view_json(m.to_control_json()) for m in chat.messages.values() if not m.deleted]

    async def send(request: web.Request, state: EmulatorState, user_id: int) -> Any:
        body = await _body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ControlError(400, "text must be a non-empty string")
        reply_to = body.get("reply_to_message_id")
        if reply_to is not None and not isinstance(reply_to, int):
            raise ControlError(400, "reply_to_message_id must be an integer")
        _, message = state.user_message(user_id, text=text[:MAX_TEXT], reply_to_message_id=reply_to)
        return {"message_id": message.message_id}

    async def press(request: web.Request, state: EmulatorState, user_id: int) -> Any:
        body = await _body(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise ControlError(400, "message_id (integer) and data (string) are required")
        _, query = state.press_button(user_id, message_id, data)
        return {"callback_query_id": query.id}

    async def answer(request: web.Request, state: EmulatorState, user_id: int) -> Any:
        query = state.callbacks.get(request.match_info["query_id"])
        if query is None or query.user_id != user_id:
            raise ControlError(404, "unknown callback query")
        return query.to_control_json()

    async def photo(request: web.Request, state: EmulatorState, user_id: int) -> web.StreamResponse:
        chat = state.chats.get(user_id)
        stored = state.files.get(request.match_info["file_id"])
        in_chat = chat is not None and any(m.file is stored for m in chat.messages.values())
        if stored is None or not in_chat:
            raise web.HTTPNotFound(text="no such file in this chat")
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _ASSETS:
            raise web.HTTPNotFound()
        return web.Response(text=STATIC.joinpath(name).read_text(encoding="utf-8"), content_type=_ASSETS[name])

    return [
        web.get("/_web/static/{name}", asset),
        web.get("/_web/chat/{user_id}", guarded(page)),
        web.get("/_web/chat/{user_id}/messages", guarded(messages)),
        web.post("/_web/chat/{user_id}/send", guarded(send)),
        web.post("/_web/chat/{user_id}/press", guarded(press)),
        web.get("/_web/chat/{user_id}/callbacks/{query_id}", guarded(answer)),
        web.get("/_web/chat/{user_id}/files/{file_id}", guarded(photo)),
    ]
