"""Who a person is: one internal person id, linked to their id on each channel.

Everyone Wegwijs talks to, statushouder or staff member, is a person with an
internal id (``persons``). Each channel knows them by its own id (Telegram: the
user id; a web chat: its session's id): the ``identities`` table links
(channel, external id) to the person. Every other table names people by the
person id only, so the core never sees a channel's ids. A channel maps its id
to the person at its edge (``person_for``) and the person back to where to
send (``address_of``).

People who were there before this table (schema version 9) kept their Telegram
user id as their person id (see ``_v10_identities`` in bot/core/db.py for why);
new people get ids from 2**52 up, a range Telegram never uses for a user, so
a person id can never be mistaken for a Telegram id.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlite_utils

from bot.core.clock import iso
from bot.people import audit

TELEGRAM = "telegram"


class Address(NamedTuple):
    """Where a person is reached: a channel and that channel's id for them."""

    channel: str
    external_id: str


def person_for(
    db: sqlite_utils.Database, channel: str, external_id: int | str, *, create: bool = False, now: datetime | None = None
) -> int | None:
    """The person known on ``channel`` as ``external_id``; a new person if ``create`` and unknown, else None."""
    key = str(external_id)
    row = db.execute(
        "SELECT person_id FROM identities WHERE channel = ? AND external_id = ?", [channel, key]
    ).fetchone()
    if row is not None or not create:
        return None if row is None else int(row[0])
    stamp = None if now is None else iso(now)
    with db.atomic():
        # Another connection may have linked the same id since the read above.
        row = db.execute(
            "SELECT person_id FROM identities WHERE channel = ? AND external_id = ?", [channel, key]
        ).fetchone()
        if row is not None:
            return int(row[0])
        person_id = db.execute("INSERT INTO persons (created_at) VALUES (?)", [stamp]).lastrowid
        db.execute(
            "INSERT INTO identities (channel, external_id, person_id, linked_at) VALUES (?, ?, ?, ?)",
            [channel, key, person_id, stamp],
        )
    return int(person_id)


def address_of(db: sqlite_utils.Database, person_id: int) -> Address | None:
    """Where to send to a person: the identity they were linked to last (None once they are erased)."""
    row = db.execute(
        "SELECT channel, external_id FROM identities WHERE person_id = ? ORDER BY rowid DESC LIMIT 1",
        [person_id],
    ).fetchone()
    return None if row is None else Address(row[0], row[1])


class AlreadyLinked(Exception):
    """That channel id belongs to another person already."""


def link(db: sqlite_utils.Database, person_id: int, channel: str, external_id: int | str, now: datetime) -> None:
    """Let a person be known on another channel too (their messages there go to the same person).

    A channel id belongs to one person: linking one that another person holds
    raises ``AlreadyLinked``; linking it again to the same person changes nothing.
    The link is in the audit trail, as the person's own act.
    """
    key = str(external_id)
    with db.atomic():
        owner = person_for(db, channel, key)
        if owner == person_id:
            return
        if owner is not None:
            raise AlreadyLinked(f"{channel}:{key}")
        db.execute(
            "INSERT INTO identities (channel, external_id, person_id, linked_at) VALUES (?, ?, ?, ?)",
            [channel, key, person_id, iso(now)],
        )
        audit.record(db, now, person_id, "identity_linked", person_id, channel=channel)
