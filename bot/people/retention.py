"""Nothing is kept forever: how long each kind of personal data stays, and the job that drops it.

The periods are path data (``retention:`` in ``content/journey.yaml``; a
gemeente whose file leaves one out gets the default below). The privacy
notice renders the same values, so what it promises and what this module does
cannot disagree.

- A person who has not written to Wegwijs or pressed one of its buttons for
  ``inactive`` is erased with everything about them. They are told
  ``warn_before`` ahead, in their language, through the outbox; writing again
  starts the period anew. If the warning could only be planned late (the bot
  was down), the erase waits until ``warn_before`` after the warning.
- Texts a person searched for, kept for "ask my klantmanager": ``search_texts``.
- Questions search did not answer (``bot.search.search_misses``): ``search_misses``.
- Half-finished input (a question not yet sent, a reason not yet given, a
  klantmanager's unfinished answer) and a start without consent (language
  chosen, notice not accepted): ``unfinished`` after the sweep first saw them;
  the identity of someone who wrote but never chose a language
  (``bot/people/identities.py``): ``unfinished`` after it was made.
- Invitations never used (they hold the name the klantmanager gave):
  ``invitations`` after they expired.
- Wrong invitation codes a chat tried: ``wrong_codes``.
- The audit trail of staff actions: ``audit``.

The sweep runs every ``Settings.retention_seconds`` (default: an hour) from
PTB's JobQueue (``bot/people/retention_job.py``) and does whatever is due at that
moment, so a missed run only delays it; ``wegwijs privacy status`` shows what
will go when.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime

import sqlite_utils

from bot.delivery import outbox
from bot.core.clock import iso, parse_iso
from bot.core.db import forget
from bot.texts.journey import Journey, JourneyError, parsed_per_journey
from bot.people.leaving import erase_and_tell
from bot.texts.periods import Period, PeriodError

WARNING = "retention.warning"
"""Outbox kind: "you have not used Wegwijs for a while; on <date> I erase everything"."""
FINISHED = (outbox.SENT, outbox.FAILED, outbox.CANCELLED)

DEFAULTS = {
    "inactive": "12mo",
    "warn_before": "14d",
    "search_texts": "30d",
    "search_misses": "90d",
    "unfinished": "7d",
    "invitations": "30d",
    "wrong_codes": "24h",
    "audit": "24mo",
}


@dataclass(frozen=True)
class Rules:
    inactive: Period
    warn_before: Period
    search_texts: Period
    search_misses: Period
    unfinished: Period
    invitations: Period
    wrong_codes: Period
    audit: Period

    def template_values(self) -> dict[str, Period]:
        """The periods under their own names, for the privacy texts (``{{ inactive | duration }}``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _parse_rules(journey: Journey) -> Rules:
    """The retention rules of this path; a bad value raises JourneyError("retention.<key>: what is wrong")."""
    raw = journey.settings.get("retention") or {}
    if not isinstance(raw, dict):
        raise JourneyError("retention: must be a block of 'key: period' lines")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise JourneyError(f"retention.{unknown[0]}: not a retention setting (known: {', '.join(DEFAULTS)})")
    periods = {}
    for name, default in DEFAULTS.items():
        try:
            periods[name] = Period.parse(raw.get(name, default))
        except PeriodError as exc:
            raise JourneyError(f"retention.{name}: {exc}") from None
    rules = Rules(**periods)
    sample = datetime(2025, 1, 1, tzinfo=UTC)
    if rules.warn_before.after(sample) >= rules.inactive.after(sample):
        raise JourneyError("retention.warn_before: must be shorter than retention.inactive")
    return rules


load_rules = parsed_per_journey(_parse_rules)


def _warning_key(user_id: int, last_active_at: str) -> str:
    """One warning per stretch of inactivity: writing again gives a new key."""
    return f"{WARNING}:{user_id}:{last_active_at}"


_WARNING_OF_USER = f"'{WARNING}:' || u.id || ':' || u.last_active_at"
"""``_warning_key`` in SQL, for a row of ``users`` named ``u``."""


@dataclass(frozen=True)
class Swept:
    warned: int = 0
    erased: int = 0
    search_texts: int = 0
    unfinished: int = 0
    invitations: int = 0
    wrong_codes: int = 0
    audit: int = 0

    @property
    def removed(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "warned")


def sweep(db: sqlite_utils.Database, rules: Rules, now: datetime) -> Swept:
    """Warn, erase and drop whatever is due at ``now``; safe to run at any time, any number of times."""
    warned = _warn(db, rules, now)
    with db.atomic():
        # Half-finished input and unconsented starts get their first-seen moment now.
        db.execute("UPDATE awaiting SET seen_at = ? WHERE seen_at IS NULL", [iso(now)])
        db.execute(
            "UPDATE users SET last_active_at = ? WHERE privacy_accepted_at IS NULL AND last_active_at IS NULL",
            [iso(now)],
        )
        search_texts = _delete(db, "question_drafts", "created_at <= ?", rules.search_texts.before(now))
        unfinished = _delete(db, "awaiting", "seen_at <= ?", rules.unfinished.before(now))
        invitations = _delete(db, "invites", "used_at IS NULL AND expires_at <= ?", rules.invitations.before(now))
        wrong_codes = _delete(db, "wrong_codes", "at <= ?", rules.wrong_codes.before(now))
        audit = _delete(db, "audit", "at <= ?", rules.audit.before(now))
    inactive = _to_erase(db, now)
    unconsented = [
        row[0]
        for row in db.execute(
            "SELECT id FROM users WHERE privacy_accepted_at IS NULL AND last_active_at <= ?"
            # Someone who wrote but never chose a language: only their identity is kept.
            " UNION SELECT id FROM persons p WHERE coalesce(p.created_at, '') <= ?"
            " AND NOT EXISTS (SELECT 1 FROM users WHERE id = p.id) AND NOT EXISTS (SELECT 1 FROM staff WHERE id = p.id)",
            [iso(rules.unfinished.before(now))] * 2,
        )
    ]
    swept = Swept(
        warned=warned,
        erased=len(inactive),
        search_texts=search_texts,
        unfinished=unfinished + len(unconsented),
        invitations=invitations,
        wrong_codes=wrong_codes,
        audit=audit,
    )
    if inactive or unconsented:
        erase_and_tell(db, inactive + unconsented, now)  # klantmanagers are told; ends with forget()
    elif swept.removed:
        forget(db)
    return swept


def _delete(db: sqlite_utils.Database, table: str, where: str, cutoff: datetime) -> int:
    return db.execute(f"DELETE FROM [{table}] WHERE {where}", [iso(cutoff)]).rowcount


def _warn(db: sqlite_utils.Database, rules: Rules, now: datetime) -> int:
    """Plan the warning for everyone whose erase is ``warn_before`` away or closer, once per stretch."""
    due = rules.inactive.before(rules.warn_before.after(now))
    people = db.execute(
        "SELECT u.id, u.last_active_at FROM users u WHERE u.privacy_accepted_at IS NOT NULL"
        f" AND u.last_active_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE key = {_WARNING_OF_USER})",
        [iso(due)],
    ).fetchall()
    with db.atomic():
        for user_id, last_active_at in people:
            erase_at = max(rules.inactive.after(parse_iso(last_active_at)), rules.warn_before.after(now))
            outbox.enqueue(
                db,
                user_id=user_id,
                chat_id=user_id,
                kind=WARNING,
                params={"erase_at": iso(erase_at), "last_active_at": last_active_at},
                due_at=now,
                key=_warning_key(user_id, last_active_at),
                quiet=True,
            )
    return len(people)


def _to_erase(db: sqlite_utils.Database, now: datetime) -> list[int]:
    """People whose warning for this stretch of inactivity is done and whose erase moment has come."""
    marks = ",".join("?" for _ in FINISHED)
    # Warning rows only, by a range of the (unique, indexed) key (``+status``:
    # not by the status index, which holds every sent message); then the
    # person, if the warning is about their present stretch of inactivity.
    return [
        row[0]
        for row in db.execute(
            f"SELECT u.id FROM outbox o JOIN users u ON u.id = o.user_id AND o.key = {_WARNING_OF_USER}"
            f" WHERE o.key >= ? AND o.key < ? AND +o.status IN ({marks}) AND u.privacy_accepted_at IS NOT NULL"
            " AND json_extract(o.params, '$.erase_at') <= ?",
            [f"{WARNING}:", f"{WARNING};", *FINISHED, iso(now)],
        )
    ]


@dataclass(frozen=True)
class Due:
    """One kind of data in ``wegwijs privacy status``: how much is kept and when the next goes."""

    what: str
    kept: str
    stored: int
    due_now: int
    next_at: datetime | None
    """When the next row goes after those due now (None: nothing waiting)."""


def _oldest(db: sqlite_utils.Database, sql: str, values: list) -> datetime | None:
    value = db.execute(sql, values).fetchone()[0]
    return parse_iso(value) if value else None


def _due(
    db: sqlite_utils.Database, what: str, kept: str, table: str, where: str, column: str, period: Period, now: datetime
) -> Due:
    """Rows of ``table`` (``where``) that go ``period`` after their ``column`` moment."""
    cutoff = iso(period.before(now))
    stored = db.execute(f"SELECT count(*) FROM [{table}] WHERE {where}").fetchone()[0]
    due_now = db.execute(f"SELECT count(*) FROM [{table}] WHERE {where} AND {column} <= ?", [cutoff]).fetchone()[0]
    oldest = _oldest(db, f"SELECT min({column}) FROM [{table}] WHERE {where} AND {column} > ?", [cutoff])
    unseen = db.execute(f"SELECT count(*) FROM [{table}] WHERE {where} AND {column} IS NULL").fetchone()[0]
    if unseen and oldest is None:
        oldest = now  # not stamped yet: the next sweep starts their period
    return Due(what, kept, stored, due_now, period.after(oldest) if oldest else None)


def status(db: sqlite_utils.Database, rules: Rules, now: datetime) -> list[Due]:
    """What the sweep would drop now, and when the next of each kind goes."""
    onboarded = "privacy_accepted_at IS NOT NULL"
    not_warned = f"{onboarded} AND NOT EXISTS (SELECT 1 FROM outbox WHERE key = {_WARNING_OF_USER})"
    warn_cutoff = rules.inactive.before(rules.warn_before.after(now))
    waiting = f"SELECT count(*) FROM users u WHERE {not_warned}"
    first_quiet = _oldest(db, f"SELECT min(last_active_at) FROM users u WHERE {not_warned} AND last_active_at > ?", [iso(warn_cutoff)])
    warnings = Due(
        "people: to be told before erasing",
        f"{rules.warn_before} before erasing",
        db.execute(waiting).fetchone()[0],
        db.execute(f"{waiting} AND last_active_at <= ?", [iso(warn_cutoff)]).fetchone()[0],
        rules.warn_before.before(rules.inactive.after(first_quiet)) if first_quiet else None,
    )
    told = (
        f"FROM users u JOIN outbox o ON o.key = {_WARNING_OF_USER} WHERE {onboarded.replace('privacy', 'u.privacy')}"
    )
    first_erase = db.execute(
        f"SELECT min(json_extract(o.params, '$.erase_at')) {told} AND json_extract(o.params, '$.erase_at') > ?",
        [iso(now)],
    ).fetchone()[0]
    erasing = Due(
        "people: told, to be erased",
        f"{rules.inactive} after last use",
        db.execute(f"SELECT count(*) {told}").fetchone()[0],
        len(_to_erase(db, now)),
        parse_iso(first_erase) if first_erase else None,
    )
    return [
        warnings,
        erasing,
        _due(db, "starts without consent", str(rules.unfinished), "users", "privacy_accepted_at IS NULL",
             "last_active_at", rules.unfinished, now),
        _due(db, "search texts", str(rules.search_texts), "question_drafts", "1", "created_at", rules.search_texts, now),
        # search_misses keeps the day, not the moment: counted from that day's start (UTC)
        _due(db, "questions search did not answer", str(rules.search_misses), "search_misses", "1",
             "(day || 'T00:00:00+00:00')", rules.search_misses, now),
        _due(db, "half-finished input", str(rules.unfinished), "awaiting", "1", "seen_at", rules.unfinished, now),
        _due(db, "unused invitations", f"{rules.invitations} after expiry", "invites", "used_at IS NULL",
             "expires_at", rules.invitations, now),
        _due(db, "wrong codes", str(rules.wrong_codes), "wrong_codes", "1", "at", rules.wrong_codes, now),
        _due(db, "audit trail", str(rules.audit), "audit", "1", "at", rules.audit, now),
    ]
