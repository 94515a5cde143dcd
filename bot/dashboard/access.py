"""Who may see which dashboard page, read again from the ``staff`` table on every request.

A session only says who signed in. Whether that person is still a
klantmanager or an admin is asked anew each time, so a klantmanager who was
removed or demoted loses access at the next click, not after eight hours.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.casework import staff
from bot.casework.staff import Staff


def active_staff(db: sqlite_utils.Database, staff_id: int | None) -> Staff | None:
    """The staff member as they are now, if they may use the dashboard at all."""
    if staff_id is None:
        return None
    member = staff.get_staff(db, staff_id)
    if member is None or not member.active or not (member.is_klantmanager or member.is_admin):
        return None
    return member


def may_see_caseload(member: Staff) -> bool:
    return member.is_klantmanager


def may_see_admin(member: Staff) -> bool:
    return member.is_admin


def caseload_owners(db: sqlite_utils.Database, member: Staff, now: datetime) -> list[Staff]:
    """This klantmanager, then the colleagues they stand in for now (see ``/away``)."""
    return [member, *staff.substituted_by(db, member.id, now)]


def may_see_client(db: sqlite_utils.Database, member: Staff, user_id: int, now: datetime) -> bool:
    """Own clients, and a colleague's while substituting (the same rule as in the bot)."""
    return member.is_klantmanager and staff.may_act_for(db, member.id, user_id, now)


def start_page(member: Staff) -> str:
    """Where a fresh session lands: the caseload for a klantmanager, the overview for an admin."""
    return "/dashboard/clients" if member.is_klantmanager else "/admin"
