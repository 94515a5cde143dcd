"""What the core says to a person, and what it needs from a channel to say it.

A channel (Telegram, the web chat, ...) turns an ``Outgoing`` into its own
messages and buttons, and its own failures into the errors below, which the
dispatcher handles the same way for every channel. Nothing here knows any
channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Button:
    """A button under a message: its label, and the action it brings back when pressed.

    ``action`` is the button data, ``<action>:<argument>``; its shapes are
    declared in ``bot/screens/buttons.py``. A button with a ``url`` opens that
    address instead (a map) and brings nothing back; its ``action`` is empty.
    """

    label: str
    action: str
    url: str | None = None

    @classmethod
    def link(cls, label: str, url: str) -> Button:
        return cls(label, "", url)


Keyboard = tuple[tuple[Button, ...], ...]
"""Rows of buttons, top to bottom."""


def as_keyboard(rows: Iterable[Iterable[Button]]) -> Keyboard:
    """Rows built as lists, as a ``Keyboard``."""
    return tuple(tuple(row) for row in rows)


@dataclass(frozen=True)
class Attachment:
    """A file a person or a klantmanager sent, to be passed on.

    ``ref`` is the channel's own reference (Telegram's file_id, the web chat's
    stored file), meaningful to ``channel``; another channel asks that one for
    the bytes (``Channel.file_bytes``).
    """

    kind: str  # "photo", "document" or "voice"
    channel: str
    ref: str
    file_name: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message to a person.

    ``html`` is the core's rich text: Telegram's HTML subset (b, i, u, s, a,
    code, pre, blockquote), of any length; a channel splits it as it must.
    Buttons go under the last part; a voice recording or a file follows the text.
    """

    html: str
    keyboard: Keyboard = ()
    voice: Path | None = None
    attachment: Attachment | None = None
    source: str | None = None
    """In the bilingual view, the Dutch text that ``html`` ends with (after a line break): a
    channel that can mark the language of a part (the web chat) marks it; others show ``html``."""


@dataclass(frozen=True)
class Sent:
    """What a channel answers for a message it delivered: its id there, for replies and edits."""

    channel: str
    message_ref: str


class ChannelError(Exception):
    """A send that did not go through; the subclasses say what the dispatcher does next."""


class Blocked(ChannelError):
    """The person blocked us or is gone from the channel: stop sending until they write again."""


class RetryLater(ChannelError):
    """The channel asks us to slow down or is briefly unreachable: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {retry_after} s")
        self.retry_after = retry_after


class Unreachable(RetryLater):
    """The channel could not be reached, or failed on its side (no connection, a server error).

    Tried again with doubling waits, each a failed attempt, then failed for
    good (``Settings.send_attempts``); ``retry_after`` is 0: the dispatcher
    picks the wait.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(0.0, reason)


class Rejected(ChannelError):
    """The channel refused this message for good (malformed, too large): do not send it again."""


class InDoubt(ChannelError):
    """No answer came in time: the message may or may not have arrived, so it is not sent again."""


class Channel(Protocol):
    """How the core reaches people through one channel. ``address`` is the person's id in that channel."""

    name: str

    async def send(self, address: str, message: Outgoing) -> Sent: ...

    async def send_document(self, address: str, file_name: str, data: bytes, caption: str) -> Sent:
        """A file made for the person (their data export) from its bytes, under ``caption`` (rich text)."""
        ...

    async def file_bytes(self, attachment: Attachment) -> bytes: ...
