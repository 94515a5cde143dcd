"""Async client for the emulator's control API, for tests and the terminal demo."""

from __future__ import annotations

import asyncio
import base64
from types import TracebackType
from typing import Any

import httpx

POLL_INTERVAL = 0.02


class ControlAPIError(RuntimeError):
    """The control API refused a request (unknown user, message, bad arguments, ...)."""


def describe_messages(messages: list[dict[str, Any]]) -> str:
    """A readable one-line-per-message dump of a chat, for assertion messages."""
    lines = []
    for message in messages:
        who = "bot " if message["from_bot"] else "user"
        body = message["text"] if message["text"] is not None else message["caption"]
        line = f"  #{message['message_id']} {who} {message['kind']}: {body!r}"
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard")
        if keyboard:
            buttons = [f"{b['text']}={b.get('callback_data', b.get('url'))}" for row in keyboard for b in row]
            line += f" buttons={buttons}"
        if message["edit_count"]:
            line += f" (edited {message['edit_count']}x)"
        if message["deleted"]:
            line += " (deleted)"
        lines.append(line)
    return "\n".join(lines) or "  (no messages)"


class EmulatorClient:
    """Drive the emulator as the users would: send messages, press buttons, read the chat.

    The ``send_*`` methods return ``{"update_id", "message"}``; ``message`` is the Bot API
    Message the bot will receive. The client remembers the newest message id it has
    seen per chat (from sends and from :meth:`wait_for_bot_messages`), which is the
    default starting point of the next wait.
    """

    def __init__(self, control_url: str, *, timeout: float = 10.0) -> None:
        self.control_url = control_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.control_url, timeout=timeout)
        self._last_seen: dict[int, int] = {}

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self._http.request(method, path, **kwargs)
        if response.is_error:
            try:
                detail = response.json().get("error", response.text)
            except ValueError:
                detail = response.text
            raise ControlAPIError(f"{method} {path} -> {response.status_code}: {detail}")
        return response

    async def _get(self, path: str, **params: Any) -> Any:
        return (await self._request("GET", path, params=params)).json()

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return (await self._request("POST", path, json=body or {})).json()

    def _seen(self, chat_id: int, message_id: int) -> None:
        self._last_seen[chat_id] = max(self._last_seen.get(chat_id, 0), message_id)

    # ------------------------------------------------------------------ users

    async def register_user(self, user_id: int, first_name: str | None = None, **fields: Any) -> dict[str, Any]:
        """Make ``user_id`` a user who has opened a chat with the bot (fields: last_name, username, language_code)."""
        return await self._post("/users", {"user_id": user_id, "first_name": first_name, **fields})

    async def register_users(self, users: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Register many users in one request; each dict has ``user_id`` and optional user fields."""
        return await self._post("/users", {"users": users})

    async def block(self, user_id: int) -> None:
        await self._post(f"/users/{user_id}/block")

    async def unblock(self, user_id: int) -> None:
        await self._post(f"/users/{user_id}/unblock")

    # ------------------------------------------------------------------ user actions

    async def _send(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        sent = await self._post("/message", {"user_id": user_id, **body})
        self._seen(user_id, sent["message"]["message_id"])
        return sent

    async def send_text(self, user_id: int, text: str, **user_fields: Any) -> dict[str, Any]:
        return await self._send(user_id, {"text": text, **user_fields})

    async def send_sticker(self, user_id: int, **user_fields: Any) -> dict[str, Any]:
        return await self._send(user_id, {"sticker": True, **user_fields})

    async def send_photo(
        self, user_id: int, data: bytes, caption: str | None = None, **user_fields: Any
    ) -> dict[str, Any]:
        return await self._send(user_id, {"photo": _b64(data), "caption": caption, **user_fields})

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        **user_fields: Any,
    ) -> dict[str, Any]:
        document = {"data": _b64(data), "file_name": file_name, "mime_type": mime_type}
        return await self._send(user_id, {"document": document, "caption": caption, **user_fields})

    async def send_voice(
        self, user_id: int, data: bytes, caption: str | None = None, **user_fields: Any
    ) -> dict[str, Any]:
        return await self._send(user_id, {"voice": _b64(data), "caption": caption, **user_fields})

    async def send_video_note(self, user_id: int, data: bytes, **user_fields: Any) -> dict[str, Any]:
        return await self._send(user_id, {"video_note": _b64(data), **user_fields})

    async def send_animation(self, user_id: int, data: bytes, **user_fields: Any) -> dict[str, Any]:
        return await self._send(user_id, {"animation": _b64(data), **user_fields})

    async def send_attachment(self, user_id: int, kind: str, **fields: Any) -> dict[str, Any]:
        """A message without a file (location, contact, dice, poll); Bot API fields, defaults for the rest."""
        return await self._send(user_id, {kind: fields})

    async def edit_message(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits their own text message; returns ``{"update_id"}`` of the ``edited_message``."""
        return await self._post("/edit", {"user_id": user_id, "message_id": message_id, "text": text})

    async def send_group_message(
        self, user_id: int, chat_id: int, text: str, chat_type: str = "group", title: str = "Group"
    ) -> dict[str, Any]:
        """A text in a group (negative ``chat_id``); returns ``{"update_id"}``."""
        body = {"user_id": user_id, "chat_id": chat_id, "text": text, "chat_type": chat_type, "title": title}
        return await self._post("/group_message", body)

    async def send_channel_post(self, chat_id: int, text: str, title: str = "Channel") -> dict[str, Any]:
        return await self._post("/channel_post", {"chat_id": chat_id, "text": text, "title": title})

    async def my_chat_member(
        self, user_id: int, *, new: str, old: str = "member", chat_id: int | None = None, chat_type: str = "private"
    ) -> dict[str, Any]:
        """The bot's membership changes (member, administrator, left, kicked) in a private chat or a group."""
        body = {"user_id": user_id, "chat_id": chat_id, "chat_type": chat_type, "old": old, "new": new}
        return await self._post("/my_chat_member", body)

    async def inline_query(self, user_id: int, query: str) -> dict[str, Any]:
        return await self._post("/inline_query", {"user_id": user_id, "query": query})

    async def left_chats(self) -> list[int]:
        """The chats the bot has left (leaveChat), in order."""
        return await self._get("/left_chats")

    async def press(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """Press a button (real or forged) on a bot message; returns ``{"update_id", "callback_query_id"}``."""
        return await self._post("/callback", {"user_id": user_id, "message_id": message_id, "data": data})

    async def send_many(self, updates: list[dict[str, Any]]) -> list[int]:
        """Many updates in one request: ``{user_id, text}`` or ``{user_id, message_id, data}``; their ids."""
        return await self._post("/updates", {"updates": updates})

    async def timings(self) -> list[dict[str, Any]]:
        """``{update_id, chat_id, received, answered}`` for every update from a person (see AnswerTiming)."""
        return await self._get("/timings")

    # ------------------------------------------------------------------ reading the chat

    async def messages(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        return await self._get(f"/chats/{chat_id}/messages", after=after)

    async def bot_messages(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        return [m for m in await self.messages(chat_id, after) if m["from_bot"]]

    async def chat_actions(self, chat_id: int) -> list[str]:
        return await self._get(f"/chats/{chat_id}/actions")

    async def wait_for_bot_messages(
        self, chat_id: int, count: int = 1, after: int | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until at least ``count`` bot messages newer than ``after`` exist and return them all.

        ``after`` defaults to the newest message id this client has seen in the chat.
        Raises AssertionError with a dump of the chat on timeout.
        """
        if after is None:
            if chat_id not in self._last_seen:
                raise ValueError("pass after=<message_id>: this client has not seen any message in the chat yet")
            after = self._last_seen[chat_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = await self.bot_messages(chat_id, after)
            if len(found) >= count:
                self._seen(chat_id, found[-1]["message_id"])
                return found
            if loop.time() >= deadline:
                chat = await self.messages(chat_id)
                raise AssertionError(
                    f"expected {count} bot message(s) after #{after} in chat {chat_id} within {timeout}s, "
                    f"got {len(found)}. Chat so far:\n{describe_messages(chat)}"
                )
            await asyncio.sleep(POLL_INTERVAL)

    async def callback_answer(self, callback_query_id: str) -> dict[str, Any]:
        """The bot's answer: ``{"answered", "text", "show_alert", "url"}``."""
        return await self._get(f"/callbacks/{callback_query_id}")

    async def file_bytes(self, file_id: str) -> bytes:
        return (await self._request("GET", f"/files/{file_id}")).content

    # ------------------------------------------------------------------ emulator settings

    async def set_limits(
        self,
        *,
        enabled: bool | None = None,
        global_rate: float | None = None,
        chat_rate: float | None = None,
        chat_burst: int | None = None,
    ) -> dict[str, Any]:
        body = {"enabled": enabled, "global_rate": global_rate, "chat_rate": chat_rate, "chat_burst": chat_burst}
        return await self._post("/limits", body)

    async def inject_fault(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        *,
        drop: bool = False,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> dict[str, Any]:
        """Fail the next ``count`` calls of ``method`` ("*" = any) with ``status``, or drop the connection."""
        body = {
            "method": method,
            "status": status,
            "count": count,
            "drop": drop,
            "description": description,
            "retry_after": retry_after,
        }
        return await self._post("/faults", body)

    async def answer_late(self, method: str, seconds: float, count: int = 1) -> dict[str, Any]:
        """Carry out the next ``count`` calls of ``method`` as usual, but answer each ``seconds`` late."""
        return await self._post("/faults", {"method": method, "count": count, "delay": seconds})

    async def set_latency(self, milliseconds: float) -> dict[str, Any]:
        """Add this much to every Bot API round trip from now on."""
        return await self._post("/latency", {"latency_ms": milliseconds})

    async def stats(self) -> dict[str, Any]:
        return await self._get("/stats")

    async def commands(self) -> list[dict[str, Any]]:
        return await self._get("/commands")

    async def reset(self) -> None:
        await self._post("/reset")
        self._last_seen.clear()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
