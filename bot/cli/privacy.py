"""``wegwijs privacy status``: what the retention sweep will drop, and when.

Read-only, on the database directly (also while the bot runs), with the
retention rules of the content in use (``retention:`` in journey.yaml).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.people import retention
from bot.core.clock import clock_starting_at
from bot.core.config import TIMEZONE, Settings
from bot.texts.content import ContentError, load_content
from bot.core.db import open_db
from bot.texts.journey import JourneyError

HEADER = ("what", "kept", "stored", "due now", "next goes (Amsterdam)")


def _local(moment: Any) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _status(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(db_path=args.db, content_dir=args.content)
        rules = retention.load_rules(load_content(settings.content_dir).journey)
    except (ValueError, ContentError, JourneyError) as exc:
        print(f"wegwijs privacy status: {exc}", file=sys.stderr)
        return 2
    now = clock_starting_at(settings.clock_start).now()
    db = open_db(settings.db_path)
    try:
        rows = retention.status(db, rules, now)
    finally:
        db.close()
    if args.format == "json":
        found = [{**r.__dict__, "next_at": r.next_at.isoformat() if r.next_at else None} for r in rows]
        print(json.dumps(found, indent=2))
        return 0
    table = [HEADER] + [(r.what, r.kept, str(r.stored), str(r.due_now), _local(r.next_at)) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    every = f"every {settings.retention_seconds:g} s" if settings.retention_seconds > 0 else "not in this setup"
    print(f"Retention (journey.yaml, retention:) at {_local(now)}; the running bot drops what is due {every}.")
    for row in table:
        cells = [cell.rjust(w) if i in (2, 3) else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        print("  ".join(cells).rstrip())
    return 0


def add_parsers(sub: Any) -> None:
    """Add ``privacy status`` to the ``wegwijs`` parser."""
    privacy = sub.add_parser("privacy", help="personal data: what is kept and when it goes")
    commands = privacy.add_subparsers(dest="privacy_command", required=True)
    status = commands.add_parser("status", help="per kind of data: how long it is kept, how much, what goes when")
    status.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
    status.add_argument("--content", type=Path, help="content folder (default: the one in this repository)")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.set_defaults(func=_status)
