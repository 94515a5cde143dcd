"""aiohttp application serving the emulated Bot API and the control API.

Bot API:      ``/bot<token>/<method>`` and ``/file/bot<token>/<file_path>``
Control API:  ``/_control/...`` (JSON), used by tests and the terminal demo.
Web view:     ``/_web/chat/<user_id>``, one chat in a browser (the browser demo; ``webview.py``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import webview
from .state import (
    ATTACHMENTS,
    BotAPIError,
    ControlError,
    EmulatorState,
    Fault,
    SendOptions,
    Upload,
    bad_request,
    validate_reply_markup,
)

log = logging.getLogger(__name__)

STATE_KEY = web.AppKey("emulator_state", EmulatorState)
MAX_REQUEST_BYTES = 60 * 1024 * 1024  # Telegram accepts uploads up to 50 MB from bots

Handler = Callable[[EmulatorState, "Params"], Awaitable[Any]]
_METHODS: dict[str, tuple[str, Handler]] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method; lookups are case-insensitive like Telegram's."""

    def register(handler: Handler) -> Handler:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


class Params:
    """Typed access to Bot API parameters, which arrive as strings (form data) or JSON values."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value == "" else value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None or isinstance(value, web.FileField):
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def decoded_json(self, name: str, error: str) -> Any:
        value = self.raw(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(error) from None
        return value

    def chat_id(self, name: str = "chat_id") -> int:
        """Private chats are addressed by numeric id; "@username" only works for public chats."""
        value = self.raw(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def reply_markup(self) -> dict | None:
        markup = self.decoded_json("reply_markup", "can't parse reply keyboard markup JSON object")
        return None if markup is None else validate_reply_markup(markup)

    def send_options(self) -> SendOptions:
        reply_to = self.integer("reply_to_message_id")
        allow_without_reply = self.flag("allow_sending_without_reply")
        reply_parameters = self.decoded_json("reply_parameters", "can't parse reply parameters JSON object")
        if reply_parameters is not None:
            if not isinstance(reply_parameters, dict) or "message_id" not in reply_parameters:
                raise bad_request("can't parse reply parameters JSON object")
            reply_to = Params(reply_parameters).integer("message_id")
            allow_without_reply = bool(reply_parameters.get("allow_sending_without_reply"))
        return SendOptions(
            reply_markup=self.reply_markup(),
            reply_to_message_id=reply_to,
            allow_sending_without_reply=allow_without_reply,
            disable_notification=self.flag("disable_notification"),
            protect_content=self.flag("protect_content"),
        )

    def entities(self, name: str) -> list[dict] | None:
        entities = self.decoded_json(name, f"can't parse {name} JSON object")
        if entities is not None and not isinstance(entities, list):
            raise bad_request(f"can't parse {name} JSON object")
        return entities

    def input_file(self, name: str) -> Upload | str | None:
        """An uploaded file (directly or via ``attach://``) or a file_id string."""
        value = self.raw(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw(value[len("attach://"):])
            if value is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(value, web.FileField):
            return Upload(value.file.read(), value.filename or None, value.content_type or None)
        return self.text(name)


# --------------------------------------------------------------------- Bot API methods


@_method("getMe")
async def _get_me(state: EmulatorState, params: Params) -> Any:
    return state.bot_json(full=True)


@_method("logOut")
async def _log_out(state: EmulatorState, params: Params) -> Any:
    return True


@_method("close")
async def _close(state: EmulatorState, params: Params) -> Any:
    return True


@_method("getUpdates")
async def _get_updates(state: EmulatorState, params: Params) -> Any:
    allowed = params.decoded_json("allowed_updates", "can't parse allowed updates")
    return await state.get_updates(
        offset=params.integer("offset", 0),
        limit=params.integer("limit", 100),
        timeout=params.integer("timeout", 0),
        allowed_updates=allowed if isinstance(allowed, list) else None,
    )


@_method("setWebhook")
async def _set_webhook(state: EmulatorState, params: Params) -> Any:
    allowed = params.decoded_json("allowed_updates", "can't parse allowed updates")
    state.set_webhook(
        params.text("url") or "",
        allowed if isinstance(allowed, list) else None,
        params.flag("drop_pending_updates"),
    )
    return True


@_method("deleteWebhook")
async def _delete_webhook(state: EmulatorState, params: Params) -> Any:
    state.set_webhook("", None, params.flag("drop_pending_updates"))
    return True


@_method("getWebhookInfo")
async def _get_webhook_info(state: EmulatorState, params: Params) -> Any:
    return state.webhook_info()


def _command_scope(params: Params) -> tuple[dict | None, str | None]:
    return params.decoded_json("scope", "can't parse BotCommandScope JSON object"), params.text("language_code")


@_method("setMyCommands")
async def _set_my_commands(state: EmulatorState, params: Params) -> Any:
    commands = params.decoded_json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    state.set_commands(commands, *_command_scope(params))
    return True


@_method("getMyCommands")
async def _get_my_commands(state: EmulatorState, params: Params) -> Any:
    return state.get_commands(*_command_scope(params))


@_method("deleteMyCommands")
async def _delete_my_commands(state: EmulatorState, params: Params) -> Any:
    state.delete_commands(*_command_scope(params))
    return True


@_method("sendMessage")
async def _send_message(state: EmulatorState, params: Params) -> Any:
    message = state.send_text(
        params.chat_id(),
        params.text("text"),
        parse_mode=params.text("parse_mode"),
        entities=params.entities("entities"),
        link_preview_options=params.decoded_json("link_preview_options", "can't parse link preview options"),
        options=params.send_options(),
    )
    return state.message_json(message)


def _file_sender(kind: str, method: str) -> None:
    async def send(state: EmulatorState, params: Params) -> Any:
        message = state.send_file(
            params.chat_id(),
            kind,
            params.input_file(kind),
            caption=params.text("caption"),
            parse_mode=params.text("parse_mode"),
            caption_entities=params.entities("caption_entities"),
            duration=params.integer("duration", 0) or 0,
            options=params.send_options(),
        )
        return state.message_json(message)

    _method(method)(send)


_file_sender("photo", "sendPhoto")
_file_sender("document", "sendDocument")
_file_sender("voice", "sendVoice")


@_method("copyMessage")
async def _copy_message(state: EmulatorState, params: Params) -> Any:
    message = state.copy_message(
        params.chat_id(),
        params.chat_id("from_chat_id"),
        params.required_integer("message_id"),
        caption=params.text("caption"),
        parse_mode=params.text("parse_mode"),
        caption_entities=params.entities("caption_entities"),
        options=params.send_options(),
    )
    return {"message_id": message.message_id}


@_method("forwardMessage")
async def _forward_message(state: EmulatorState, params: Params) -> Any:
    message = state.forward_message(
        params.chat_id(),
        params.chat_id("from_chat_id"),
        params.required_integer("message_id"),
        options=SendOptions(
            disable_notification=params.flag("disable_notification"),
            protect_content=params.flag("protect_content"),
        ),
    )
    return state.message_json(message)


def _edit_target(params: Params) -> tuple[int, int]:
    if params.raw("inline_message_id") is not None:
        raise bad_request("inline messages are not supported by the emulator")
    return params.chat_id(), params.required_integer("message_id")


@_method("editMessageText")
async def _edit_message_text(state: EmulatorState, params: Params) -> Any:
    chat_id, message_id = _edit_target(params)
    message = state.edit_text(
        chat_id,
        message_id,
        params.text("text"),
        parse_mode=params.text("parse_mode"),
        entities=params.entities("entities"),
        reply_markup=params.reply_markup(),
        link_preview_options=params.decoded_json("link_preview_options", "can't parse link preview options"),
    )
    return state.message_json(message)


@_method("editMessageReplyMarkup")
async def _edit_message_reply_markup(state: EmulatorState, params: Params) -> Any:
    chat_id, message_id = _edit_target(params)
    return state.message_json(state.edit_reply_markup(chat_id, message_id, params.reply_markup()))


@_method("deleteMessage")
async def _delete_message(state: EmulatorState, params: Params) -> Any:
    state.delete_message(params.chat_id(), params.required_integer("message_id"))
    return True


@_method("answerCallbackQuery")
async def _answer_callback_query(state: EmulatorState, params: Params) -> Any:
    state.answer_callback_query(
        params.text("callback_query_id") or "",
        text=params.text("text"),
        show_alert=params.flag("show_alert"),
        url=params.text("url"),
    )
    return True


@_method("sendChatAction")
async def _send_chat_action(state: EmulatorState, params: Params) -> Any:
    state.send_chat_action(params.chat_id(), params.text("action") or "")
    return True


@_method("leaveChat")
async def _leave_chat(state: EmulatorState, params: Params) -> Any:
    state.leave_chat(params.chat_id())
    return True


@_method("getFile")
async def _get_file(state: EmulatorState, params: Params) -> Any:
    return state.file_json(params.text("file_id") or "")


# --------------------------------------------------------------------- HTTP plumbing


def _api_error(error: BotAPIError) -> web.Response:
    return web.json_response(error.to_json(), status=error.status)


async def _read_params(request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return values
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values.update((await request.post()).items())
    return values


async def _bot_api(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    state.use_token(request.match_info["token"])
    entry = _METHODS.get(request.match_info["method"].lower())
    if entry is None:
        return _api_error(BotAPIError(404, "Not Found"))
    name, handler = entry
    state.stats.method_calls[name] += 1
    half_trip = state.latency_ms / 2000
    if half_trip:
        await asyncio.sleep(half_trip)
    fault = state.take_fault(name)
    failure = fault.error() if fault is not None else None
    if fault is not None and (fault.drop or failure is not None):
        await asyncio.sleep(fault.delay)
        if fault.drop:
            # Close the socket without answering; the client sees a broken connection.
            # aiohttp ignores the write of the response below to the closed transport.
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        return _api_error(failure)
    try:
        result = await handler(state, Params(await _read_params(request)))
    except BotAPIError as error:
        state.stats.events[f"rejected_{error.status}"] += 1
        return _api_error(error)
    finally:
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)  # carried out, answered late
        if half_trip:
            await asyncio.sleep(half_trip)
    return web.json_response({"ok": True, "result": result})


async def _download(request: web.Request) -> web.Response:
    stored = request.app[STATE_KEY].files_by_path.get(request.match_info["file_path"])
    if stored is None:
        return _api_error(BotAPIError(404, "Not Found"))
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


# --------------------------------------------------------------------- control API


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ControlError(400, "request body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "request body must be a JSON object")
    return body


def _int_field(body: Mapping[str, Any], name: str) -> int:
    try:
        return int(body[name])
    except KeyError:
        raise ControlError(400, f"{name} is required") from None
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be an integer") from None


def _b64(value: Any, name: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ControlError(400, f"{name} must be base64") from None


def _user_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {key: body.get(key) for key in ("first_name", "last_name", "username", "language_code")}


ControlHandler = Callable[[web.Request, EmulatorState], Awaitable[Any]]


def _control(handler: ControlHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def wrapped(request: web.Request) -> web.Response:
        try:
            result = await handler(request, request.app[STATE_KEY])
        except ControlError as error:
            return web.json_response({"error": error.message}, status=error.status)
        if isinstance(result, web.Response):
            return result
        return web.json_response(result)

    return wrapped


async def _register_users(request: web.Request, state: EmulatorState) -> Any:
    """One user ``{user_id, first_name, ...}`` or many at once: ``{"users": [...]}``."""
    body = await _json_body(request)
    users = body.get("users")
    if users is None:
        return state.register_user(_int_field(body, "user_id"), **_user_fields(body)).to_json()
    if not isinstance(users, list) or not all(isinstance(user, dict) for user in users):
        raise ControlError(400, "users must be a list of objects")
    return [state.register_user(_int_field(user, "user_id"), **_user_fields(user)).to_json() for user in users]


async def _user_message(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    document = body.get("document")
    if document is not None:
        if not isinstance(document, dict):
            raise ControlError(400, "document must be an object {data, file_name, mime_type}")
        document = Upload(_b64(document.get("data"), "document.data"), document.get("file_name"), document.get("mime_type"))
    reply_to = body.get("reply_to_message_id")
    update, message = state.user_message(
        _int_field(body, "user_id"),
        text=body.get("text"),
        sticker=bool(body.get("sticker")),
        photo=_b64(body["photo"], "photo") if body.get("photo") is not None else None,
        document=document,
        voice=_b64(body["voice"], "voice") if body.get("voice") is not None else None,
        video_note=_b64(body["video_note"], "video_note") if body.get("video_note") is not None else None,
        animation=_b64(body["animation"], "animation") if body.get("animation") is not None else None,
        attachment={kind: body[kind] for kind in ATTACHMENTS if body.get(kind) is not None} or None,
        caption=body.get("caption"),
        reply_to_message_id=_int_field(body, "reply_to_message_id") if reply_to is not None else None,
        **_user_fields(body),
    )
    return {"update_id": update["update_id"], "message": state.message_json(message)}


async def _callback(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    data = body.get("data")
    if not isinstance(data, str):
        raise ControlError(400, "data must be a string")
    update, query = state.press_button(_int_field(body, "user_id"), _int_field(body, "message_id"), data)
    return {"update_id": update["update_id"], "callback_query_id": query.id}


async def _many_updates(request: web.Request, state: EmulatorState) -> Any:
    """Many people at once, in one request: ``{"updates": [...]}``, each a text message
    ``{user_id, text, ...user fields}`` or a button press ``{user_id, message_id, data}``.
    Returns the update ids in the same order (benchmarks: no HTTP round trip per update)."""
    body = await _json_body(request)
    items = body.get("updates")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ControlError(400, "updates must be a list of objects")
    update_ids = []
    for item in items:
        user_id = _int_field(item, "user_id")
        if "data" in item:
            if not isinstance(item["data"], str):
                raise ControlError(400, "data must be a string")
            update, _ = state.press_button(user_id, _int_field(item, "message_id"), item["data"])
        elif isinstance(item.get("text"), str):
            update, _ = state.user_message(user_id, text=item["text"], **_user_fields(item))
        else:
            raise ControlError(400, "each update needs text, or message_id and data")
        update_ids.append(update["update_id"])
    return update_ids


async def _timings(request: web.Request, state: EmulatorState) -> Any:
    """For every update from a person: when it arrived and when the bot answered (monotonic seconds)."""
    return [timing.to_json() for timing in state.timings]


def _text_field(body: Mapping[str, Any], name: str = "text") -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise ControlError(400, f"{name} must be a string")
    return value


def _update_result(update: dict[str, Any]) -> Any:
    return {"update_id": update["update_id"]}


async def _edit(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    return _update_result(
        state.edit_user_message(_int_field(body, "user_id"), _int_field(body, "message_id"), _text_field(body))
    )


async def _group_message(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    update = state.group_message(
        _int_field(body, "user_id"),
        _int_field(body, "chat_id"),
        _text_field(body),
        chat_type=body.get("chat_type") or "group",
        title=body.get("title") or "Group",
    )
    return _update_result(update)


async def _channel_post(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    update = state.channel_post(_int_field(body, "chat_id"), _text_field(body), title=body.get("title") or "Channel")
    return _update_result(update)


async def _my_chat_member(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    update = state.my_chat_member(
        _int_field(body, "user_id"),
        chat_id=_int_field(body, "chat_id") if body.get("chat_id") is not None else None,
        chat_type=body.get("chat_type") or "private",
        old=body.get("old") or "member",
        new=body.get("new") or "kicked",
        title=body.get("title") or "Group",
    )
    return _update_result(update)


async def _inline_query(request: web.Request, state: EmulatorState) -> Any:
    body = await _json_body(request)
    return _update_result(state.inline_query(_int_field(body, "user_id"), _text_field(body, "query")))


async def _left_chats(request: web.Request, state: EmulatorState) -> Any:
    return state.left_chats


async def _chat_messages(request: web.Request, state: EmulatorState) -> Any:
    chat = state.control_chat(_int_field(request.match_info, "chat_id"))
    after = _int_field(request.query, "after") if "after" in request.query else 0
    return [m.to_control_json() for m in chat.messages.values() if m.message_id > after]


async def _chat_actions(request: web.Request, state: EmulatorState) -> Any:
    return state.control_chat(_int_field(request.match_info, "chat_id")).chat_actions


async def _callback_answer(request: web.Request, state: EmulatorState) -> Any:
    return state.callback_answer(request.match_info["query_id"]).to_control_json()


async def _block(request: web.Request, state: EmulatorState) -> Any:
    state.set_blocked(_int_field(request.match_info, "user_id"), True)
    return {"ok": True}


async def _unblock(request: web.Request, state: EmulatorState) -> Any:
    state.set_blocked(_int_field(request.match_info, "user_id"), False)
    return {"ok": True}


async def _limits(request: web.Request, state: EmulatorState) -> Any:
    if request.method == "POST":
        body = await _json_body(request)
        settings = {**state.limiter.to_json(), **{k: v for k, v in body.items() if v is not None}}
        try:
            state.limiter.configure(
                enabled=bool(settings["enabled"]),
                global_rate=float(settings["global_rate"]),
                chat_rate=float(settings["chat_rate"]),
                chat_burst=int(settings["chat_burst"]),
            )
        except (TypeError, ValueError) as exc:
            raise ControlError(400, str(exc)) from None
    return state.limiter.to_json()


async def _faults(request: web.Request, state: EmulatorState) -> Any:
    if request.method == "POST":
        body = await _json_body(request)
        method = body.get("method")
        if not isinstance(method, str) or not method:
            raise ControlError(400, 'method is required (a Bot API method name or "*")')
        retry_after = body.get("retry_after")
        try:
            delay = float(body.get("delay") or 0)
        except (TypeError, ValueError):
            raise ControlError(400, "delay must be a number of seconds") from None
        if "status" in body and body["status"] is not None:
            status: int | None = _int_field(body, "status")
        else:
            status = None if delay else 500  # a delay alone: carried out, answered late
        state.add_fault(
            method,
            Fault(
                status=status,
                remaining=_int_field(body, "count") if "count" in body else 1,
                drop=bool(body.get("drop")),
                description=body.get("description"),
                retry_after=int(retry_after) if retry_after is not None else None,
                delay=delay,
            ),
        )
    return {method: fault.to_json() for method, fault in state.faults.items()}


async def _latency(request: web.Request, state: EmulatorState) -> Any:
    if request.method == "POST":
        body = await _json_body(request)
        try:
            latency = float(body["latency_ms"])
        except (KeyError, TypeError, ValueError):
            raise ControlError(400, "latency_ms is required (milliseconds added to each round trip)") from None
        if latency < 0:
            raise ControlError(400, "latency_ms cannot be negative")
        state.latency_ms = latency
    return {"latency_ms": state.latency_ms}


async def _stats(request: web.Request, state: EmulatorState) -> Any:
    return state.stats.to_json()


async def _commands(request: web.Request, state: EmulatorState) -> Any:
    return state.commands_json()


async def _file_bytes(request: web.Request, state: EmulatorState) -> Any:
    stored = state.files.get(request.match_info["file_id"])
    if stored is None:
        raise ControlError(404, "unknown file_id")
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


async def _reset(request: web.Request, state: EmulatorState) -> Any:
    state.reset()
    return {"ok": True}


# --------------------------------------------------------------------- application


class Emulator:
    """The emulated Telegram: state plus the aiohttp application that serves it.

    ``global_rate`` is the bot's overall limit in messages per second, ``chat_rate`` and
    ``chat_burst`` the per-chat limit; ``limits=False`` switches rate limiting off.
    ``latency_ms`` is added to every Bot API round trip (Telegram is 50-150 ms away).
    """

    def __init__(
        self,
        *,
        bot_username: str = "wegwijs_bot",
        bot_first_name: str = "Wegwijs",
        global_rate: float = 30,
        chat_rate: float = 1,
        chat_burst: int = 1,
        limits: bool = True,
        latency_ms: float = 0.0,
    ) -> None:
        self.state = EmulatorState(
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            global_rate=global_rate,
            chat_rate=chat_rate,
            chat_burst=chat_burst,
            limits=limits,
            latency_ms=latency_ms,
        )
        self._app: web.Application | None = None

    @property
    def app(self) -> web.Application:
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app[STATE_KEY] = self.state

        async def release_pollers(_: web.Application) -> None:
            self.state.close()

        app.on_shutdown.append(release_pollers)
        routes = [
            web.route("*", "/bot{token}/{method}", _bot_api),
            web.get("/file/bot{token}/{file_path:.+}", _download),
            web.post("/_control/users", _control(_register_users)),
            web.post("/_control/users/{user_id}/block", _control(_block)),
            web.post("/_control/users/{user_id}/unblock", _control(_unblock)),
            web.post("/_control/message", _control(_user_message)),
            web.post("/_control/callback", _control(_callback)),
            web.post("/_control/updates", _control(_many_updates)),
            web.get("/_control/timings", _control(_timings)),
            web.post("/_control/edit", _control(_edit)),
            web.post("/_control/group_message", _control(_group_message)),
            web.post("/_control/channel_post", _control(_channel_post)),
            web.post("/_control/my_chat_member", _control(_my_chat_member)),
            web.post("/_control/inline_query", _control(_inline_query)),
            web.get("/_control/left_chats", _control(_left_chats)),
            web.get("/_control/chats/{chat_id}/messages", _control(_chat_messages)),
            web.get("/_control/chats/{chat_id}/actions", _control(_chat_actions)),
            web.get("/_control/callbacks/{query_id}", _control(_callback_answer)),
            web.get("/_control/limits", _control(_limits)),
            web.post("/_control/limits", _control(_limits)),
            web.get("/_control/faults", _control(_faults)),
            web.post("/_control/faults", _control(_faults)),
            web.get("/_control/latency", _control(_latency)),
            web.post("/_control/latency", _control(_latency)),
            web.get("/_control/stats", _control(_stats)),
            web.get("/_control/commands", _control(_commands)),
            web.get("/_control/files/{file_id}", _control(_file_bytes)),
            web.post("/_control/reset", _control(_reset)),
            *webview.routes(lambda request: request.app[STATE_KEY]),
        ]
        app.add_routes(routes)
        return app


@dataclass(frozen=True)
class RunningEmulator:
    """A served emulator; ``api_url`` / ``file_url`` are PTB's ``base_url`` / ``base_file_url``."""

    emulator: Emulator
    host: str
    port: int

    @property
    def state(self) -> EmulatorState:
        return self.emulator.state

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.base_url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_control"


@asynccontextmanager
async def running_emulator(host: str = "127.0.0.1", port: int = 0, **options: Any) -> AsyncIterator[RunningEmulator]:
    """Serve a fresh :class:`Emulator` on ``host:port`` (0 picks a free port) until the block exits."""
    emulator = Emulator(**options)
    runner = web.AppRunner(emulator.app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        actual_port = runner.addresses[0][1]
        yield RunningEmulator(emulator=emulator, host=host, port=actual_port)
    finally:
        await runner.cleanup()


async def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    on_ready: Callable[[RunningEmulator], None] | None = None,
    **options: Any,
) -> None:
    """Run an emulator until cancelled (for ``wegwijs emulator``); ``on_ready`` gets its URLs."""
    async with running_emulator(host, port, **options) as running:
        log.info("Bot API emulator listening: base_url=%s base_file_url=%s", running.api_url, running.file_url)
        if on_ready is not None:
            on_ready(running)
        await asyncio.Event().wait()
