"""In-memory model of the emulated Telegram: users, chats, messages, files and updates.

The operations here enforce Telegram's rules (limits, error strings, rate limits)
on already-typed arguments; turning HTTP parameters into those arguments is the
job of :mod:`bot.emulator.server`. Every operation validates first and mutates
last, so a rejected call never leaves a message, file or token behind.
"""

from __future__ import annotations

import asyncio
import json
import math
import mimetypes
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from bot.channels.telegram.telegram_html import (
    TelegramHTMLError,
    parse_telegram_html_entities,
    strip_formatted_text,
    utf16_len,
)

DEFAULT_BOT_ID = 1000001
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# kind -> (download folder, default extension)
_FILE_LAYOUT = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "voice": ("voice", ".oga"),
    "sticker": ("stickers", ".webp"),
    "video_note": ("video_notes", ".mp4"),
    "animation": ("animations", ".mp4"),
}
VIDEO_NOTE_LENGTH = 240
ANIMATION_SIZE = (320, 240)
_BOT_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
MEMBER_STATUSES = ("member", "administrator", "left", "kicked")


def _poll(fields: dict[str, Any]) -> dict[str, Any]:
    options = fields.get("options") or ["Yes", "No"]
    return {
        "id": str(fields.get("id") or secrets.randbits(40)),
        "question": str(fields.get("question") or "?"),
        "options": [{"text": str(text), "voter_count": 0, "persistent_id": str(n)} for n, text in enumerate(options)],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }


# Messages without a file: kind -> the Bot API object built from the fields given (defaults for the rest).
ATTACHMENTS = {
    "location": lambda f: {"latitude": float(f.get("latitude", 52.37)), "longitude": float(f.get("longitude", 4.89))},
    "contact": lambda f: {
        "phone_number": str(f.get("phone_number", "+31600000000")),
        "first_name": str(f.get("first_name", "Contact")),
    },
    "dice": lambda f: {"emoji": str(f.get("emoji", "🎲")), "value": int(f.get("value", 1))},
    "poll": _poll,
}


class BotAPIError(Exception):
    """A Bot API call Telegram would refuse; rendered as ``{"ok": false, ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")


class ControlError(Exception):
    """A control API request that cannot be served (unknown user, message, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def chat_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class Upload:
    """File content received in a multipart request, not yet stored."""

    data: bytes
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo | document | voice | sticker
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0

    def to_json(self) -> dict[str, Any]:
        """The kind-specific Bot API object (PhotoSize, Document, Voice or Sticker)."""
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.kind in ("photo", "sticker"):
            data.update(width=self.width, height=self.height)
        if self.kind == "sticker":
            data.update(type="regular", is_animated=False, is_video=False)
        if self.kind == "voice":
            data["duration"] = self.duration
        if self.kind == "video_note":
            data.update(length=VIDEO_NOTE_LENGTH, duration=self.duration)
        if self.kind == "animation":
            width, height = ANIMATION_SIZE
            data.update(width=width, height=height, duration=self.duration, mime_type="video/mp4")
        if self.kind == "document" and self.file_name is not None:
            data["file_name"] = self.file_name
        if self.kind in ("document", "voice") and self.mime_type is not None:
            data["mime_type"] = self.mime_type
        if self.data:
            data["file_size"] = len(self.data)
        return data


@dataclass
class StoredMessage:
    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    kind: str  # text | photo | document | voice | sticker | video_note | animation, or one of ATTACHMENTS
    text: str | None = None
    caption: str | None = None
    entities: list[dict] = field(default_factory=list)  # of the text or the caption
    html: str | None = None  # text or caption exactly as sent
    parse_mode: str | None = None
    file: StoredFile | None = None
    attachment: dict | None = None  # the Bot API object of a location, contact, dice or poll
    sticker_emoji: str | None = None
    reply_markup: dict | None = None
    reply_to_message_id: int | None = None
    link_preview_options: dict | None = None
    disable_notification: bool = False
    protect_content: bool = False
    forward_origin: dict | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False

    def to_control_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "kind": self.kind,
            "text": self.text,
            "caption": self.caption,
            "html": self.html,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "file_id": self.file.file_id if self.file else None,
            "file_name": self.file.file_name if self.file else None,
            "mime_type": self.file.mime_type if self.file else None,
            "date": self.date,
            "edit_count": self.edit_count,
            "reply_to_message_id": self.reply_to_message_id,
            "link_preview_options": self.link_preview_options,
            "disable_notification": self.disable_notification,
            "protect_content": self.protect_content,
            "forwarded": self.forward_origin is not None,
            "deleted": self.deleted,
        }


