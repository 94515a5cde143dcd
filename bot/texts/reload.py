"""Live reload: a running bot picks up edited content without a restart.

Every few seconds (``WEGWIJS_RELOAD_SECONDS``) a job looks whether a content
file changed; ``kill -HUP <pid>`` asks for a reload at once. New content is
checked first (``bot.editors.checker``): with errors it is refused, the errors are
logged, and the bot keeps serving the last good content. Content that passes
replaces the whole ``Renderer``, so everything derived from it starts afresh.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.texts.content import ContentError, load_content
from bot.texts.render import Renderer
from bot.core.runlog import content_version
from bot.core.services import Services

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".yaml", ".md")

AfterReload = Callable[[], Awaitable[None]]


def content_files(root: Path) -> list[Path]:
    """The files the bot reads: the path file, the glossary, short and long texts, recordings."""
    patterns = ("journey.yaml", "glossary.yaml", "*/ui.yaml", "*/items/*.md", "*/audio/*")
    return sorted(path for pattern in patterns for path in root.glob(pattern))


def fingerprint(root: Path) -> str:
    """Changes whenever a content file is added, removed or edited."""
    digest = hashlib.sha256()
    for path in content_files(root):
        try:
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
            if path.suffix in TEXT_SUFFIXES:
                digest.update(path.read_bytes())
        except OSError:
            continue  # removed while we looked (an editor saving); the next look sees it
    return digest.hexdigest()


class ContentReloader:
    """Reloads the content of one running bot; its scheduler calls ``look_for_changes``
    (Telegram: ``bot/channels/telegram/jobs.py``)."""

    def __init__(self, services: Services, root: Path, after_reload: AfterReload | None = None) -> None:
        self.services = services
        self.root = root
        self.after_reload = after_reload
        self.seen = fingerprint(root)
        self._lock = asyncio.Lock()

    async def reload(self, reason: str) -> bool:
        """Check the content and, if it passes, serve it. Returns whether it was taken."""
        # The editors' checker (and all it reads with) is needed only when
        # content changes, not on the bot's start path (bench/start.py).
        from bot.editors.checker import check_content

        async with self._lock:
            self.seen = await asyncio.to_thread(fingerprint, self.root)
            errors = [f for f in await asyncio.to_thread(check_content, self.root) if f.is_error]
            if errors:
                details = "\n".join(f.format(self.root.parent) for f in errors)
                log.error(
                    "content change refused (%s): %d error(s); still serving the last good content\n%s",
                    reason,
                    len(errors),
                    details,
                )
                return False
            try:
                content = await asyncio.to_thread(load_content, self.root)
            except ContentError as exc:
                log.error("content change refused (%s): %s; still serving the last good content", reason, exc)
                return False
            self.services.renderer = Renderer(content)
            version = await asyncio.to_thread(content_version, self.root)
            log.info("content reloaded (%s): content version %s", reason, version)
        if self.after_reload is not None:
            await self.after_reload()
        return True

    async def look_for_changes(self) -> None:
        if await asyncio.to_thread(fingerprint, self.root) != self.seen:
            await self.reload("content files changed")
