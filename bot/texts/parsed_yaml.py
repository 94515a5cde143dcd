"""YAML of the content, parsed once and kept between starts.

Parsing the content's YAML (the path, every ``ui.yaml``, 110 front matter
blocks, the glossary) was the largest single cost of ``wegwijs run`` after the
imports: about 50 ms, and PyYAML's import on top. The parsed values are kept
in one file, keyed by a hash of each text, as Python keeps bytecode: a text an
editor changed has another hash and is parsed again, so the cache can never
serve an old text, whatever the clocks and timestamps say. A missing, broken
or unwritable cache only costs the parse.

Each value is kept pickled and read back with an unpickler that refuses
anything but plain values (what a safe YAML load gives: dicts, lists,
strings, numbers, dates), so a file put in its place cannot run code, and
every caller gets a fresh copy it may change.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_ENV = "WEGWIJS_CACHE_DIR"
"""Where the cache lives (default: ``$XDG_CACHE_HOME/wegwijs`` or ``~/.cache/wegwijs``)."""
CACHE_FILE = "parsed-yaml-v1.pickle"
KEEP_AT_MOST = 2000
"""Entries kept; beyond this only those used by the last process stay (old texts fall out)."""
_SAFE = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"), ("datetime", "timezone")}


class YamlSyntaxError(ValueError):
    """The text is not valid YAML: the line of the mistake (from ``first_line`` on) and what it is."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


class _PlainValues(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not a plain value: {module}.{name}")


class _Cache:
    def __init__(self) -> None:
        self.entries: dict[str, bytes] | None = None
        self.used: set[str] = set()
        self.dirty = False

    def path(self) -> Path:
        base = os.environ.get(CACHE_ENV) or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "wegwijs"
        )
        return Path(base) / CACHE_FILE

    def load(self) -> dict[str, bytes]:
        if self.entries is None:
            try:
                data = _plain(self.path().read_bytes())
                self.entries = data if isinstance(data, dict) else {}
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
                self.entries = {}
        return self.entries

    def save(self) -> None:
        if not self.dirty or self.entries is None:
            return
        entries = self.entries
        if len(entries) > KEEP_AT_MOST:
            entries = {key: entries[key] for key in self.used if key in entries}
        path = self.path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".parsed-yaml-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(entries, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)  # whole or not at all, also with several processes at once
            self.dirty = False
        except OSError as exc:  # a read-only home: every start parses, nothing else changes
            log.debug("parsed YAML not kept: %s", exc)


_cache = _Cache()


def parse(text: str, first_line: int = 1) -> Any:
    """The value of a YAML text (a safe load), from the cache when the same text was parsed before."""
    key = hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()
    entries = _cache.load()
    _cache.used.add(key)
    if key in entries:
        try:
            return _plain(entries[key])
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            pass  # a damaged entry: parse again
    value = _parse(text, first_line)
    entries[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _cache.dirty = True
    return value


def _plain(data: bytes) -> Any:
    return _PlainValues(io.BytesIO(data)).load()


def keep() -> None:
    """Write what was parsed for the next start (after a whole content tree was loaded)."""
    _cache.save()


def _parse(text: str, first_line: int) -> Any:
    import yaml  # only when a text is new: a start with an unchanged content tree does without

    from bot.texts.yaml_errors import describe

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: about 7x faster than pure Python
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        line, problem = describe(exc, first_line)
        raise YamlSyntaxError(line, problem) from exc
