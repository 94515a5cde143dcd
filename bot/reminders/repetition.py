"""Repeating what matters: critical items until understood, and "good to know".

When a person reaches a step (``on_step_reached``), each critical item of the
step is sent with the question "Did you understand?", one at a time: the next
when the person answers (``bring_next``) or ``NEXT_ITEM_PAUSE`` later. Until the person
answers "Yes", the item comes back on the spaced schedule of the path data
(``repetition.critical``, counted from the first message); some time after
the last repeat (``repetition.not_understood_after``) it goes on the
klantmanager's list of things not understood (table ``not_understood``).

Non-critical items of the step come back as a short "good to know", one at a
time, at most once per ``repetition.good_to_know_every``, never in quiet
hours, going round the step's items ``good_to_know_rounds`` times.

Both are chains in the outbox: each message plans the next one when it is
sent, so there is never more than one pending row per chain. A person can
pause repetition (not appointment reminders): paused messages are skipped,
and the chain goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from bot.delivery import outbox
from bot.core.clock import iso, parse_iso
from bot.texts.journey import Journey, Step
from bot.texts.timing import Timing, load_timing

ASKED, UNDERSTOOD, NOT_UNDERSTOOD = "asked", "understood", "not_understood"
CRITICAL, ESCALATE, GOOD_TO_KNOW = "critical.item", "critical.not_understood", "good_to_know"
REPETITION_KINDS = (CRITICAL, ESCALATE, GOOD_TO_KNOW)
NEXT_ITEM_PAUSE = timedelta(hours=1)
"""How long the next critical item of a step waits when the person does not answer the check."""


@dataclass(frozen=True)
class Check:
    """Whether a person understood one critical item."""

    user_id: int
    item_id: str
    status: str
    round: int
    """Each time the item is asked anew (the step is reached again), a new round."""
    first_sent_at: datetime | None
    unclear_count: int


def get_check(db: sqlite_utils.Database, user_id: int, item_id: str) -> Check | None:
    rows = list(db["item_checks"].rows_where("user_id = ? AND item_id = ?", [user_id, item_id]))
    if not rows:
        return None
    row = rows[0]
    return Check(
        user_id=user_id,
        item_id=item_id,
        status=row["status"],
        round=row["round"],
        first_sent_at=parse_iso(row["first_sent_at"]) if row["first_sent_at"] else None,
        unclear_count=row["unclear_count"],
    )


def _chain_prefix(user_id: int, item_id: str) -> str:
    return f"critical:{user_id}:{item_id}:"


def _gtk_prefix(user_id: int, step_id: str) -> str:
    return f"good_to_know:{user_id}:{step_id}:"


def good_to_know_items(step: Step) -> tuple[str, ...]:
    return tuple(ref.id for ref in step.items if not ref.critical)


def on_step_reached(
    db: sqlite_utils.Database,
    journey: Journey,
    user_id: int,
    step_id: str,
    now: datetime,
    *,
    by_person: bool = False,
) -> None:
    """Plan what a person gets at this step; safe to call again for the same step.

    Repetition planned for items of other steps stops. ``by_person``: the
    person chose the step just now, so its first messages go at once, also
    late in the evening; otherwise they wait for the end of quiet hours.
    """
    step = journey.step(step_id)
    if step is None:
        raise ValueError(f"unknown step {step_id!r}")
    timing = load_timing(journey)
    with db.atomic():  # one commit for all of the person's messages
        elsewhere = [r.id for r in outbox.pending(db, user_id=user_id, kinds=REPETITION_KINDS) if not _belongs(r, step)]
        outbox.cancel(db, ids=elsewhere, reason="another step")
        planned = 0
        for item_id in step.critical_items:
            # One at a time: the first now, each next one a pause later, or sooner when
            # the person answers "Did you understand?" (``bring_next``).
            due, quiet = (now, not by_person) if planned == 0 else timing.quiet.place(now + planned * NEXT_ITEM_PAUSE)
            planned += _ask(db, user_id, step, item_id, due, quiet=quiet)
        plan_good_to_know(db, timing, user_id, step, now)


def bring_next(db: sqlite_utils.Database, user_id: int, now: datetime) -> None:
    """The person answered a check: the next critical item waiting its turn comes now."""
    waiting = [row for row in outbox.pending(db, user_id=user_id, kinds=[CRITICAL]) if row.params["n"] == 0 and row.due_at > now]
    if not waiting:
        return
    row = waiting[0]
    with db.atomic():
        outbox.cancel(db, ids=[row.id], reason="brought forward")
        outbox.enqueue(
            db, user_id=user_id, chat_id=row.chat_id, kind=CRITICAL, params=row.params, due_at=now, key=f"{row.key}:next"
        )


def _belongs(row: outbox.OutboxRow, step: Step) -> bool:
    if row.kind == GOOD_TO_KNOW:
        return row.params["step_id"] == step.id
    return row.params["item_id"] in step.critical_items


def _ask(db: sqlite_utils.Database, user_id: int, step: Step, item_id: str, due: datetime, *, quiet: bool) -> bool:
    """Plan the first message of an item's chain at ``due``; False when it needs none."""
    check = get_check(db, user_id, item_id)
    if check is not None and check.status == UNDERSTOOD:
        return False
    if outbox.pending(db, user_id=user_id, key_prefix=_chain_prefix(user_id, item_id)):
        return False
    round_ = check.round + 1 if check else 1
    with db.atomic():
        db["item_checks"].upsert(
            {
                "user_id": user_id,
                "item_id": item_id,
                "step_id": step.id,
                "status": ASKED,
                "round": round_,
                "first_sent_at": None,
                "updated_at": iso(due),
            },
            pk=("user_id", "item_id"),
        )
    outbox.enqueue(
        db,
        user_id=user_id,
        chat_id=user_id,
        kind=CRITICAL,
        params={"item_id": item_id, "round": round_, "n": 0},
        due_at=due,
        key=f"{_chain_prefix(user_id, item_id)}r{round_}:0",
        quiet=quiet,
    )
    return True