@dataclass
class Chat:
    """A private chat; its id is the user's id and message ids are shared by both sides."""

    user: User
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    chat_actions: list[str] = field(default_factory=list)
    last_message_id: int = 0

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

    def to_control_json(self) -> dict[str, Any]:
        return {"answered": self.answered, "text": self.text, "show_alert": self.show_alert, "url": self.url}


@dataclass(frozen=True)
class SendOptions:
    """Options shared by every method that sends a message."""

    reply_markup: dict | None = None
    reply_to_message_id: int | None = None
    allow_sending_without_reply: bool = False
    disable_notification: bool = False
    protect_content: bool = False


class TokenBucket:
    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.wait_time(now)
        self.tokens -= 1


class RateLimiter:
    """Telegram's flood control for sent messages: one global and one per-chat bucket."""

    def __init__(self, *, enabled: bool, global_rate: float, chat_rate: float, chat_burst: int) -> None:
        self.configure(enabled=enabled, global_rate=global_rate, chat_rate=chat_rate, chat_burst=chat_burst)

    def configure(self, *, enabled: bool, global_rate: float, chat_rate: float, chat_burst: int) -> None:
        if global_rate <= 0 or chat_rate <= 0 or chat_burst < 1:
            raise ValueError("rates must be positive and chat_burst at least 1")
        self.enabled = enabled
        self.global_rate = float(global_rate)
        self.chat_rate = float(chat_rate)
        self.chat_burst = int(chat_burst)
        self._global = TokenBucket(self.global_rate, self.global_rate, time.monotonic())
        self._chats: dict[int, TokenBucket] = {}

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "global_rate": self.global_rate,
            "chat_rate": self.chat_rate,
            "chat_burst": self.chat_burst,
        }

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(self.chat_rate, self.chat_burst, now)
        return bucket

    def retry_after(self, chat_id: int) -> int | None:
        """Whole seconds (>= 1) until a message to ``chat_id`` would pass, or None if it passes now."""
        if not self.enabled:
            return None
        now = time.monotonic()
        wait = max(self._global.wait_time(now), self._chat_bucket(chat_id, now).wait_time(now))
        return max(1, math.ceil(wait)) if wait > 0 else None

    def consume(self, chat_id: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        self._global.take(now)
        self._chat_bucket(chat_id, now).take(now)


@dataclass
class Fault:
    """Make the next ``remaining`` calls of a method fail with ``status`` or a dropped connection.

    ``delay``: seconds before the answer. With ``status`` None the call is carried
    out as usual (the message is delivered) and only its answer comes late: a
    slow Telegram, which a client that gives up early may take for a failure.
    """

    status: int | None
    remaining: int
    drop: bool = False
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0

    def error(self) -> BotAPIError | None:
        """The error to answer with; None when the call itself succeeds (a delay only)."""
        if self.status is None:
            return None
        description = self.description or _default_fault_description(self.status)
        return BotAPIError(self.status, description, self.retry_after)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "remaining": self.remaining, "drop": self.drop, "delay": self.delay}


def _default_fault_description(status: int) -> str:
    return {
        400: "Bad Request: injected fault",
        403: "Forbidden: injected fault",
        409: "Conflict: injected fault",
        429: "Too Many Requests: retry later",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, "Internal Server Error")


@dataclass
class Stats:
    method_calls: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        keys = (
            "sent_messages",
            "edited_messages",
            "deleted_messages",
            "callback_answers",
            "chat_actions",
            "updates_enqueued",
            "updates_delivered",
            "rejected_400",
            "rejected_403",
            "rejected_429",
            "faults_injected",
        )
        result: dict[str, Any] = {"method_calls": dict(self.method_calls)}
        result.update({key: self.events[key] for key in keys})
        result.update({key: value for key, value in self.events.items() if key not in result})
        return result


