"""The web chat as a channel of the core: messages are stored, then pushed to open pages.

``WebChannel.send`` stores the message (so a page that is closed now shows it
when it opens) and wakes the pages of that address that are open; the server
(``server.py``) streams them. After ``/delete`` the session is gone but the
farewell still has to reach the page that asked: a message to an address
without a session is handed to its open pages only, and stored nowhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from html import escape
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.channels.web import store
from bot.channels.web.sanitize import safe_html
from bot.channels.web.spec import NAME
from bot.core.channel import Attachment, Blocked, Channel, Keyboard, Outgoing, Rejected, Sent
from bot.core.services import Services
from bot.people.users import get_user
from bot.texts.render import is_right_to_left

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Passing:
    """A message for an open page that is stored nowhere (its person was just erased)."""

    lang: str | None
    html: str
    keyboard: Keyboard


@dataclass(frozen=True)
class Wake:
    """Something new is stored for this page: read it from the database."""


CLOSE = None
"""Put on a page's queue when the server stops: the stream ends."""

PageItem = Passing | Wake | None


class Pages:
    """The pages open now, per address: each has a queue of wake-ups and passing messages."""

    def __init__(self) -> None:
        self._open: dict[str, set[asyncio.Queue[PageItem]]] = {}
        self._language: dict[str, str] = {}
        """The language of the last message each open page got: a passing message (a farewell
        after ``/delete``) has no person left to ask."""

    @contextmanager
    def listen(self, address: str) -> Iterator[asyncio.Queue[PageItem]]:
        queue: asyncio.Queue[PageItem] = asyncio.Queue()
        self._open.setdefault(address, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._open.get(address, set())
            queues.discard(queue)
            if not queues:
                self._open.pop(address, None)
                self._language.pop(address, None)

    def is_open(self, address: str) -> bool:
        return bool(self._open.get(address))

    def note_language(self, address: str, lang: str | None) -> None:
        """Remember the language of what an open page was last sent."""
        if lang and self.is_open(address):
            self._language[address] = lang

    def language(self, address: str) -> str | None:
        return self._language.get(address)

    def put(self, address: str, item: PageItem) -> None:
        for queue in self._open.get(address, ()):
            queue.put_nowait(item)

    def close_all(self) -> None:
        for address in list(self._open):
            self.put(address, CLOSE)


FOREIGN_MIME = {"photo": "image/jpeg", "voice": "audio/ogg"}
"""What a file from another channel is served as (Telegram sends photos as JPEG, voice as Ogg/Opus)."""


class WebChannel:
    """``bot.core.channel.Channel`` for the web chat. ``address`` is a session's address.

    ``channels`` are the core's channels by name: a file that came through
    another one (a klantmanager's photo from Telegram) is fetched from it and
    kept in the web chat, so the person can open it here.
    """

    name = NAME

    def __init__(self, services: Services, pages: Pages, channels: Mapping[str, Channel]) -> None:
        self.services = services
        self.pages = pages
        self.channels = channels

    async def send(self, address: str, message: Outgoing) -> Sent:
        attachment = message.attachment
        file_id = None
        if attachment is not None:
            file_id = await self._file_here(address, attachment)
        html = self._page_html(message)
        return self._store(address, html, message.keyboard, file_id=file_id, voice=self._voice(message.voice))

    def _page_html(self, message: Outgoing) -> str:
        """The message made safe for the page; the Dutch part of the bilingual view in a block marked
        as Dutch (its own ``lang`` and ``dir``), so a screen reader does not read it as the person's language."""
        source = message.source
        if not source or not message.html.endswith(f"\n{source}"):
            return safe_html(message.html)
        own = message.html[: -len(source)]
        lang = self.services.renderer.journey.source_language
        direction = "rtl" if is_right_to_left(self.services.renderer.journey.locale(lang)) else "ltr"
        return f'{safe_html(own)}<div lang="{escape(lang)}" dir="{direction}">{safe_html(source)}</div>'

    async def _file_here(self, address: str, attachment: Attachment) -> int:
        """The web file for an attachment: ours already, or copied from the channel it came through."""
        if attachment.channel == NAME:
            return int(attachment.ref)
        source = self.channels.get(attachment.channel)
        if source is None:
            raise Rejected(f"a {attachment.kind} from {attachment.channel}, a channel this process does not run")
        content = await source.file_bytes(attachment)
        s = self.services
        session = store.session_at(s.db, address)
        if session is None:
            raise Blocked(f"no web chat session at {address}")
        name = attachment.file_name or attachment.kind
        mime = FOREIGN_MIME.get(attachment.kind, "application/octet-stream")
        return store.add_file(s.db, session, attachment.kind, name, mime, content, s.clock.now())

    async def send_document(self, address: str, file_name: str, data: bytes, caption: str) -> Sent:
        """A file made for the person (their data export), with a caption in the core's rich text."""
        s = self.services
        session = store.session_at(s.db, address)
        if session is None:
            raise Blocked(f"no web chat session at {address}")
        file_id = store.add_file(s.db, session, "document", file_name, "application/json", data, s.clock.now())
        return self._store(address, safe_html(caption), (), file_id=file_id)

    async def file_bytes(self, attachment: Attachment) -> bytes:
        content = store.file_content(self.services.db, int(attachment.ref))
        if content is None:
            raise Rejected(f"web chat file {attachment.ref} is gone (erased with its person)")
        return content

    def _voice(self, recording: Path | None) -> str | None:
        """A recording's path inside the content folder (the page fetches it by message), or None."""
        if recording is None:
            return None
        try:
            return recording.resolve().relative_to(self.services.settings.content_dir.resolve()).as_posix()
        except ValueError:
            log.warning("a recording outside the content folder is not offered in the web chat: %s", recording)
            return None

    def _store(self, address: str, html: str, keyboard: Keyboard, *, file_id: int | None = None, voice: str | None = None) -> Sent:
        """Keep a message (``html`` already made safe for the page) and wake the address's open pages."""
        s = self.services
        session = store.session_at(s.db, address)
        if session is None:
            if not self.pages.is_open(address):
                raise Blocked(f"no web chat session at {address}")
            self.pages.put(address, Passing(lang=self.pages.language(address), html=html, keyboard=keyboard))
            return Sent(channel=NAME, message_ref="")
        user = get_user(s.db, session.user_id)
        lang = user.lang if user is not None else None
        self.pages.note_language(address, lang)
        message_id = store.add_message(s.db, session, lang, html, keyboard, s.clock.now(), file_id=file_id, voice=voice)
        self.pages.put(address, Wake())
        return Sent(channel=NAME, message_ref=str(message_id))
