"""A consistent copy of the live database, safe while the bot runs (``wegwijs backup PATH``).

SQLite's online backup API copies the pages in one step, inside one read
transaction: in WAL mode the bot keeps writing meanwhile, and the copy is the
database as it was at one moment (never half a transaction). The copy is
written next to PATH under a temporary name, checked (``PRAGMA
integrity_check``) and only then renamed to PATH, so PATH is either a whole,
checked copy or not there.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bot.core.db_locks import TOOL_BUSY_TIMEOUT_MS


class BackupError(Exception):
    """Why no backup was written (for the operator)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    schema_version: int
    people: int
    outbox_rows: int
    seconds: float


def _refuse(source: Path, target: Path, force: bool) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the name of the file to write, e.g. {target / 'wegwijs-backup.db'}")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.exists():
        if target.resolve() == source.resolve():
            raise BackupError(f"{target} is the live database itself")
        if not force:
            raise BackupError(f"{target} exists; add --force to overwrite it")


def _count(db: sqlite3.Connection, table: str) -> int:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0] if exists else 0


def backup(source: Path, target: Path, *, force: bool = False) -> Backup:
    """Copy the database at ``source`` to ``target``; raises :class:`BackupError` with the reason."""
    _refuse(source, target, force)
    started = time.monotonic()
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        # mode=rw: never create a database where there was none; no migration either.
        live = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=TOOL_BUSY_TIMEOUT_MS / 1000)
        try:
            copy = sqlite3.connect(partial)
            try:
                live.backup(copy)
                # One file, no -wal beside it: the copy can be moved and opened anywhere.
                copy.execute("PRAGMA journal_mode = DELETE")
                problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
                if problems != ["ok"]:
                    raise BackupError(f"the copy failed its integrity check: {'; '.join(problems[:5])}")
                version_row = copy.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                found = (int(version_row[0]) if version_row else 0, _count(copy, "users"), _count(copy, "outbox"))
            finally:
                copy.close()
        finally:
            live.close()
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy {source}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"could not write {target}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, *found, seconds=time.monotonic() - started)
