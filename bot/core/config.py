"""Settings read from the environment, in one place."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
DEFAULT_RELOAD_SECONDS = 5.0
DEFAULT_DISPATCH_SECONDS = 5.0
DEFAULT_RETENTION_SECONDS = 3600.0
DEFAULT_SEND_ATTEMPTS = 5
DEFAULT_RETRY_SECONDS = 30.0
DEFAULT_FLOOD_BURST = 10
DEFAULT_FLOOD_PER_SECOND = 1.0
# Sends in flight: at Telegram's 30 messages/s, a round trip of 250 ms needs
# 30 x 0.25 = 7.5 of them to keep the pipe full (real round trips from Europe:
# 50-150 ms). After `kill -9` at most this many messages can go twice.
DEFAULT_SENDS_IN_FLIGHT = 8
# Telegram answers a send within a second or two; 20 s leaves room for a slow
# moment without holding a send for ever. PTB's default (5 s) turned a slow
# answer into a second copy. Uploads (photos, documents) get three times as long.
DEFAULT_SEND_TIMEOUT_SECONDS = 20.0
# /healthz and /metrics (bot/ops/): on this machine only, unless the operator says otherwise.
DEFAULT_HTTP_PORT = 8080
DEFAULT_HTTP_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    content_dir: Path
    token: str | None = None
    api_url: str | None = None
    file_url: str | None = None
    reload_seconds: float = DEFAULT_RELOAD_SECONDS
    """How often to look for edited content (0: only on SIGHUP)."""
    dispatch_seconds: float = DEFAULT_DISPATCH_SECONDS
    """How often the outbox dispatcher looks for due messages (0: this process sends none)."""
    send_attempts: int = DEFAULT_SEND_ATTEMPTS
    """Attempts at a scheduled message before it is marked failed."""
    retry_seconds: float = DEFAULT_RETRY_SECONDS
    """Wait before the first retry of a failed send; it doubles with each attempt."""
    sends_in_flight: int = DEFAULT_SENDS_IN_FLIGHT
    """Scheduled messages being sent at once (each to another chat)."""
    send_timeout_seconds: float = DEFAULT_SEND_TIMEOUT_SECONDS
    """How long a request to Telegram may take to be written and answered (media: three times this)."""
    chat_gap_seconds: float = 1.0
    """Scheduled messages to one chat are at least this far apart (Telegram: 1 per second)."""
    clock_start: datetime | None = None
    """Run as if the clock had shown this moment at start (tests of the whole program)."""
    updates_at_once: int = 32
    """Incoming updates handled at the same time (of different chats; one chat's go in order)."""
    flood_burst: int = DEFAULT_FLOOD_BURST
    """Updates a chat may send at once before the flood guard steps in (an album of photos is 10)."""
    flood_per_second: float = DEFAULT_FLOOD_PER_SECOND
    """Updates per second a chat may send after its burst, on average."""
    retention_seconds: float = DEFAULT_RETENTION_SECONDS
    """How often the retention sweep drops what is due (bot/people/retention.py; 0: this process does not)."""
    http_port: int | None = None
    """Port of the HTTP server beside the bot (/healthz, /metrics; bot/ops/http.py). None: no server;
    0: any free port (tests). ``wegwijs run`` reads ``WEGWIJS_HTTP_PORT`` (default 8080, 0 there: none)."""
    http_host: str = DEFAULT_HTTP_HOST
    """Address the HTTP server listens on (``WEGWIJS_HTTP_HOST``)."""
    public_url: str | None = None
    """The dashboard's address as staff reach it (https://wegwijs.gemeente.nl); default http://localhost:<http port>."""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "db_path": Path(os.environ.get("WEGWIJS_DB", "wegwijs.db")),
            "content_dir": Path(os.environ.get("WEGWIJS_CONTENT", DEFAULT_CONTENT_DIR)),
            "token": os.environ.get("TELEGRAM_BOT_TOKEN"),
            "reload_seconds": _env("WEGWIJS_RELOAD_SECONDS", float, DEFAULT_RELOAD_SECONDS),
            "dispatch_seconds": _env("WEGWIJS_DISPATCH_SECONDS", float, DEFAULT_DISPATCH_SECONDS),
            "send_attempts": _env("WEGWIJS_SEND_ATTEMPTS", int, DEFAULT_SEND_ATTEMPTS),
            "retry_seconds": _env("WEGWIJS_RETRY_SECONDS", float, DEFAULT_RETRY_SECONDS),
            "sends_in_flight": _env("WEGWIJS_SENDS_IN_FLIGHT", _positive_int, DEFAULT_SENDS_IN_FLIGHT),
            "send_timeout_seconds": _env("WEGWIJS_SEND_TIMEOUT_SECONDS", float, DEFAULT_SEND_TIMEOUT_SECONDS),
            "clock_start": _env("WEGWIJS_CLOCK_START", _moment, None),
            "flood_burst": _env("WEGWIJS_FLOOD_BURST", int, DEFAULT_FLOOD_BURST),
            "flood_per_second": _env("WEGWIJS_FLOOD_PER_SECOND", float, DEFAULT_FLOOD_PER_SECOND),
            "retention_seconds": _env("WEGWIJS_RETENTION_SECONDS", float, DEFAULT_RETENTION_SECONDS),
            "http_port": http_port_setting(_env("WEGWIJS_HTTP_PORT", port_number, DEFAULT_HTTP_PORT)),
            "http_host": _env("WEGWIJS_HTTP_HOST", str, DEFAULT_HTTP_HOST),
            "public_url": _env("WEGWIJS_PUBLIC_URL", _base_url, None),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


T = TypeVar("T")


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a moment needs its UTC offset, e.g. 2025-03-30T10:00:00+02:00")
    return moment


def _positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError("must be 1 or more")
    return number


def port_number(text: str) -> int:
    number = int(text)
    if not 0 <= number <= 65535:
        raise ValueError("a port is a number from 0 to 65535")
    return number


def port_option(text: str) -> int:
    """``port_number`` for a command-line option, so that argparse says why (not "invalid port_number value")."""
    try:
        return port_number(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: a port is a number from 0 to 65535") from None


def http_port_setting(port: int) -> int | None:
    """An operator's port (``WEGWIJS_HTTP_PORT``, ``--http-port``) as a setting: 0 means no HTTP server."""
    return port or None


def _base_url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return text.rstrip("/")


def _env(name: str, parse: Callable[[str], T], default: T) -> T:
    """A value from the environment, or a clear error naming the variable."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        return parse(text.strip())
    except ValueError as exc:
        raise ValueError(f"{name}={text!r} is not valid: {exc}") from None
