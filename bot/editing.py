"""Changing content files the way an editor would: one field, nothing else.

Front matter is edited line by line rather than re-dumped from YAML, so the
editor's order, comments and quoting survive a tool run.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.content import Content, Item


def set_front_matter_field(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---")
    line = re.compile(rf"^{re.escape(field)}:.*$", re.M)
    new_line = f'{field}: "{value}"' if value == "" else f"{field}: {value}"
    if line.search(head):
        head = line.sub(new_line, head, count=1)
    else:
        head = f"{head}\n{new_line}"
    path.write_text(head + sep + body, encoding="utf-8")


def stamp(content: Content, lang: str, item_ids: list[str] | None = None) -> list[Item]:
    """Record that translations are up to date with the current Dutch text.

    Returns the items whose recorded source hash changed.
    """
    changed = []
    for item_id, item in sorted(content.items.get(lang, {}).items()):
        if item_ids and item_id not in item_ids:
            continue
        source = content.source_item(item_id)
        if source is None or item.source_hash == source.content_hash:
            continue
        set_front_matter_field(item.path, "source_hash", source.content_hash)
        changed.append(item)
    return changed
