"""One running bot per database.

``wegwijs run`` (and ``wegwijs web``) own their database: the outbox dispatcher
claims every due row, the retention sweep erases people, the web chat's
sessions live in the process that serves them. A second bot on the same file
would claim rows for chats it does not serve and put them back for minutes
(``bot/delivery/deliver.py``), and Telegram refuses a second long poll with
the same token anyway. So the second start stops at once with the first one's
process id.

The lock is an advisory ``flock`` on ``<database>.owner`` beside the file: the
system lets go of it when the process ends in any way, ``kill -9`` included,
so a crash never leaves a stale lock behind. Tools that only read or take a
backup (``wegwijs outbox status``, ``wegwijs backup``) do not take it. On a
system without ``fcntl`` (Windows) there is no lock and no check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class DatabaseInUse(Exception):
    """Another process runs a bot on this database."""

    def __init__(self, db_path: Path, pid: str) -> None:
        self.db_path = db_path
        self.pid = pid
        owner = f"process {pid}" if pid else "another process"
        super().__init__(f"{owner} already runs a bot on {db_path}; stop it first, or give this one another --db")


def owner_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".owner")


@contextmanager
def owned(db_path: Path) -> Iterator[None]:
    """Hold the database for this process until the block ends; ``DatabaseInUse`` if another holds it."""
    if fcntl is None:
        yield
        return
    path = owner_file(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(db_path, os.pread(fd, 32, 0).decode("ascii", "replace").strip()) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the only descriptor lets go of the lock
