"""What an admin does with klantmanagers: see them, move their clients, remove them.

Shared by ``wegwijs admin list|reassign|remove`` and the admin's
``/klantmanagers`` in Telegram, so both act the same way: a reassignment is a
transfer per client (open questions go along, the client and the new
klantmanager are told through the outbox), and a klantmanager with clients
cannot be removed. A removed klantmanager keeps their ``staff`` row (the
audit trail and old questions name them) but is no klantmanager any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from bot.people import audit
from bot.delivery import notices
from bot.casework import staff
from bot.core.clock import iso, parse_iso
from bot.casework.staff import Staff


ACTIVITY_RESOLUTION = timedelta(minutes=1)
"""Last activity is shown as a date; a staff member's burst of messages writes it once."""


class AdminError(ValueError):
    """The admin's request cannot be done. ``key`` is an ``admin.error.*`` ui key; ``values`` fill it in."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class KlantmanagerOverview:
    person: Staff
    clients: int
    last_active_at: str | None


def touch(db: sqlite_utils.Database, staff_id: int, now: datetime) -> bool:
    """Record a staff member's activity; False when ``staff_id`` is no staff member.

    Called for every incoming update, so it costs one indexed read for a
    statushouder and writes at most once per ``ACTIVITY_RESOLUTION`` for staff.
    """
    row = db.execute("SELECT last_active_at FROM staff WHERE id = ?", [staff_id]).fetchone()
    if row is None:
        return False
    if row[0] is None or now - parse_iso(row[0]) >= ACTIVITY_RESOLUTION:
        db.execute("UPDATE staff SET last_active_at = ? WHERE id = ?", [iso(now), staff_id])
    return True


def overview(db: sqlite_utils.Database) -> list[KlantmanagerOverview]:
    """Every klantmanager with the size of their caseload and when they were last active."""
    counts = dict(db.execute("SELECT klantmanager_id, COUNT(*) FROM clients GROUP BY klantmanager_id").fetchall())
    activity = dict(db.execute("SELECT id, last_active_at FROM staff").fetchall())
    return [
        KlantmanagerOverview(person=km, clients=counts.get(km.id, 0), last_active_at=activity.get(km.id))
        for km in staff.all_klantmanagers(db)
    ]


def klantmanager(db: sqlite_utils.Database, staff_id: int) -> Staff:
    person = staff.get_staff(db, staff_id)
    if person is None or not person.is_klantmanager or not person.active:
        raise AdminError("admin.error.no_klantmanager", id=staff_id)
    return person


def reassign(
    db: sqlite_utils.Database,
    *,
    from_id: int,
    to_id: int,
    now: datetime,
    actor_id: int,
    user_ids: list[int] | None = None,
) -> list[staff.Client]:
    """Move the clients of ``from_id`` (all, or those in ``user_ids``) to ``to_id``; returns the moved."""
    source, target = klantmanager(db, from_id), klantmanager(db, to_id)
    if source.id == target.id:
        raise AdminError("admin.error.same_klantmanager")
    caseload = staff.caseload(db, source.id)
    if user_ids is not None:
        wanted = set(user_ids)
        unknown = wanted - {c.user_id for c in caseload}
        if unknown:
            raise AdminError("admin.error.not_their_client", id=min(unknown), name=source.name)
        caseload = [c for c in caseload if c.user_id in wanted]
    for linked in caseload:
        staff.transfer(db, linked.user_id, target.id)
        audit.record(
            db, now, actor_id, "transfer", linked.user_id, from_klantmanager=source.id, to_klantmanager=target.id
        )
        notices.notify(db, chat_id=linked.user_id, about=linked.user_id, key="transfer.client", now=now, name=target.name)
        notices.notify(
            db,
            chat_id=target.id,
            about=linked.user_id,
            key="km.transfer_received",
            now=now,
            client=linked.name,
            colleague=source.name,
        )
    return caseload


def remove(db: sqlite_utils.Database, staff_id: int, now: datetime, actor_id: int) -> Staff:
    """Stop someone being a klantmanager; refused while they still have clients."""
    person = klantmanager(db, staff_id)
    remaining = len(staff.caseload(db, person.id))
    if remaining:
        raise AdminError("admin.error.has_clients", name=person.name, count=remaining, id=person.id)
    with db.atomic():
        db["staff"].update(person.id, {"is_klantmanager": 0, "away_until": None, "substitute_id": None})
        if not person.is_admin:
            db["staff"].update(person.id, {"active": 0})
        db.execute("DELETE FROM awaiting WHERE user_id = ?", [person.id])
    audit.record(db, now, actor_id, "klantmanager_removed", None, klantmanager=person.id)
    return person
