"""Single-use, expiring invitation codes for deep links.

An admin invites a klantmanager (``km-<code>``); a klantmanager invites a
client (``c-<code>``). Codes come from ``secrets`` (about 96 bits), are
single-use and expire. Wrong guesses from one chat are counted, and after a
few the chat has to wait before trying again. The count is the person's data:
erased with them, and kept a day at most (``retention.wrong_codes``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import sqlite_utils

from bot.core.clock import iso, parse_iso

KLANTMANAGER, CLIENT = "km", "c"
PREFIXES = (KLANTMANAGER, CLIENT)
DEFAULT_TTL = timedelta(days=14)
MAX_WRONG_GUESSES = 5
GUESS_WINDOW = timedelta(minutes=15)


class Redeemed(Enum):
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Invite:
    code: str
    kind: str
    created_by: int
    klantmanager_id: int | None
    name: str | None


def is_invite_code(code: str) -> bool:
    return code.partition("-")[0] in PREFIXES and "-" in code


def create(
    db: sqlite_utils.Database,
    kind: str,
    created_by: int,
    now: datetime,
    *,
    klantmanager_id: int | None = None,
    name: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    code = f"{kind}-{secrets.token_urlsafe(12)}"
    with db.atomic():
        db["invites"].insert(
            {
                "code": code,
                "kind": kind,
                "created_by": created_by,
                "klantmanager_id": klantmanager_id,
                "name": name,
                "created_at": iso(now),
                "expires_at": iso(now + ttl),
            }
        )
    return code


def throttled(db: sqlite_utils.Database, user_id: int, now: datetime) -> bool:
    since = iso(now - GUESS_WINDOW)
    return db["wrong_codes"].count_where("user_id = ? AND at > ?", [user_id, since]) >= MAX_WRONG_GUESSES


def redeem(db: sqlite_utils.Database, code: str, user_id: int, now: datetime) -> tuple[Redeemed, Invite | None]:
    """Use a code once. Wrong codes are counted against the chat that tried them."""
    if throttled(db, user_id, now):
        return Redeemed.THROTTLED, None
    with db.atomic():
        rows = list(db["invites"].rows_where("code = ?", [code]))
        if not rows:
            db["wrong_codes"].insert({"user_id": user_id, "at": iso(now)})
            return Redeemed.UNKNOWN, None
        row = rows[0]
        invite = Invite(row["code"], row["kind"], row["created_by"], row["klantmanager_id"], row["name"])
        if row["used_at"]:
            return Redeemed.USED, invite
        if parse_iso(row["expires_at"]) <= now:
            return Redeemed.EXPIRED, invite
        claimed = db.execute(
            "UPDATE invites SET used_at = ?, user_id = ? WHERE code = ? AND used_at IS NULL",
            [iso(now), user_id, code],
        ).rowcount
    return (Redeemed.OK if claimed else Redeemed.USED), invite
