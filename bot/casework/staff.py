"""Staff: admins and klantmanagers, their caseloads, absence and substitutes.

A klantmanager's own data (name, absence) lives in ``staff``; which
statushouder belongs to which klantmanager lives in ``clients``, one row per
statushouder, so a transfer is one update and history stays with the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.casework import questions
from bot.core.clock import iso, parse_iso
from bot.core.db import rows_of


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    lang: str
    is_admin: bool
    is_klantmanager: bool
    away_until: str | None
    substitute_id: int | None
    active: bool

    def away_at(self, now: datetime) -> bool:
        return bool(self.away_until) and parse_iso(self.away_until) > now and self.substitute_id is not None


@dataclass(frozen=True)
class Client:
    user_id: int
    klantmanager_id: int
    name: str
    linked_at: str


def _staff(row: dict) -> Staff:
    return Staff(
        id=row["id"],
        name=row["name"] or str(row["id"]),
        lang=row["lang"] or "nl",
        is_admin=bool(row["is_admin"]),
        is_klantmanager=bool(row["is_klantmanager"]),
        away_until=row["away_until"],
        substitute_id=row["substitute_id"],
        active=bool(row["active"]),
    )


def get_staff(db: sqlite_utils.Database, staff_id: int) -> Staff | None:
    """Asked on every update (is this a staff member?): plain SQL, no sqlite-utils schema look-ups."""
    rows = rows_of(db, "SELECT * FROM staff WHERE id = ?", [staff_id])
    return _staff(rows[0]) if rows else None


def all_klantmanagers(db: sqlite_utils.Database) -> list[Staff]:
    return [_staff(r) for r in db["staff"].rows_where("is_klantmanager = 1 AND active = 1", order_by="name")]


SUBSTITUTED_BY = "SELECT * FROM staff WHERE substitute_id = ? AND is_klantmanager = 1 AND active = 1"


def substituted_by(db: sqlite_utils.Database, substitute_id: int, now: datetime) -> list[Staff]:
    """The klantmanagers this one stands in for now (asked on every /clients and /open)."""
    return [k for k in map(_staff, rows_of(db, SUBSTITUTED_BY, [substitute_id])) if k.away_at(now)]


def admins(db: sqlite_utils.Database) -> list[Staff]:
    return [_staff(r) for r in db["staff"].rows_where("is_admin = 1 AND active = 1")]


def add_admin(db: sqlite_utils.Database, staff_id: int, name: str | None, now: datetime) -> None:
    with db.atomic():
        db["staff"].upsert({"id": staff_id, "is_admin": 1, "created_at": iso(now), **({"name": name} if name else {})}, pk="id")


def add_klantmanager(db: sqlite_utils.Database, staff_id: int, name: str, now: datetime) -> None:
    with db.atomic():
        db["staff"].upsert({"id": staff_id, "is_klantmanager": 1, "name": name, "created_at": iso(now), "active": 1}, pk="id")


def set_away(db: sqlite_utils.Database, staff_id: int, until: datetime | None, substitute_id: int | None) -> None:
    with db.atomic():
        db["staff"].update(
            staff_id, {"away_until": iso(until) if until else None, "substitute_id": substitute_id if until else None}
        )


def handling_klantmanager(db: sqlite_utils.Database, klantmanager_id: int, now: datetime) -> Staff | None:
    """Who answers for this klantmanager now: the substitute while they are away."""
    km = get_staff(db, klantmanager_id)
    if km is not None and km.away_at(now):
        substitute = get_staff(db, km.substitute_id)
        if substitute is not None and substitute.is_klantmanager:
            return substitute
    return km


def client(db: sqlite_utils.Database, user_id: int) -> Client | None:
    """Asked on most of a person's updates: plain SQL, as ``get_staff``."""
    rows = rows_of(db, "SELECT user_id, klantmanager_id, name, linked_at FROM clients WHERE user_id = ?", [user_id])
    return Client(**rows[0]) if rows else None


def link_client(db: sqlite_utils.Database, user_id: int, klantmanager_id: int, name: str, now: datetime) -> None:
    with db.atomic():
        db["clients"].upsert(
            {"user_id": user_id, "klantmanager_id": klantmanager_id, "name": name, "linked_at": iso(now)}, pk="user_id"
        )


def caseload(db: sqlite_utils.Database, klantmanager_id: int) -> list[Client]:
    return [Client(**r) for r in db["clients"].rows_where("klantmanager_id = ?", [klantmanager_id], order_by="name")]


def may_act_for(db: sqlite_utils.Database, staff_id: int, user_id: int, now: datetime) -> bool:
    """A klantmanager acts on their own clients, and on a colleague's while substituting."""
    linked = client(db, user_id)
    if linked is None:
        return False
    if linked.klantmanager_id == staff_id:
        return True
    handler = handling_klantmanager(db, linked.klantmanager_id, now)
    return handler is not None and handler.id == staff_id


def transfer(db: sqlite_utils.Database, user_id: int, to_klantmanager_id: int) -> None:
    """Move a client, with their open questions; their history stays with them."""
    with db.atomic():
        db["clients"].update(user_id, {"klantmanager_id": to_klantmanager_id})
        questions.reassign_open(db, user_id, to_klantmanager_id)
