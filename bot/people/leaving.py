"""A client leaves Wegwijs (``/delete``, or erased after a long silence): their klantmanager is told.

The notice is planned in the same transaction as the erase, before the
person's rows go, so it cannot be lost and nothing vanishes silently: the
klantmanager learns the name and the appointments still planned, and can
cancel a room or call. The outbox row is the klantmanager's (``user_id`` is
the klantmanager, not the person), so the erase does not take it along; it
holds only the name and the appointments, and is emptied once delivered.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

import sqlite_utils
from telegram import Bot

from bot.reminders import appointments
from bot.delivery import outbox
from bot.casework import staff
from bot.core.clock import iso
from bot.core.db import erase_people, forget
from bot.screens.messaging import send_html
from bot.delivery.outbox import OutboxRow, Skipped
from bot.core.services import Services
from bot.channels.telegram.identity import chat_of

CLIENT_LEFT = "client_left"


def erase_and_tell(db: sqlite_utils.Database, user_ids: Iterable[int], now: datetime) -> int:
    """Erase these people; each one's klantmanager gets a notice. Returns how many were erased."""
    return erase_people(db, user_ids, before_each=lambda user_id: plan_notice(db, user_id, now))


def plan_notice(db: sqlite_utils.Database, user_id: int, now: datetime) -> None:
    """Plan "<name> has left Wegwijs", with the upcoming appointments (nothing else of the person)."""
    linked = staff.client(db, user_id)
    if linked is None:
        return
    upcoming = [
        {"kind": a.kind, "starts_at": iso(a.starts_at), "place": a.place or ""}
        for a in appointments.list_appointments(db, user_id=user_id, after=now, planned_only=True)
    ]
    outbox.enqueue(
        db,
        user_id=linked.klantmanager_id,
        chat_id=None,
        kind=CLIENT_LEFT,
        params={"klantmanager_id": linked.klantmanager_id, "client": linked.name, "appointments": upcoming},
        due_at=now,
        key=f"{CLIENT_LEFT}:{secrets.token_hex(8)}",
    )


def notice_text(s: Services, lang: str, params: dict) -> str:
    r = s.renderer
    lines = [r.ui(lang, "km.client_left", client=params["client"])]
    planned = params["appointments"]
    if planned:
        lines.append(r.ui(lang, "km.client_left_appointments", client=params["client"]))
        lines += [
            r.ui(
                lang,
                "km.appt_line",
                kind=r.button(lang, f"appointment.kind.{a['kind']}"),
                when=a["starts_at"],
                place=a["place"],
            )
            for a in planned
        ]
    else:
        lines.append(r.ui(lang, "km.client_left_no_appointments"))
    return "\n".join(lines)


async def send_client_left(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: the notice to the klantmanager (or their substitute), then the row forgets the name."""
    if "client" not in row.params:
        return Skipped("delivered before a crash")
    owner = staff.get_staff(s.db, int(row.params["klantmanager_id"]))
    if owner is None:
        return Skipped("the klantmanager is gone")
    reader = staff.handling_klantmanager(s.db, owner.id, s.clock.now())
    await send_html(bot, chat_of(s.db, reader.id), notice_text(s, reader.lang, row.params))
    with s.db.atomic():
        s.db.execute("UPDATE outbox SET params = '{}' WHERE id = ?", [row.id])
    forget(s.db)  # nor in the write-ahead log
    return None


def register_kinds() -> None:
    outbox.register_kind(CLIENT_LEFT, send_client_left)
