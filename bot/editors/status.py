"""``wegwijs content status``: how far each language is, per language.

Every Dutch long text counts once. A translation is *complete* when it exists
and was made from the current Dutch text, *stale* when the Dutch text changed
since, *missing* when there is no file. Draft and reviewed count the texts
that exist. Short texts (``ui.yaml``) are counted apart.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from bot.texts.content import Content

COLUMNS = ("complete", "missing", "stale", "draft", "reviewed")


@dataclass(frozen=True)
class LanguageStatus:
    lang: str
    total: int
    complete: int
    missing: int
    stale: int
    draft: int
    reviewed: int
    ui_total: int
    ui_missing: int

    def percent(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 100.0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "percent": {column: self.percent(getattr(self, column)) for column in COLUMNS}}


def content_status(content: Content) -> list[LanguageStatus]:
    journey = content.journey
    source_items = content.items.get(journey.source_language, {})
    source_ui = journey.translatable_ui(content.ui.get(journey.source_language, {}))
    statuses = []
    for lang in journey.languages:
        present = [item for item_id, item in content.items.get(lang, {}).items() if item_id in source_items]
        stale = sum(content.is_stale(item) for item in present)
        statuses.append(
            LanguageStatus(
                lang=lang,
                total=len(source_items),
                complete=len(present) - stale,
                missing=len(source_items) - len(present),
                stale=stale,
                draft=sum(item.status == "draft" for item in present),
                reviewed=sum(item.status == "reviewed" for item in present),
                ui_total=len(source_ui),
                ui_missing=len(set(source_ui) - set(content.ui.get(lang, {}))),
            )
        )
    return statuses


def status_json(statuses: list[LanguageStatus]) -> str:
    return json.dumps({"languages": [s.as_dict() for s in statuses]}, indent=2)


def status_table(statuses: list[LanguageStatus]) -> str:
    """A plain-text table for a terminal, one row per language."""
    header = ["language", *COLUMNS, "short texts missing"]
    rows = [
        [
            s.lang,
            *(f"{getattr(s, column)}/{s.total} ({s.percent(getattr(s, column)):.0f}%)" for column in COLUMNS),
            f"{s.ui_missing}/{s.ui_total}",
        ]
        for s in statuses
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )
