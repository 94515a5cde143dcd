"""The lines ``wegwijs run`` writes to its log: what is running, and each content reload.

An operator reading the log of a server should see at once which bot runs on
which database with which content, and when the content changed.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.core.config import Settings

log = logging.getLogger(__name__)

LOGGER = "bot"
"""The program's loggers; ``wegwijs run`` shows their INFO lines."""


def content_version(root: Path) -> str:
    """A short hash of what the content files say (not when they were saved): equal content, equal version."""
    from bot.texts.reload import content_files

    digest = hashlib.sha256()
    for path in content_files(root):
        try:
            digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes() + b"\0")
        except OSError:
            continue  # removed while we looked; the next reload sees it
    return digest.hexdigest()[:12]


def log_start(settings: Settings, bot_name: str) -> None:
    """One line at start: bot name, database, content and its version, dispatch interval."""
    log.info(
        "wegwijs started: bot @%s, database %s, content %s (version %s), dispatch every %g s%s",
        bot_name,
        Path(settings.db_path).resolve(),
        Path(settings.content_dir).resolve(),
        content_version(settings.content_dir),
        settings.dispatch_seconds,
        "" if settings.dispatch_seconds > 0 else " (0: this process sends no scheduled messages)",
    )
