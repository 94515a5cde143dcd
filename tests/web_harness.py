"""Talking to the web chat over HTTP as a browser would: a session cookie, JSON posts, the event stream.

``web_chat(...)`` serves a web chat on a free port (the browser tests start it
the same way); a ``WebPerson`` is one browser: ``hello()`` opens the session,
``open_page()`` starts reading the event stream, ``post(...)`` sends what the
person does, ``wait_for(n)`` waits for the page to have shown ``n`` messages.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

from bot.channels.web.server import COOKIE

STREAM_TIMEOUT = 5.0


@dataclass
class Event:
    data: dict[str, Any]
    id: str | None = None
    name: str = "message"


@dataclass
class WebPerson:
    base_url: str
    accept_language: str = "en"
    session: aiohttp.ClientSession = field(init=False)
    shown: list[Event] = field(default_factory=list)
    last_event_id: str | None = None
    stream_ended: bool = False
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _reader: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        # unsafe=True: keep cookies from an IP address (127.0.0.1), as a browser does.
        self.session = aiohttp.ClientSession(
            self.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": self.accept_language}
        )

    @property
    def token(self) -> str | None:
        cookie = self.session.cookie_jar.filter_cookies(URL(self.base_url)).get(COOKIE)
        return cookie.value if cookie else None

    async def hello(self) -> dict[str, Any]:
        async with self.session.post("/api/hello", json={}) as response:
            assert response.status == 200
            return await response.json()

    async def post(self, body: Any = None, *, raw: bytes | None = None, content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.session.post("/api/turn", data=data, headers={"Content-Type": content_type}) as response:
            return response.status, await response.json()

    async def open_page(self) -> None:
        """Start reading the event stream, as the page does when it opens (or reconnects)."""
        headers = {"Last-Event-ID": self.last_event_id} if self.last_event_id else {}
        response = await self.session.get("/api/events", headers=headers)
        assert response.status == 200, await response.text()
        self.stream_ended = False
        self._reader = asyncio.create_task(self._read(response))

    async def close_page(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except asyncio.CancelledError:
                pass
            self._reader = None

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        fields: dict[str, str] = {}
        try:
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith(":"):
                    continue
                if line:
                    name, _, value = line.partition(": ")
                    fields[name] = value
                    continue
                if "data" in fields:
                    event = Event(data=json.loads(fields["data"]), id=fields.get("id"), name=fields.get("event", "message"))
                    async with self._changed:
                        if event.id is not None:
                            self.last_event_id = event.id
                        if event.name == "message":
                            self.shown.append(event)
                        self._changed.notify_all()
                fields = {}
        finally:
            response.close()
            async with self._changed:
                self.stream_ended = True
                self._changed.notify_all()

    async def wait_for(self, count: int, timeout: float = STREAM_TIMEOUT) -> list[Event]:
        """The messages shown once there are ``count`` of them."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.shown) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.shown[:count]

    async def wait_ended(self, timeout: float = STREAM_TIMEOUT) -> None:
        async def ended() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self.stream_ended)

        await asyncio.wait_for(ended(), timeout)

    async def close(self) -> None:
        await self.close_page()
        await self.session.close()


@asynccontextmanager
async def web_person(base_url: str, accept_language: str = "en") -> AsyncIterator[WebPerson]:
    person = WebPerson(base_url, accept_language)
    try:
        yield person
    finally:
        await person.close()
