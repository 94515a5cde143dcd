"""Telegram ids at the edge: a Telegram user is a person (bot/people/identities.py), a person is a chat.

Nothing past this edge keys the database by a Telegram id. Incoming updates
find their person here (``person_of``); everything sent to a person found in
the database (outbox rows, relayed questions, notices) gets its chat here
(``chat_of``). In a private chat the chat id is the user id, so both sides use
the same identity.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.people.identities import TELEGRAM, address_of, person_for


class NotOnTelegram(LookupError):
    """The person has no Telegram identity (erased, or reached on another channel)."""


def person_of(
    db: sqlite_utils.Database, telegram_user_id: int, *, create: bool = False, now: datetime | None = None
) -> int | None:
    """The person this Telegram user is; a new person when ``create`` (for a first write), else None if unknown."""
    return person_for(db, TELEGRAM, telegram_user_id, create=create, now=now)


def chat_of(db: sqlite_utils.Database, person_id: int) -> int:
    """The Telegram chat to send to for this person (their private chat with the bot)."""
    address = address_of(db, person_id)
    if address is None or address.channel != TELEGRAM:
        raise NotOnTelegram(f"person {person_id} has no Telegram chat")
    return int(address.external_id)
