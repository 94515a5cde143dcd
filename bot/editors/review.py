"""The review gate: ``status: reviewed`` is a claim a named person made about the current Dutch text.

A translation (Dutch is the source: no gate) may say ``status: reviewed`` only with ``reviewer:`` (who),
``reviewed_at:`` (the date, YYYY-MM-DD) and the ``source_hash`` of the Dutch
text as it is now: a review of an older Dutch text says nothing about the
new one, so the bot then treats the translation as not reviewed. ``wegwijs content stamp --reviewer NAME`` writes all three.
"""

from __future__ import annotations

from datetime import date

from bot.texts.content import Content, Item

REVIEWED = "reviewed"


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def review_problems(content: Content, item: Item) -> list[tuple[str, str, str]]:
    """What is missing for a translation's ``status: reviewed``: (field, message, how to fix).

    A missing reviewer or date is an error. A review of an older Dutch text
    is reported by ``stale_review`` as a warning instead: a Dutch fix must
    ship at once (live reload refuses content with errors), and the bot
    already treats such a translation as not reviewed (``is_checked``).

    Dutch texts are the source: their editors answer for them, so no gate applies.
    """
    if item.status != REVIEWED or item.lang == content.journey.source_language:
        return []
    again = f"have it reviewed: wegwijs content stamp --lang {item.lang} --item {item.id} --reviewer 'Name'"
    problems = []
    if not str(item.meta.get("reviewer") or "").strip():
        problems.append(("status", "'status: reviewed' without 'reviewer:': who checked it?", again))
    if _date(item.meta.get("reviewed_at")) is None:
        problems.append(
            ("status", "'status: reviewed' without a date 'reviewed_at: YYYY-MM-DD'", again)
        )
    return problems


def stale_review(content: Content, item: Item) -> tuple[str, str] | None:
    """A translation marked reviewed whose Dutch text changed after the review: (message, how to fix)."""
    if item.status != REVIEWED or item.lang == content.journey.source_language or not content.is_stale(item):
        return None
    return (
        "'status: reviewed', but the review was of an older Dutch text: readers are told it is not checked",
        f"write 'status: draft', or have it checked against the new Dutch text: "
        f"wegwijs content stamp --lang {item.lang} --item {item.id} --reviewer 'Name'",
    )


def is_checked(content: Content, item: Item) -> bool:
    """Whether a reader may rely on this text: Dutch, or a translation reviewed against the current Dutch text."""
    if item.lang == content.journey.source_language:
        return True
    return item.status == REVIEWED and not content.is_stale(item) and not review_problems(content, item)
