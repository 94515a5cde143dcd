"""Changing content files the way an editor would: one field or text, nothing else.

Front matter and ``ui.yaml`` are edited line by line rather than re-dumped
from YAML, so the editor's order, comments and quoting survive a tool run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from datetime import date

import yaml

from bot.editors import ui_sources
from bot.texts.content import Content, Item


def set_front_matter_field(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---")
    line = re.compile(rf"^{re.escape(field)}:.*$", re.M)
    new_line = f'{field}: "{value}"' if value == "" else f"{field}: {value}"
    if line.search(head):
        head = line.sub(lambda _: new_line, head, count=1)
    else:
        head = f"{head}\n{new_line}"
    path.write_text(head + sep + body, encoding="utf-8")


def yaml_scalar(value: object) -> str:
    """A value written the way YAML reads it back unchanged, on one line."""
    if isinstance(value, str) and "\n" in value:
        return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9)
    return dumped.removesuffix("\n").removesuffix("\n...")


def write_item(path: Path, fields: dict[str, object], body: str) -> None:
    """Write a new long text: front matter in the given order, then the body."""
    front = "\n".join(f"{name}: {yaml_scalar(value)}" for name, value in fields.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}\n---\n{body.strip()}\n", encoding="utf-8")


def set_body(path: Path, body: str) -> None:
    """Replace the text under the front matter, keeping the front matter as it is."""
    text = path.read_text(encoding="utf-8")
    head, _, _ = text.partition("\n---")
    path.write_text(f"{head}\n---\n{body.strip()}\n", encoding="utf-8")


def set_ui_text(path: Path, key: str, value: str) -> None:
    """Set one short text in a ``ui.yaml``, keeping the other lines and comments."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    new_line = f"{key}: {yaml_scalar(value)}"
    start = re.compile(rf"^{re.escape(key)}:(\s|$)")
    at = next((n for n, line in enumerate(lines) if start.match(line)), None)
    if at is None:
        lines.append(new_line)
    else:
        end = at + 1
        while end < len(lines) and lines[end][:1].isspace() and lines[end].strip():
            end += 1  # continuation lines of a value spread over several lines
        lines[at:end] = [new_line]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stamp(
    content: Content,
    lang: str,
    item_ids: list[str] | None = None,
    reviewer: str | None = None,
    reviewed_on: date | None = None,
) -> list[Item]:
    """Record that translations are made from the current Dutch text; with a reviewer, that they were reviewed.

    Without a reviewer, a translation whose Dutch text changed goes back to
    ``status: draft``: an earlier review was of another text. Returns the
    items whose file changed.
    """
    changed = []
    for item_id, item in sorted(content.items.get(lang, {}).items()):
        if item_ids and item_id not in item_ids:
            continue
        source = content.source_item(item_id)
        is_source = lang == content.journey.source_language
        if source is None and not is_source:
            continue
        touched = False
        if not is_source and item.source_hash != source.content_hash:
            set_front_matter_field(item.path, "source_hash", yaml_scalar(source.content_hash))
            touched = True
            if item.status == "reviewed" and not reviewer:
                set_front_matter_field(item.path, "status", "draft")
        if reviewer:
            when = (reviewed_on or date.today()).isoformat()
            set_front_matter_field(item.path, "status", "reviewed")
            set_front_matter_field(item.path, "reviewer", yaml_scalar(reviewer))
            set_front_matter_field(item.path, "reviewed_at", when)
            touched = True
        if touched:
            changed.append(item)
    return changed


def stamp_ui(content: Content, lang: str, keys: list[str] | None = None) -> list[str]:
    """Record that short texts are translated from the current Dutch texts; returns the keys whose record changed."""
    dutch = content.ui.get(content.journey.source_language, {})
    made_from = {
        key: dutch[key] for key in content.ui.get(lang, {}) if key in dutch and (not keys or key in keys)
    }
    return ui_sources.record(content.root, lang, made_from)
