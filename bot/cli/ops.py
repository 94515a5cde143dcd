"""``wegwijs backup PATH``: a consistent copy of the live database (``bot/ops/backup.py``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.core.config import Settings
from bot.ops.backup import BackupError, backup


def _backup(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(db_path=args.db)
        done = backup(settings.db_path, args.path, force=args.force)
    except (ValueError, BackupError) as exc:
        print(f"wegwijs backup: {exc}", file=sys.stderr)
        return 2
    print(
        f"{done.path}: {done.size:,} bytes, schema version {done.schema_version}, {done.people:,} people,"
        f" {done.outbox_rows:,} outbox rows; integrity ok ({done.seconds:.1f} s)"
    )
    return 0


def add_parsers(sub: Any) -> None:
    """Add ``backup`` to the ``wegwijs`` parser."""
    command = sub.add_parser(
        "backup", help="copy the live database to PATH, consistently, also while the bot runs (restore: README)"
    )
    command.add_argument("path", type=Path, help="the file to write (refused if it exists, unless --force)")
    command.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
    command.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    command.set_defaults(func=_backup)
