"""Notices to someone else than the person acting, sent through the outbox.

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

from bot.delivery import outbox
from bot.casework import staff
from bot.screens import views
from bot.screens.messaging import send_html, send_screen
from bot.delivery.outbox import OutboxRow, Skipped
from bot.core.services import Services
from bot.channels.telegram.identity import chat_of
from bot.people.users import get_user

NOTICE, STEP_CARD = "notice", "step_card"


def notify(
    db: sqlite_utils.Database,
    *,
    chat_id: int,
    about: int,
    key: str,
    now: datetime,
    once: str | None = None,
    **values: Any,
) -> None:
    """Plan a notice for ``chat_id``; ``about`` is the statushouder it concerns (or the reader).

    ``once``: a name for a notice that may be planned only once (a second call changes nothing).
    """
    outbox.enqueue(
        db,
        user_id=about,
        chat_id=chat_id,
        kind=NOTICE,
        params={"key": key, "values": values},
        due_at=now,
        key=_once_key(once) if once else f"{NOTICE}:{secrets.token_hex(8)}",
    )


def _once_key(once: str) -> str:
    # The closing colon keeps "call:1" from matching "call:12" as a key prefix.
    return f"{NOTICE}:once:{once}:"


def planned(db: sqlite_utils.Database, *, about: int, once: str) -> bool:
    """Was the notice named ``once`` planned already (sent or not)?"""
    return outbox.count(db, user_id=about, kind=NOTICE, key_prefix=_once_key(once)) > 0


async def send_notice(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    key, values = row.params["key"], row.params["values"]
    member = staff.get_staff(s.db, row.chat_id)
    if member is not None:
        await send_html(bot, chat_of(s.db, member.id), s.renderer.ui(member.lang, key, **values))
        return None
    reader = get_user(s.db, row.chat_id)
    if reader is None or not reader.onboarded:
        return Skipped("the person erased their data")
    screen = views.text_screen(s.renderer, reader.lang, key, with_menu=True, **values)
    await send_screen(bot, s.renderer, chat_of(s.db, reader.id), screen, reader.lang, reader)
    return None


def send_step_card(db: sqlite_utils.Database, *, user_id: int, now: datetime) -> None:
    """Plan "where am I" for a person whose step someone else set (not in quiet hours)."""
    outbox.enqueue(
        db,
        user_id=user_id,
        chat_id=user_id,
        kind=STEP_CARD,
        params={},
        due_at=now,
        key=f"{STEP_CARD}:{secrets.token_hex(8)}",
        quiet=True,
    )


async def _send_step_card(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    reader = get_user(s.db, row.user_id)
    if reader is None or not reader.onboarded or reader.step is None:
        return Skipped("the person erased their data")
    await send_screen(bot, s.renderer, chat_of(s.db, reader.id), views.where_screen(s.renderer, reader), reader.lang, reader)
    return None


def register_kinds() -> None:
    outbox.register_kind(NOTICE, send_notice)
    outbox.register_kind(STEP_CARD, _send_step_card)