@dataclass
class AnswerTiming:
    """When an update from a person arrived and when the bot first answered in that chat.

    Times are ``time.monotonic()`` seconds. Each message (or edit) the bot
    makes in a chat answers the oldest update of that chat not answered yet:
    exact when the bot answers every update with one message, as in
    ``bench/incoming.py``.
    """

    update_id: int
    chat_id: int
    received: float
    answered: float | None = None
    finished: float | None = None
    """The bot's last message in the chat before the person's next update (an answer in parts)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "update_id": self.update_id,
            "chat_id": self.chat_id,
            "received": self.received,
            "answered": self.answered,
            "finished": self.finished,
        }


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; (0, 0) for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 <= len(data) and data[pos] == 0xFF:
            marker = data[pos + 1]
            segment_length = int.from_bytes(data[pos + 2:pos + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return int.from_bytes(data[pos + 7:pos + 9], "big"), int.from_bytes(data[pos + 5:pos + 7], "big")
            pos += 2 + segment_length
    return 0, 0


def validate_reply_markup(markup: Any) -> dict | None:
    """Check a reply markup the way Telegram does; an empty inline keyboard means none."""
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
        for row in rows:
            for button in row:
                _validate_inline_button(button)
        return markup if any(rows) else None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, str) and not (isinstance(button, dict) and isinstance(button.get("text"), str)):
                    raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
    actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def format_text(
    raw: str, parse_mode: str | None, entities: list[dict] | None, *, limit: int, too_long: str
) -> tuple[str, list[dict]]:
    """Apply a parse mode, trim like Telegram and enforce the length limit (in characters)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            text, parsed = parse_telegram_html_entities(raw)
        except TelegramHTMLError as exc:
            raise bad_request(f"can't parse entities: {exc.description}") from None
    elif mode == "":
        text, parsed = raw, list(entities or [])
    else:
        raise bad_request("unsupported parse_mode")
    text, parsed = strip_formatted_text(text, parsed)
    if len(text) > limit:
        raise bad_request(too_long)
    return text, parsed