def is_current(db: sqlite_utils.Database, user_id: int, params: dict[str, Any]) -> bool:
    """Whether a critical-item message still asks an open question."""
    check = get_check(db, user_id, params["item_id"])
    return check is not None and check.status == ASKED and check.round == params["round"]


def after_critical_sent(db: sqlite_utils.Database, timing: Timing, user_id: int, params: dict[str, Any], now: datetime) -> None:
    """Plan the next link of an item's chain: the next repeat, or the move to the klantmanager's list."""
    item_id, round_, n = params["item_id"], params["round"], params["n"]
    if n == 0:
        with db.atomic():
            db["item_checks"].update((user_id, item_id), {"first_sent_at": iso(now), "updated_at": iso(now)})
    check = get_check(db, user_id, item_id)
    first = check.first_sent_at or now
    prefix = f"{_chain_prefix(user_id, item_id)}r{round_}:"
    repeats = timing.critical_repeats
    if n < len(repeats):
        # Never sooner than one first interval from now: after downtime, repeats stay spaced.
        due = max(repeats[n].after(first), repeats[0].after(now))
        kind, key, next_params = CRITICAL, f"{prefix}{n + 1}", {"item_id": item_id, "round": round_, "n": n + 1}
    else:
        due = timing.not_understood_after.after(now)
        kind, key, next_params = ESCALATE, f"{prefix}escalate", {"item_id": item_id, "round": round_}
    due, quiet = timing.quiet.place(due)
    outbox.enqueue(db, user_id=user_id, chat_id=user_id, kind=kind, params=next_params, due_at=due, key=key, quiet=quiet)


def escalate(db: sqlite_utils.Database, user_id: int, params: dict[str, Any], now: datetime) -> None:
    """Put an unconfirmed item on the klantmanager's list."""
    with db.atomic():
        db.execute(
            "INSERT INTO not_understood (user_id, item_id, round, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(user_id, item_id, round) DO NOTHING",
            [user_id, params["item_id"], params["round"], iso(now)],
        )
        db["item_checks"].update((user_id, params["item_id"]), {"status": NOT_UNDERSTOOD, "updated_at": iso(now)})


def confirm(db: sqlite_utils.Database, user_id: int, item_id: str, now: datetime) -> None:
    """The person understood: no more repeats, and off the klantmanager's list."""
    with db.atomic():
        db["item_checks"].upsert(
            {"user_id": user_id, "item_id": item_id, "status": UNDERSTOOD, "confirmed_at": iso(now), "updated_at": iso(now)},
            pk=("user_id", "item_id"),
        )
        db.execute(
            "UPDATE not_understood SET resolved_at = ? WHERE user_id = ? AND item_id = ? AND resolved_at IS NULL",
            [iso(now), user_id, item_id],
        )
    outbox.cancel(db, user_id=user_id, key_prefix=_chain_prefix(user_id, item_id), reason="understood")


def mark_unclear(db: sqlite_utils.Database, user_id: int, item_id: str, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "UPDATE item_checks SET unclear_count = unclear_count + 1, updated_at = ? WHERE user_id = ? AND item_id = ?",
            [iso(now), user_id, item_id],
        )


def not_understood(db: sqlite_utils.Database, user_id: int) -> list[str]:
    """The items on the klantmanager's list for this person, oldest first."""
    rows = db.execute(
        "SELECT item_id FROM not_understood WHERE user_id = ? AND resolved_at IS NULL ORDER BY id", [user_id]
    )
    return [r[0] for r in rows]


def plan_good_to_know(db: sqlite_utils.Database, timing: Timing, user_id: int, step: Step, now: datetime) -> None:
    """Plan the next good-to-know of this step, unless one is pending or the rounds are done."""
    items = good_to_know_items(step)
    prefix = _gtk_prefix(user_id, step.id)
    if not items or outbox.pending(db, user_id=user_id, key_prefix=prefix):
        return
    n = outbox.count(db, user_id=user_id, kind=GOOD_TO_KNOW, key_prefix=prefix)
    if n >= timing.good_to_know_rounds * len(items):
        return
    due, quiet = timing.quiet.place(timing.good_to_know_every.after(now))
    outbox.enqueue(
        db,
        user_id=user_id,
        chat_id=user_id,
        kind=GOOD_TO_KNOW,
        params={"step_id": step.id, "n": n},
        due_at=due,
        key=f"{prefix}{n}",
        quiet=quiet,
    )


def good_to_know_item(step: Step, n: int) -> str:
    items = good_to_know_items(step)
    return items[n % len(items)]


def paused_until(db: sqlite_utils.Database, user_id: int, now: datetime) -> datetime | None:
    row = db.execute("SELECT repetition_paused_until FROM users WHERE id = ?", [user_id]).fetchone()
    until = parse_iso(row[0]) if row and row[0] else None
    return until if until is not None and until > now else None


def pause(db: sqlite_utils.Database, timing: Timing, user_id: int, now: datetime) -> datetime:
    until = timing.pause.after(now)
    with db.atomic():
        db.execute("UPDATE users SET repetition_paused_until = ? WHERE id = ?", [iso(until), user_id])
    return until


def resume(db: sqlite_utils.Database, user_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE users SET repetition_paused_until = NULL WHERE id = ?", [user_id])
