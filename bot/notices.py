"""Short notices to someone else than the person acting, sent through the outbox.

When a klantmanager transfers a client, the colleague and the client are told;
when a client links, the klantmanager is told. Such a notice must not be lost
when its reader has blocked the bot or the network fails, and must not make
the action itself fail: so it is an outbox row (a ui key and its values),
rendered in the reader's language when it is sent.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlite_utils
from telegram import Bot
from telegram.constants import ParseMode

from bot import outbox, staff, views
from bot.messaging import send_screen
from bot.outbox import OutboxRow, Skipped
from bot.services import Services
from bot.users import get_user

NOTICE = "notice"


def notify(db: sqlite_utils.Database, *, chat_id: int, about: int, key: str, now: datetime, **values: Any) -> None:
    """Plan a notice for ``chat_id``; ``about`` is the statushouder it concerns (or the reader)."""
    outbox.enqueue(
        db, user_id=about, chat_id=chat_id, kind=NOTICE, params={"key": key, "values": values},
        due_at=now, key=f"{NOTICE}:{secrets.token_hex(8)}",
    )


async def send_notice(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    key, values = row.params["key"], row.params["values"]
    reader = get_user(s.db, row.chat_id)
    if reader is not None:
        if not reader.onboarded:
            return Skipped("the person erased their data")
        screen = views.text_screen(s.renderer, reader.lang, key, with_menu=True, **values)
        await send_screen(bot, s.renderer, reader.id, screen, reader.lang, reader)
        return None
    member = staff.get_staff(s.db, row.chat_id)
    if member is None:
        return Skipped("no such reader")
    await bot.send_message(member.id, s.renderer.ui(member.lang, key, **values), parse_mode=ParseMode.HTML)
    return None


def register_kind() -> None:
    outbox.register_kind(NOTICE, send_notice)
