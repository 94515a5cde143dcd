"""A statushouder's appointments, and the messages planned for them.

An appointment is entered and shown in Amsterdam local time and kept in UTC.
Adding, changing or cancelling one plans its messages in the outbox: a notice
to the person now (or when quiet hours end), and reminders at the lead times
of its kind (``bot/texts/timing.py``). Each change gives the appointment a new
version: rows planned for an older one are cancelled, and a sender that
still meets one skips it.

Used by the CLI (``wegwijs appointment``) and by the klantmanager's flow.
Bad input raises ``AppointmentError`` with the key of a UI text that says
what is wrong, so each caller can show it in its reader's language.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.delivery import outbox
from bot.core.clock import iso, parse_iso
from bot.core.config import TIMEZONE
from bot.core.db import rows_of
from bot.texts.timing import Duration, Timing
from bot.people.users import get_user

PLANNED, CANCELLED = "planned", "cancelled"
COMING, NOT_COMING = "coming", "not_coming"
ADDED, CHANGED = "added", "changed"
NOTICE, REMINDER = "appointment.notice", "appointment.reminder"
MAX_TEXT = 500
LOCAL_FORMAT = "%Y-%m-%d %H:%M"


class AppointmentError(ValueError):
    """Bad input; ``key`` names the UI text that explains it, ``values`` fill it in."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key, values)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Appointment:
    id: int
    user_id: int
    kind: str
    starts_at: datetime
    place: str | None
    map_url: str | None
    bring: str | None
    note: str | None
    status: str
    version: int
    answer: str | None

    @property
    def local_start(self) -> str:
        return self.starts_at.astimezone(TIMEZONE).strftime(LOCAL_FORMAT)


def _appointment(row: dict[str, Any]) -> Appointment:
    return Appointment(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        starts_at=parse_iso(row["starts_at"]),
        place=row["place"],
        map_url=row["map_url"],
        bring=row["bring"],
        note=row["note"],
        status=row["status"],
        version=row["version"],
        answer=row["answer"],
    )


