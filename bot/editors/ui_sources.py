"""Which Dutch text each translated short text was made from: ``content/<lang>/ui.sources.yaml``.

A long text records its ``source_hash`` in its front matter; ``ui.yaml`` is
a flat list of texts, so the hashes of its translations live beside it, one
line per key (``menu.header: 3f2a9c81d0e4``). When a Dutch short text
changes, its translations no longer match their recorded hash: they are
*stale* (a warning in ``wegwijs content check``, fuzzy in the PO export)
until a translator updates them and stamps them again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when installed: the same result, many times faster."""

SOURCES_FILE = "ui.sources.yaml"
HEADER = (
    "# Which Dutch text each short text in ui.yaml was translated from (a hash per key).\n"
    "# Written by `wegwijs content stamp` and `import-po`; do not edit by hand.\n"
)


def ui_hash(dutch: str) -> str:
    """The hash a translation records for the Dutch short text it was made from."""
    return hashlib.sha256(dutch.strip().encode()).hexdigest()[:12]


def sources_path(root: Path, lang: str) -> Path:
    return root / lang / SOURCES_FILE


def load_sources(root: Path, lang: str) -> dict[str, str]:
    """Per key, the hash of the Dutch text its translation was made from (empty when not recorded)."""
    path = sources_path(root, lang)
    if not path.exists():
        return {}
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def write_sources(root: Path, lang: str, hashes: dict[str, str]) -> None:
    lines = [f'{key}: "{value}"' for key, value in sorted(hashes.items())]
    sources_path(root, lang).write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


def record(root: Path, lang: str, made_from: dict[str, str]) -> list[str]:
    """Record that these keys were translated from these Dutch texts; returns the keys whose hash changed."""
    hashes = load_sources(root, lang)
    changed = [key for key, dutch in made_from.items() if hashes.get(key) != ui_hash(dutch)]
    if changed:
        hashes.update({key: ui_hash(made_from[key]) for key in changed})
        write_sources(root, lang, hashes)
    return changed


def stale_keys(dutch: dict[str, str], translated: dict[str, str], hashes: dict[str, str]) -> set[str]:
    """Translated keys whose recorded Dutch text is not the current one."""
    return {key for key in translated if key in dutch and key in hashes and hashes[key] != ui_hash(dutch[key])}


def untracked_keys(dutch: dict[str, str], translated: dict[str, str], hashes: dict[str, str]) -> list[str]:
    """Translated keys that record no Dutch text at all."""
    return [key for key in translated if key in dutch and key not in hashes]
