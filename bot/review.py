"""The review gate: ``status: reviewed`` is a claim a named person made about the current Dutch text.

A translation may say ``status: reviewed`` only with ``reviewer:`` (who),
``reviewed_at:`` (the date, YYYY-MM-DD) and the ``source_hash`` of the Dutch
text as it is now: a review of an older Dutch text says nothing about the
new one. ``wegwijs content stamp --reviewer NAME`` writes all three.
"""

from __future__ import annotations

from datetime import date

from bot.content import Content, Item

REVIEWED = "reviewed"


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def review_problems(content: Content, item: Item) -> list[tuple[str, str, str]]:
    """What is missing for an item's ``status: reviewed``: (field, message, how to fix)."""
    if item.status != REVIEWED:
        return []
    again = f"have it reviewed: wegwijs content stamp --lang {item.lang} --item {item.id} --reviewer 'Name'"
    problems = []
    if not str(item.meta.get("reviewer") or "").strip():
        problems.append(("status", "'status: reviewed' without 'reviewer:': who checked it?", again))
    if _date(item.meta.get("reviewed_at")) is None:
        problems.append(
            ("status", "'status: reviewed' without a date 'reviewed_at: YYYY-MM-DD'", again)
        )
    if item.lang != content.journey.source_language and content.is_stale(item):
        problems.append(
            (
                "source_hash",
                "'status: reviewed', but the Dutch text changed after the review",
                f"write 'status: draft' until someone checks the translation against the new Dutch text; then {again}",
            )
        )
    return problems


def is_checked(content: Content, item: Item) -> bool:
    """Whether a reader may rely on this text: Dutch, or a translation reviewed against the current Dutch text."""
    if item.lang == content.journey.source_language:
        return True
    return item.status == REVIEWED and not content.is_stale(item) and not review_problems(content, item)