def parse_local(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM`` in Amsterdam time, as a moment."""
    try:
        naive = datetime.strptime(text.strip(), LOCAL_FORMAT)
    except ValueError:
        raise AppointmentError("appointment.error.bad_time", value=text) from None
    return local_moment(naive)


def local_moment(naive: datetime) -> datetime:
    """A wall-clock time in Amsterdam as a moment; a time the clocks skip does not exist."""
    moment = naive.replace(tzinfo=TIMEZONE)
    if moment.astimezone(UTC).astimezone(TIMEZONE).replace(tzinfo=None) != naive:
        raise AppointmentError("appointment.error.no_such_time", value=naive.strftime(LOCAL_FORMAT))
    return moment.astimezone(UTC)


def get(db: sqlite_utils.Database, appointment_id: int) -> Appointment | None:
    # Plain SQL: a sender reads the appointment for every reminder it sends.
    found = rows_of(db, "SELECT * FROM appointments WHERE id = ?", [appointment_id])
    return _appointment(found[0]) if found else None


def _existing(db: sqlite_utils.Database, appointment_id: int) -> Appointment:
    found = get(db, appointment_id)
    if found is None:
        raise AppointmentError("appointment.error.unknown_appointment", id=appointment_id)
    if found.status == CANCELLED:
        raise AppointmentError("appointment.error.cancelled", id=appointment_id)
    return found


def list_appointments(
    db: sqlite_utils.Database, *, user_id: int | None = None, after: datetime | None = None, planned_only: bool = False
) -> list[Appointment]:
    """Appointments, earliest first; ``after``: only those that start later."""
    clauses, values = ["1"], []
    if user_id is not None:
        clauses.append("user_id = ?")
        values.append(user_id)
    if after is not None:
        clauses.append("starts_at > ?")
        values.append(iso(after))
    if planned_only:
        clauses.append("status = ?")
        values.append(PLANNED)
    where = " AND ".join(clauses)
    return [_appointment(r) for r in db["appointments"].rows_where(where, values, order_by="starts_at, id")]


def _clean(fields: dict[str, Any], timing: Timing, now: datetime) -> dict[str, Any]:
    """Check the given fields; returns them ready to store."""
    clean: dict[str, Any] = {}
    if "kind" in fields:
        if fields["kind"] not in timing.appointment_kinds:
            raise AppointmentError(
                "appointment.error.unknown_kind", value=fields["kind"], kinds=", ".join(timing.appointment_kinds)
            )
        clean["kind"] = fields["kind"]
    if "starts_at" in fields:
        start = fields["starts_at"]
        start = local_moment(start) if start.tzinfo is None else start.astimezone(UTC)
        if start <= now:
            raise AppointmentError("appointment.error.past", value=start)
        clean["starts_at"] = iso(start)
    for name in ("place", "map_url", "bring", "note"):
        if name not in fields:
            continue
        value = (fields[name] or "").strip() or None
        if value is not None and len(value) > MAX_TEXT:
            raise AppointmentError("appointment.error.too_long", field=name, limit=MAX_TEXT)
        if name == "map_url" and value is not None and not value.startswith(("https://", "http://")):
            raise AppointmentError("appointment.error.bad_link", value=value)
        clean[name] = value
    return clean


def add(
    db: sqlite_utils.Database,
    timing: Timing,
    *,
    user_id: int,
    kind: str,
    starts_at: datetime,
    now: datetime,
    place: str | None = None,
    map_url: str | None = None,
    bring: str | None = None,
    note: str | None = None,
) -> Appointment:
    """Add an appointment (``starts_at`` naive = Amsterdam time) and plan its messages."""
    fields = {"kind": kind, "starts_at": starts_at, "place": place, "map_url": map_url, "bring": bring, "note": note}
    return add_many(db, timing, [{"user_id": user_id, **fields}], now=now)[0]


def add_many(db: sqlite_utils.Database, timing: Timing, entries: Iterable[dict[str, Any]], *, now: datetime) -> list[Appointment]:
    """Add appointments for many people at once (an import), all or none.

    Each entry has ``user_id``, ``kind`` and ``starts_at``, and optionally
    place, map_url, bring and note, as for ``add``. One transaction, and the
    messages of all of them planned in one statement.
    """
    added: list[Appointment] = []
    messages: list[outbox.Planned] = []
    with db.atomic():
        for entry in entries:
            fields = dict(entry)
            user_id = fields.pop("user_id")
            person = get_user(db, user_id)
            if person is None or not person.onboarded:
                raise AppointmentError("appointment.error.unknown_user", id=user_id)
            record = {
                **_clean(fields, timing, now),
                "user_id": user_id,
                "status": PLANNED,
                "version": 1,
                "created_at": iso(now),
                "updated_at": iso(now),
            }
            (inserted,) = rows_of(
                db,
                f"INSERT INTO appointments ({', '.join(record)}) VALUES ({', '.join('?' * len(record))}) RETURNING *",
                list(record.values()),
            )
            appointment = _appointment(inserted)
            added.append(appointment)
            messages.extend(_messages(timing, appointment, ADDED, now))
        outbox.enqueue_many(db, messages)
    return added


def change(db: sqlite_utils.Database, timing: Timing, appointment_id: int, *, now: datetime, **fields: Any) -> Appointment:
    """Change some of kind, starts_at, place, map_url, bring, note; re-plans and tells the person."""
    old = _existing(db, appointment_id)
    unknown = set(fields) - {"kind", "starts_at", "place", "map_url", "bring", "note"}
    if unknown:
        raise TypeError(f"change() got unknown fields {sorted(unknown)}")
    clean = _clean(fields, timing, now)
    if "starts_at" in clean and clean["starts_at"] != iso(old.starts_at):
        clean.update(answer=None, answered_at=None)  # a new time needs a new answer
    with db.atomic():
        db["appointments"].update(appointment_id, {**clean, "version": old.version + 1, "updated_at": iso(now)})
        appointment = get(db, appointment_id)
        plan(db, timing, appointment, CHANGED, now)
    return appointment


def cancel(db: sqlite_utils.Database, timing: Timing, appointment_id: int, *, now: datetime) -> Appointment:
    """Cancel an appointment and its pending reminders, and tell the person."""
    old = _existing(db, appointment_id)
    with db.atomic():
        db["appointments"].update(appointment_id, {"status": CANCELLED, "version": old.version + 1, "updated_at": iso(now)})
        appointment = get(db, appointment_id)
        plan(db, timing, appointment, CANCELLED, now)
    return appointment


def plan(db: sqlite_utils.Database, timing: Timing, appointment: Appointment, event: str, now: datetime) -> None:
    """Replace the appointment's pending messages: a notice of ``event``, then its reminders."""
    prefix = f"appointment:{appointment.id}:"
    told = was_told(db, appointment)
    outbox.cancel(db, user_id=appointment.user_id, key_prefix=prefix, reason=f"appointment {event}")
    if not told and event == CANCELLED:
        return  # the person never heard of it (its notice was still held): nothing to take back
    if not told:
        event = ADDED  # a change of an appointment the person never heard of is simply the news of it
    outbox.enqueue_many(db, _messages(timing, appointment, event, now))


def _messages(timing: Timing, appointment: Appointment, event: str, now: datetime) -> list[outbox.Planned]:
    """What an appointment's ``event`` plans: a notice now, then (unless cancelled) its reminders."""
    version = f"appointment:{appointment.id}:v{appointment.version}"
    start = appointment.starts_at

    def message(kind: str, key: str, due: datetime, **params: Any) -> outbox.Planned:
        due, quiet = timing.quiet.place(due, deadline=start)
        return outbox.Planned(
            user_id=appointment.user_id,
            chat_id=appointment.user_id,
            kind=kind,
            params={"appointment_id": appointment.id, "version": appointment.version, **params},
            due_at=due,
            key=key,
            quiet=quiet,
        )

    planned = [message(NOTICE, f"{version}:{event}", now, event=event)]
    if event != CANCELLED:
        for due, lead in _reminder_moments(timing, appointment, now).items():
            planned.append(message(REMINDER, f"{version}:{lead}", due, lead=lead))
    return planned


def _reminder_moments(timing: Timing, appointment: Appointment, now: datetime) -> dict[datetime, str]:
    """The reminders still to come: due moment (out of quiet hours) -> lead time."""
    start = appointment.starts_at
    planned: dict[datetime, str] = {}
    for lead in _longest_first(timing.leads(appointment.kind)):
        due = lead.before(start)
        if due > now:
            # Two reminders moved to the same moment (the end of quiet hours): the later one stays.
            planned[timing.quiet.place(due, deadline=start)[0]] = lead.text
    return planned


@functools.cache
def _longest_first(leads: tuple[Duration, ...]) -> tuple[Duration, ...]:
    return tuple(sorted(leads, key=lambda d: d.delta, reverse=True))


def replan_on_return(db: sqlite_utils.Database, timing: Timing, user_id: int, now: datetime) -> int:
    """A person who had blocked the bot writes again: their appointments' messages come back.

    While blocked, their rows were cancelled (``outbox.BLOCKED``, or
    ``outbox.INACTIVE`` when one fell due). For each appointment still ahead,
    the reminders still to come are planned again, and a notice they never got
    goes out now. Returns how many messages were planned again.
    """
    revived = 0
    with db.atomic():
        for appointment in list_appointments(db, user_id=user_id, after=now, planned_only=True):
            version = f"appointment:{appointment.id}:v{appointment.version}:"
            for due, lead in _reminder_moments(timing, appointment, now).items():
                due, quiet = timing.quiet.place(due, deadline=appointment.starts_at)
                revived += outbox.revive(db, f"{version}{lead}", due, quiet=quiet)
            for row_key in outbox.cancelled_for_absence(db, user_id=user_id, kind=NOTICE, key_prefix=version):
                due, quiet = timing.quiet.place(now, deadline=appointment.starts_at)
                revived += outbox.revive(db, row_key, due, quiet=quiet)
    return revived


def was_told(db: sqlite_utils.Database, appointment: Appointment) -> bool:
    """Whether any notice of this appointment reached the person."""
    return outbox.sent_count(db, user_id=appointment.user_id, kind=NOTICE, key_prefix=f"appointment:{appointment.id}:") > 0


def notice_held_until(db: sqlite_utils.Database, appointment: Appointment, now: datetime) -> datetime | None:
    """When the person will hear of the newest add, change or cancel, if quiet hours hold it back."""
    rows = outbox.pending(db, user_id=appointment.user_id, kinds=[NOTICE], key_prefix=f"appointment:{appointment.id}:")
    held = [row.due_at for row in rows if row.quiet and row.due_at > now]
    return min(held) if held else None


def answer(db: sqlite_utils.Database, appointment: Appointment, response: str, now: datetime) -> int | None:
    """Record "I will come" or "I cannot come"; the latter returns its ``cannot_come`` row id.

    One appointment has at most one "cannot come" row: answering it again
    reuses the row (and keeps a reason already given).
    """
    with db.atomic():
        db["appointments"].update(appointment.id, {"answer": response, "answered_at": iso(now)})
        if response != NOT_COMING:
            return None
        existing = db.execute("SELECT id FROM cannot_come WHERE appointment_id = ?", [appointment.id]).fetchone()
        if existing:
            return existing[0]
        row = {"user_id": appointment.user_id, "appointment_id": appointment.id, "created_at": iso(now)}
        return db["cannot_come"].insert(row).last_pk


def give_reason(db: sqlite_utils.Database, cannot_come_id: int, user_id: int, reason: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE cannot_come SET reason = ? WHERE id = ? AND user_id = ?", [reason.strip()[:MAX_TEXT], cannot_come_id, user_id]
        )


@dataclass(frozen=True)
class CannotCome:
    id: int
    appointment_id: int
    kind: str
    starts_at: str
    reason: str | None


def cannot_come_answers(db: sqlite_utils.Database, user_id: int) -> list[CannotCome]:
    """"I cannot come" answers that still stand: the appointment is planned and the answer unchanged."""
    rows = db.execute(
        "SELECT c.id, a.id, a.kind, a.starts_at, c.reason FROM cannot_come c"
        " JOIN appointments a ON a.id = c.appointment_id"
        " WHERE c.user_id = ? AND a.status = ? AND a.answer = ? ORDER BY a.starts_at",
        [user_id, PLANNED, NOT_COMING],
    )
    return [CannotCome(*row) for row in rows]


def cannot_come(db: sqlite_utils.Database, appointment_id: int) -> list[dict[str, Any]]:
    return list(db["cannot_come"].rows_where("appointment_id = ?", [appointment_id], order_by="id"))
