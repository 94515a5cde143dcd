"""``wegwijs appointment add|change|cancel|list`` and ``wegwijs outbox status``.

They work on the database directly, also while the bot runs (SQLite in WAL
mode): the running bot's dispatcher sends what they plan. Errors are the UI
texts ``appointment.error.*`` in English, the same the klantmanager sees.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.reminders import appointments
from bot.delivery import outbox
from bot.reminders.appointments import Appointment, AppointmentError
from bot.core.clock import clock_starting_at
from bot.core.config import TIMEZONE, Settings
from bot.texts.content import load_content
from bot.core.db import open_db
from bot.texts.journey import load_journey
from bot.texts.render import Renderer
from bot.texts.timing import Timing, load_timing

LANG = "en"
FIELDS = ("place", "map_url", "bring", "note")


@dataclass(frozen=True)
class Context:
    db: sqlite_utils.Database
    now: datetime
    content_dir: Path

    @cached_property
    def renderer(self) -> Renderer:
        """The content, read only by commands that need it (``outbox status`` does not: it stays quick)."""
        return Renderer(load_content(self.content_dir))

    @cached_property
    def timing(self) -> Timing:
        """From the path data alone (``outbox status`` needs the quiet hours, not the texts)."""
        return load_timing(load_journey(self.content_dir / "journey.yaml"))


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _local(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime(appointments.LOCAL_FORMAT)


def _command(run: Callable[[argparse.Namespace, Context], int]) -> Callable[[argparse.Namespace], int]:
    """Open the database and content, run, and turn bad input into a message and exit code 2."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            settings = Settings.from_env(db_path=args.db, content_dir=args.content)
        except ValueError as exc:
            print(f"wegwijs: {exc}", file=sys.stderr)
            return 2
        context = Context(
            db=open_db(settings.db_path),
            now=clock_starting_at(settings.clock_start).now(),
            content_dir=settings.content_dir,
        )
        try:
            return run(args, context)
        except AppointmentError as exc:
            print(_plain(context.renderer.ui(LANG, exc.key, **exc.values)), file=sys.stderr)
            return 2
        finally:
            context.db.close()

    return wrapped


def _describe(c: Context, appointment: Appointment) -> list[str]:
    answer = f"  answer: {appointment.answer}" if appointment.answer else ""
    lines = [
        f"#{appointment.id}  user {appointment.user_id}  {appointment.kind}  "
        f"{appointment.local_start}  {appointment.status}{answer}"
    ]
    lines.extend(f"    {name}: {getattr(appointment, name)}" for name in FIELDS if getattr(appointment, name))
    for row in appointments.cannot_come(c.db, appointment.id):
        reason = row["reason"] if row["reason"] is not None else "(no reason given)"
        lines.append(f"    cannot come ({_local(datetime.fromisoformat(row['created_at']))}): {reason}")
    planned = outbox.pending(c.db, user_id=appointment.user_id, key_prefix=f"appointment:{appointment.id}:")
    if planned:
        lines.append("    messages: " + ", ".join(f"{_local(r.due_at)} {r.kind.split('.')[-1]}" for r in planned))
    return lines


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {name: getattr(args, name) for name in ("kind", *FIELDS) if getattr(args, name) is not None}
    if args.at is not None:
        fields["starts_at"] = appointments.parse_local(args.at)
    return fields


def _add(args: argparse.Namespace, c: Context) -> int:
    appointment = appointments.add(c.db, c.timing, user_id=args.user, now=c.now, **_fields(args))
    print("\n".join(_describe(c, appointment)))
    return 0


def _change(args: argparse.Namespace, c: Context) -> int:
    appointment = appointments.change(c.db, c.timing, args.id, now=c.now, **_fields(args))
    print("\n".join(_describe(c, appointment)))
    return 0


def _cancel(args: argparse.Namespace, c: Context) -> int:
    appointment = appointments.cancel(c.db, c.timing, args.id, now=c.now)
    print("\n".join(_describe(c, appointment)))
    return 0


def _list(args: argparse.Namespace, c: Context) -> int:
    found = appointments.list_appointments(c.db, user_id=args.user, after=None if args.all else c.now)
    for appointment in found:
        print("\n".join(_describe(c, appointment)))
    return 0


def _status(args: argparse.Namespace, c: Context) -> int:
    quiet_now = c.timing.quiet.contains(c.now)
    report = outbox.status(c.db, c.now, quiet_now=quiet_now)
    print(f"{'kind':<28}" + "".join(f"{s:>10}" for s in outbox.STATUSES))
    for kind, counts in sorted(report.counts.items()):
        print(f"{kind:<28}" + "".join(f"{counts.get(s, 0):>10}" for s in outbox.STATUSES))
    next_due = _local(report.next_due) if report.next_due else "-"
    print(f"due now: {report.due_now}   next due: {next_due} (Amsterdam time)")
    if report.held:
        print(f"held for quiet hours: {report.held}, sent from {_local(c.timing.quiet.next_end(c.now))}")
    for row in report.failed:
        print(f"failed #{row.id} {row.kind} user {row.user_id} after {row.attempts} attempts: {row.last_error}")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
    parser.add_argument("--content", type=Path, help="content folder (default: the one in this repository)")


def _appointment_fields(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--kind", required=required, help="kind of appointment, as in content/journey.yaml")
    parser.add_argument("--at", required=required, help='local date and time, Europe/Amsterdam: "2025-04-01 09:30"')
    parser.add_argument("--place", help="address")
    parser.add_argument("--map-url", dest="map_url", help="link to a map of the place (https://...)")
    parser.add_argument("--bring", help="what to bring")
    parser.add_argument("--note", help="a free note for the person")


def add_parsers(sub: Any) -> None:
    """Add the ``appointment`` and ``outbox`` commands to the ``wegwijs`` parser."""
    appointment = sub.add_parser("appointment", help="plan, change, cancel and list appointments")
    commands = appointment.add_subparsers(dest="appointment_command", required=True)
    add = commands.add_parser("add", help="add an appointment and plan its reminders")
    add.add_argument("--user", type=int, required=True, help="the person id (users.id in the database)")
    _appointment_fields(add, required=True)
    _common(add)
    add.set_defaults(func=_command(_add))
    change = commands.add_parser("change", help="change an appointment; its reminders are planned again")
    change.add_argument("id", type=int, help="appointment number")
    _appointment_fields(change, required=False)
    _common(change)
    change.set_defaults(func=_command(_change))
    cancel = commands.add_parser("cancel", help="cancel an appointment and its reminders")
    cancel.add_argument("id", type=int, help="appointment number")
    _common(cancel)
    cancel.set_defaults(func=_command(_cancel))
    listing = commands.add_parser("list", help="coming appointments, answers and reasons, planned messages")
    listing.add_argument("--user", type=int, help="only this person's")
    listing.add_argument("--all", action="store_true", help="past ones too")
    _common(listing)
    listing.set_defaults(func=_command(_list))

    box = sub.add_parser("outbox", help="the scheduled messages")
    box_commands = box.add_subparsers(dest="outbox_command", required=True)
    status = box_commands.add_parser("status", help="how many messages are pending, sent, failed...")
    _common(status)
    status.set_defaults(func=_command(_status))