def _bot_command_entities(text: str) -> list[dict]:
    """A bot_command entity for a leading "/command" (optionally "/command@bot"), as Telegram adds."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    if len(command) < 2:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def _scope_key(scope: dict | None, language_code: str | None) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""


class EmulatorState:
    """Everything the emulated Telegram knows. Not thread-safe: use from one event loop."""

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
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bot_id = DEFAULT_BOT_ID
        self._limit_defaults = {
            "enabled": limits,
            "global_rate": global_rate,
            "chat_rate": chat_rate,
            "chat_burst": chat_burst,
        }
        self.latency_ms = latency_ms
        """Added to every Bot API round trip: half before the call is carried out, half after."""
        self._last_update_id = 0  # survives reset() so pollers' offsets stay valid
        self._update_event = asyncio.Event()
        self._poll_generation = 0
        self.closing = False
        self.reset()

    def reset(self) -> None:
        """Forget users, chats, files, updates, faults and statistics; restore default limits."""
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.group_message_ids: Counter = Counter()
        self.left_chats: list[int] = []
        self.updates: list[dict[str, Any]] = []
        self.faults: dict[str, Fault] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.webhook_url = ""
        self.allowed_updates: list[str] | None = None
        self.stats = Stats()
        self.limiter = RateLimiter(**self._limit_defaults)
        self._file_seq = 0
        self.timings: list[AnswerTiming] = []
        self._unanswered: dict[int, deque[AnswerTiming]] = {}
        self._last_answered: dict[int, AnswerTiming] = {}

    def close(self) -> None:
        """Release pending long polls (they return no updates) so the server can stop promptly."""
        self.closing = True
        self._wake_pollers()

    # ----------------------------------------------------------------- bot identity

    def use_token(self, token: str) -> None:
        """Derive the bot's id from a token like Telegram does ("<bot id>:<secret>")."""
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() and int(prefix) > 0 else DEFAULT_BOT_ID

    def bot_json(self, full: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }
        if full:
            data.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return data

    # ----------------------------------------------------------------- users and chats

    def register_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """Create (or update) a user who has opened a private chat with the bot."""
        user = self.users.get(user_id)
        if user is None:
            user = User(id=user_id, first_name=first_name or f"User {user_id}")
            self.users[user_id] = user
            self.chats[user_id] = Chat(user=user)
        elif first_name:
            user.first_name = first_name
        for key, value in (("last_name", last_name), ("username", username), ("language_code", language_code)):
            if value is not None:
                setattr(user, key, value)
        return user

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        self._control_user(user_id).blocked = blocked

    def _control_user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(404, f"unknown user {user_id}")
        return user

    def control_chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ControlError(404, f"unknown chat {chat_id}")
        return chat

    def _chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, chat_id: int) -> Chat:
        chat = self._chat(chat_id)
        if chat.user.blocked:
            raise BotAPIError(403, "Forbidden: bot was blocked by the user")
        return chat

    # ----------------------------------------------------------------- files

    def lookup_file(self, file_id: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return stored

    def _resolve_file(self, kind: str, source: Upload | str | None) -> Upload | StoredFile:
        if source is None:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(source, Upload):
            if not source.data:
                raise bad_request("file must be non-empty")
            return source
        stored = self.files.get(source)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _store_file(self, kind: str, upload: Upload, duration: int = 0) -> StoredFile:
        self._file_seq += 1
        folder, default_ext = _FILE_LAYOUT[kind]
        mime_type = upload.mime_type
        if kind == "document" and (not mime_type or mime_type == "application/octet-stream") and upload.file_name:
            mime_type = mimetypes.guess_type(upload.file_name)[0] or mime_type
        if kind == "voice":
            mime_type = mime_type or "audio/ogg"
        ext = PurePosixPath(upload.file_name or "").suffix if kind == "document" else default_ext
        width, height = image_size(upload.data) if kind == "photo" else (0, 0)
        stored = StoredFile(
            file_id=f"EMU{kind[:2].upper()}{self._file_seq:07d}{secrets.token_hex(6)}",
            file_unique_id=f"U{self._file_seq:07d}{secrets.token_hex(3)}",
            kind=kind,
            data=upload.data,
            file_path=f"{folder}/file_{self._file_seq}{ext}",
            file_name=upload.file_name if kind == "document" else None,
            mime_type=mime_type if kind in ("document", "voice") else None,
            width=width,
            height=height,
            duration=duration,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file_json(self, file_id: str) -> dict[str, Any]:
        stored = self.lookup_file(file_id)
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ----------------------------------------------------------------- rendering

    def message_json(self, message: StoredMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API Message object for a stored message (its current version)."""
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_json() if message.from_bot else chat.user.to_json(),
            "chat": chat.user.chat_json(),
            "date": message.date,
        }
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.protect_content:
            data["has_protected_content"] = True
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
            if message.link_preview_options:
                data["link_preview_options"] = message.link_preview_options
        if message.file is not None:
            file_data = message.file.to_json()
            if message.kind == "photo":
                data["photo"] = [file_data]
            elif message.kind == "sticker":
                data["sticker"] = {**file_data, "emoji": message.sticker_emoji} if message.sticker_emoji else file_data
            else:
                data[message.kind] = file_data
        if message.attachment is not None:
            data[message.kind] = message.attachment
        if message.caption is not None:
            data["caption"] = message.caption
            if message.entities:
                data["caption_entities"] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if with_reply and message.reply_to_message_id is not None:
            target = chat.messages.get(message.reply_to_message_id)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_json(target, with_reply=False)
        return data

    # ----------------------------------------------------------------- sending

    def _check_reply_target(self, chat: Chat, options: SendOptions) -> int | None:
        reply_to = options.reply_to_message_id
        if reply_to is None:
            return None
        target = chat.messages.get(reply_to)
        if target is None or target.deleted:
            if options.allow_sending_without_reply:
                return None
            raise bad_request("message to be replied not found")
        return reply_to

    def _check_rate(self, chat_id: int) -> None:
        retry_after = self.limiter.retry_after(chat_id)
        if retry_after is not None:
            raise BotAPIError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _add_bot_message(self, chat: Chat, options: SendOptions, reply_to: int | None, **content: Any) -> StoredMessage:
        self.limiter.consume(chat.user.id)
        message = StoredMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.user.id,
            from_bot=True,
            date=int(time.time()),
            reply_markup=options.reply_markup,
            reply_to_message_id=reply_to,
            disable_notification=options.disable_notification,
            protect_content=options.protect_content,
            **content,
        )
        chat.messages[message.message_id] = message
        self.stats.events["sent_messages"] += 1
        self._answered(chat.user.id)
        return message

    def send_text(
        self,
        chat_id: int,
        text: str | None,
        *,
        parse_mode: str | None = None,
        entities: list[dict] | None = None,
        link_preview_options: dict | None = None,
        options: SendOptions = SendOptions(),
    ) -> StoredMessage:
        chat = self._writable_chat(chat_id)
        visible, parsed = format_text(
            text or "", parse_mode, entities, limit=MAX_TEXT_LENGTH, too_long="message is too long"
        )
        if not visible:
            raise bad_request("message text is empty")
        reply_to = self._check_reply_target(chat, options)
        self._check_rate(chat_id)
        return self._add_bot_message(
            chat,
            options,
            reply_to,
            kind="text",
            text=visible,
            entities=parsed,
            html=text,
            parse_mode=parse_mode or None,
            link_preview_options=link_preview_options,
        )

    def _caption(
        self, caption: str | None, parse_mode: str | None, entities: list[dict] | None
    ) -> tuple[str | None, list[dict]]:
        if caption is None:
            return None, []
        visible, parsed = format_text(
            caption, parse_mode, entities, limit=MAX_CAPTION_LENGTH, too_long="message caption is too long"
        )
        return (visible or None), parsed

    def send_file(
        self,
        chat_id: int,
        kind: str,
        source: Upload | str | None,
        *,
        caption: str | None = None,
        parse_mode: str | None = None,
        caption_entities: list[dict] | None = None,
        duration: int = 0,
        options: SendOptions = SendOptions(),
    ) -> StoredMessage:
        """sendPhoto / sendDocument / sendVoice with a fresh upload or a known file_id."""
        chat = self._writable_chat(chat_id)
        resolved = self._resolve_file(kind, source)
        visible, parsed = self._caption(caption, parse_mode, caption_entities)
        reply_to = self._check_reply_target(chat, options)
        self._check_rate(chat_id)
        stored = self._store_file(kind, resolved, duration) if isinstance(resolved, Upload) else resolved
        return self._add_bot_message(
            chat,
            options,
            reply_to,
            kind=kind,
            file=stored,
            caption=visible,
            entities=parsed if visible else [],
            html=caption,
            parse_mode=parse_mode or None,
        )

    def _source_message(self, chat_id: int, message_id: int, verb: str) -> StoredMessage:
        source = self._chat(chat_id).messages.get(message_id)
        if source is None or source.deleted:
            raise bad_request(f"message to {verb} not found")
        if source.protect_content:
            raise bad_request("message has protected content and can't be forwarded")
        return source

    def copy_message(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        caption: str | None = None,
        parse_mode: str | None = None,
        caption_entities: list[dict] | None = None,
        options: SendOptions = SendOptions(),
    ) -> StoredMessage:
        source = self._source_message(from_chat_id, message_id, "copy")
        chat = self._writable_chat(chat_id)
        content: dict[str, Any] = {
            "kind": source.kind,
            "text": source.text,
            "caption": source.caption,
            "entities": source.entities,
            "html": source.html,
            "parse_mode": source.parse_mode,
            "file": source.file,
            "sticker_emoji": source.sticker_emoji,
        }
        if caption is not None and source.kind in ("photo", "document", "voice"):
            visible, parsed = self._caption(caption, parse_mode, caption_entities)
            content.update(caption=visible, entities=parsed if visible else [], html=caption, parse_mode=parse_mode)
        reply_to = self._check_reply_target(chat, options)
        self._check_rate(chat_id)
        return self._add_bot_message(chat, options, reply_to, **content)

    def forward_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, options: SendOptions = SendOptions()
    ) -> StoredMessage:
        source = self._source_message(from_chat_id, message_id, "forward")
        chat = self._writable_chat(chat_id)
        self._check_rate(chat_id)
        sender = self.bot_json() if source.from_bot else self.chats[from_chat_id].user.to_json()
        return self._add_bot_message(
            chat,
            options,
            None,
            kind=source.kind,
            text=source.text,
            caption=source.caption,
            entities=source.entities,
            html=source.html,
            parse_mode=source.parse_mode,
            file=source.file,
            sticker_emoji=source.sticker_emoji,
            forward_origin={"type": "user", "date": source.date, "sender_user": sender},
        )

    def send_chat_action(self, chat_id: int, action: str) -> None:
        chat = self._writable_chat(chat_id)
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        self.stats.events["chat_actions"] += 1

    # ----------------------------------------------------------------- editing

    def _editable(self, chat_id: int, message_id: int) -> StoredMessage:
        message = self._writable_chat(chat_id).messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _received(self, chat_id: int, update: dict[str, Any]) -> None:
        timing = AnswerTiming(update_id=update["update_id"], chat_id=chat_id, received=time.monotonic())
        self.timings.append(timing)
        self._unanswered.setdefault(chat_id, deque()).append(timing)

    def _answered(self, chat_id: int) -> None:
        now = time.monotonic()
        waiting = self._unanswered.get(chat_id)
        if waiting:
            timing = self._last_answered[chat_id] = waiting.popleft()
            timing.answered = now
            if not waiting:
                del self._unanswered[chat_id]
        else:
            timing = self._last_answered.get(chat_id)
        if timing is not None:
            timing.finished = now

    def _mark_edited(self, message: StoredMessage) -> StoredMessage:
        self._answered(message.chat_id)
        message.edit_count += 1
        message.edit_date = int(time.time())
        self.stats.events["edited_messages"] += 1
        return message

    def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str | None,
        *,
        parse_mode: str | None = None,
        entities: list[dict] | None = None,
        reply_markup: dict | None = None,
        link_preview_options: dict | None = None,
    ) -> StoredMessage:
        """editMessageText; like Telegram, omitting reply_markup removes the inline keyboard."""
        message = self._editable(chat_id, message_id)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        visible, parsed = format_text(
            text or "", parse_mode, entities, limit=MAX_TEXT_LENGTH, too_long="message is too long"
        )
        if not visible:
            raise bad_request("message text is empty")
        if visible == message.text and parsed == message.entities and reply_markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.text, message.entities, message.html = visible, parsed, text
        message.parse_mode = parse_mode or None
        message.reply_markup = reply_markup
        message.link_preview_options = link_preview_options
        return self._mark_edited(message)

    def edit_reply_markup(self, chat_id: int, message_id: int, reply_markup: dict | None) -> StoredMessage:
        message = self._editable(chat_id, message_id)
        if reply_markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.reply_markup = reply_markup
        return self._mark_edited(message)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        message = self._chat(chat_id).messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.stats.events["deleted_messages"] += 1

    # ----------------------------------------------------------------- callback queries

    def answer_callback_query(
        self, query_id: str, *, text: str | None, show_alert: bool, url: str | None
    ) -> None:
        query = self.callbacks.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        query.answered, query.text, query.show_alert, query.url = True, text, show_alert, url
        self.stats.events["callback_answers"] += 1

    def callback_answer(self, query_id: str) -> CallbackQuery:
        query = self.callbacks.get(query_id)
        if query is None:
            raise ControlError(404, f"unknown callback query {query_id}")
        return query

    # ----------------------------------------------------------------- commands and webhook

    def set_commands(self, commands: list[dict], scope: dict | None, language_code: str | None) -> None:
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not 1 <= len(name) <= 32 or not all(
                c.islower() or c.isdigit() or c == "_" for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _scope_key(scope, language_code)
        if commands:
            self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self.commands.pop(key, None)

    def get_commands(self, scope: dict | None, language_code: str | None) -> list[dict]:
        return self.commands.get(_scope_key(scope, language_code), [])

    def delete_commands(self, scope: dict | None, language_code: str | None) -> None:
        self.commands.pop(_scope_key(scope, language_code), None)

    def commands_json(self) -> list[dict[str, Any]]:
        return [
            {"scope": json.loads(scope), "language_code": language or None, "commands": commands}
            for (scope, language), commands in self.commands.items()
        ]

    def set_webhook(self, url: str, allowed_updates: list[str] | None, drop_pending_updates: bool) -> None:
        self.webhook_url = url
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
        if drop_pending_updates:
            self.updates.clear()

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        return info

    # ----------------------------------------------------------------- updates

    def _wake_pollers(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: payload}
        # Like Telegram, updates of types the bot did not ask for are never delivered.
        if not self.allowed_updates or kind in self.allowed_updates:
            self.updates.append(update)
            self.stats.events["updates_enqueued"] += 1
            self._wake_pollers()
        return update

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    async def get_updates(
        self, offset: int, limit: int, timeout: float, allowed_updates: list[str] | None
    ) -> list[dict[str, Any]]:
        """Long polling: return as soon as an update is queued, or ``[]`` after ``timeout`` seconds."""
        if self.webhook_url:
            raise BotAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
        limit = min(max(limit, 1), 100)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older poll is answered with 409 Conflict, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0)
        self._confirm(offset)
        while not self.updates and not self.closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._update_event.wait(), remaining)
            except TimeoutError:
                break
            if generation != self._poll_generation:
                raise BotAPIError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        batch = self.updates[:limit]
        self.stats.events["updates_delivered"] += len(batch)
        return batch

    def user_message(
        self,
        user_id: int,
        *,
        text: str | None = None,
        sticker: bool = False,
        photo: bytes | None = None,
        document: Upload | None = None,
        voice: bytes | None = None,
        video_note: bytes | None = None,
        animation: bytes | None = None,
        attachment: dict[str, dict[str, Any]] | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> tuple[dict[str, Any], StoredMessage]:
        """A message the user sends to the bot; writing to the bot also unblocks it.

        ``attachment``: ``{kind: fields}`` for a message without a file (a kind of
        ``ATTACHMENTS``: location, contact, dice, poll); missing fields get defaults.
        """
        kinds = [
            name
            for name, present in (
                ("text", text is not None),
                ("sticker", sticker),
                ("photo", photo is not None),
                ("document", document is not None),
                ("voice", voice is not None),
                ("video_note", video_note is not None),
                ("animation", animation is not None),
                *((name, True) for name in attachment or {}),
            )
            if present
        ]
        if len(kinds) != 1:
            allowed = ["text", "sticker", "photo", "document", "voice", "video_note", "animation", *ATTACHMENTS]
            raise ControlError(400, f"give exactly one of {', '.join(allowed)}")
        kind = kinds[0]
        if attachment is not None:
            if kind not in ATTACHMENTS or not isinstance(attachment[kind], dict):
                raise ControlError(400, f"{kind} must be an object; kinds without a file: {', '.join(ATTACHMENTS)}")
            try:
                attachment_json = ATTACHMENTS[kind](attachment[kind])
            except (TypeError, ValueError) as exc:
                raise ControlError(400, f"bad {kind}: {exc}") from None
        if kind == "text" and not text.strip():
            raise ControlError(400, "text must not be empty")
        user = self.register_user(user_id, first_name, last_name, username, language_code)
        user.blocked = False
        chat = self.chats[user_id]
        if reply_to_message_id is not None and reply_to_message_id not in chat.messages:
            raise ControlError(404, f"message {reply_to_message_id} not found in chat {user_id}")
        message = StoredMessage(
            message_id=chat.next_message_id(),
            chat_id=user_id,
            from_bot=False,
            date=int(time.time()),
            kind=kind,
            reply_to_message_id=reply_to_message_id,
        )
        if kind == "text":
            message.text = message.html = text
            message.entities = _bot_command_entities(text)
        elif kind in ATTACHMENTS:
            message.attachment = attachment_json
        else:
            upload = {
                "sticker": Upload(b""),
                "photo": Upload(photo or b""),
                "document": document,
                "voice": Upload(voice or b"", mime_type="audio/ogg"),
                "video_note": Upload(video_note or b"", mime_type="video/mp4"),
                "animation": Upload(animation or b"", mime_type="video/mp4"),
            }[kind]
            message.file = self._store_file(kind, upload)
            if kind == "sticker":
                message.sticker_emoji = "👍"
            elif caption:
                message.caption = message.html = caption
        chat.messages[message.message_id] = message
        update = self._enqueue("message", self.message_json(message))
        self._received(user_id, update)
        return update, message

    def press_button(self, user_id: int, message_id: int, data: str) -> tuple[dict[str, Any], CallbackQuery]:
        """A callback query for a bot message, with any data (buttons can be forged)."""
        chat = self.control_chat(user_id)
        message = chat.messages.get(message_id)
        if message is None or message.deleted or not message.from_bot:
            raise ControlError(404, f"no bot message {message_id} in chat {user_id}")
        query = CallbackQuery(
            id=f"{secrets.randbits(48)}{len(self.callbacks):06d}", user_id=user_id, message_id=message_id, data=data
        )
        self.callbacks[query.id] = query
        payload = {
            "id": query.id,
            "from": chat.user.to_json(),
            "message": self.message_json(message),
            "chat_instance": str(user_id * 48271 % (2**63)),
            "data": data,
        }
        update = self._enqueue("callback_query", payload)
        self._received(user_id, update)
        return update, query

    def edit_user_message(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits one of their own text messages; the bot gets an ``edited_message``."""
        message = self.control_chat(user_id).messages.get(message_id)
        if message is None or message.deleted or message.from_bot or message.kind != "text":
            raise ControlError(404, f"no text message {message_id} of user {user_id}")
        if not text.strip():
            raise ControlError(400, "text must not be empty")
        message.text = message.html = text
        message.entities = _bot_command_entities(text)
        message.edit_count += 1
        message.edit_date = int(time.time())
        return self._enqueue("edited_message", self.message_json(message))

    def group_message(
        self, user_id: int, chat_id: int, text: str, *, chat_type: str = "group", title: str = "Group"
    ) -> dict[str, Any]:
        """A text a user writes in a group or supergroup the bot is in (not stored: the bot has no such chat here)."""
        if chat_id >= 0 or chat_type not in ("group", "supergroup"):
            raise ControlError(400, "a group chat has a negative id and type group or supergroup")
        user = self._control_user(user_id)
        message = {
            "message_id": self._next_group_message_id(chat_id),
            "from": user.to_json(),
            "chat": {"id": chat_id, "type": chat_type, "title": title},
            "date": int(time.time()),
            "text": text,
        }
        if entities := _bot_command_entities(text):
            message["entities"] = entities
        return self._enqueue("message", message)

    def channel_post(self, chat_id: int, text: str, *, title: str = "Channel") -> dict[str, Any]:
        """A post in a channel the bot is an administrator of."""
        if chat_id >= 0:
            raise ControlError(400, "a channel has a negative id")
        chat = {"id": chat_id, "type": "channel", "title": title}
        post = {
            "message_id": self._next_group_message_id(chat_id),
            "sender_chat": chat,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        return self._enqueue("channel_post", post)

    def my_chat_member(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        old: str = "member",
        new: str = "kicked",
        title: str = "Group",
    ) -> dict[str, Any]:
        """The bot's own membership changed: blocked in a private chat, added to or removed from a group."""
        user = self._control_user(user_id)
        if old not in MEMBER_STATUSES or new not in MEMBER_STATUSES:
            raise ControlError(400, f"statuses are {', '.join(MEMBER_STATUSES)}")
        if chat_type == "private":
            chat = user.chat_json()
        elif chat_type in ("group", "supergroup", "channel") and chat_id is not None and chat_id < 0:
            chat = {"id": chat_id, "type": chat_type, "title": title}
        else:
            raise ControlError(400, "chat_type private, or group/supergroup/channel with a negative chat_id")
        update = {
            "chat": chat,
            "from": user.to_json(),
            "date": int(time.time()),
            "old_chat_member": self._bot_member(old),
            "new_chat_member": self._bot_member(new),
        }
        return self._enqueue("my_chat_member", update)

    def _bot_member(self, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self.bot_json()}
        if status == "kicked":
            member["until_date"] = 0
        if status == "administrator":
            member.update({right: False for right in _BOT_RIGHTS})
        return member

    def inline_query(self, user_id: int, query: str) -> dict[str, Any]:
        """The user typed "@bot <query>" in some chat."""
        user = self._control_user(user_id)
        payload = {
            "id": str(secrets.randbits(48)),
            "from": user.to_json(),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        }
        return self._enqueue("inline_query", payload)

    def _next_group_message_id(self, chat_id: int) -> int:
        self.group_message_ids[chat_id] += 1
        return self.group_message_ids[chat_id]

    def leave_chat(self, chat_id: int) -> None:
        if chat_id >= 0:
            raise bad_request("chat member status can't be changed in private chats")
        self.left_chats.append(chat_id)

    # ----------------------------------------------------------------- faults

    def add_fault(self, method: str, fault: Fault) -> None:
        """Register a fault for a method name (case-insensitive) or "*" for every method."""
        self.faults[method.lower()] = fault

    def take_fault(self, method: str) -> Fault | None:
        for key in (method.lower(), "*"):
            fault = self.faults.get(key)
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self.faults[key]
                self.stats.events["faults_injected"] += 1
                return fault
        return None
