"""The audit trail: every klantmanager and admin action, who did it and on whom."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.core.clock import iso


def record(
    db: sqlite_utils.Database, now: datetime, actor_id: int, action: str, user_id: int | None = None, **details: Any
) -> None:
    """Write one action. ``user_id`` is the statushouder it concerns, if any."""
    with db.atomic():
        db["audit"].insert(
            {
                "at": iso(now),
                "actor_id": actor_id,
                "action": action,
                "user_id": user_id,
                "details": json.dumps(details, ensure_ascii=False, default=str),
            }
        )
