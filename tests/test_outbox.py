"""The outbox and its dispatcher: idempotency, Telegram's faults, pacing, erasure."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from bot.reminders import appointments, repetition
from bot.delivery import outbox
from bot.channels.telegram.app import RATE_LIMIT_RETRIES
from bot.channels.telegram.jobs import OUTBOX_JOB
from bot.core.clock import FakeClock
from bot.core.config import TIMEZONE
from bot.core.db import open_db, personal_tables
from bot.texts.timing import load_timing
from tests.harness import BotUnderTest, bot_under_test
from tests.test_spine import onboard, ui_file
from tests.timeline import DISPATCH_SECONDS, MONDAY, at, settle


def test_planning_twice_gives_one_row_and_cancel_touches_only_pending_rows(tmp_path: Path) -> None:
    db = open_db(tmp_path / "w.db")
    plan = {"user_id": 7, "chat_id": 7, "kind": "k", "params": {"a": 1}, "due_at": MONDAY}
    first = outbox.enqueue(db, key="x:1", **plan)
    assert outbox.enqueue(db, key="x:1", **{**plan, "params": {"a": 2}}) == first
    second = outbox.enqueue(db, key="x:2", **plan)
    assert [r.params for r in outbox.pending(db, user_id=7)] == [{"a": 1}, {"a": 1}]
    row = outbox.claim_next(db, MONDAY, quiet_now=False)
    assert row.id == first and row.attempts == 1
    outbox.complete(db, first, MONDAY)
    assert outbox.cancel(db, key_prefix="x:", reason="test") == 1
    assert [r["status"] for r in db["outbox"].rows_where(order_by="id")] == [outbox.SENT, outbox.CANCELLED]
    assert outbox.claim_next(db, MONDAY, quiet_now=False) is None
    assert second


def test_two_dispatchers_on_one_database_never_claim_the_same_row(tmp_path: Path) -> None:
    """Two connections (as two bots would be) claim as fast as they can: each row goes to one of them."""
    path = tmp_path / "w.db"
    db = open_db(path)
    for n in range(ROWS := 600):
        outbox.enqueue(db, user_id=n, chat_id=n, kind="k", params={}, due_at=MONDAY, key=f"race:{n}")
    start = threading.Barrier(2)

    def claimer() -> list[int]:
        own = open_db(path)
        claimed = []
        start.wait()
        while (row := outbox.claim_next(own, MONDAY, quiet_now=False)) is not None:
            claimed.append(row.id)
            outbox.complete(own, row.id, MONDAY)
        own.close()
        return claimed

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(claimer), pool.submit(claimer)
        a, b = first.result(timeout=60), second.result(timeout=60)
    assert a and b, "both took part"
    assert not set(a) & set(b) and len(a) + len(b) == ROWS
    assert {r["attempts"] for r in db["outbox"].rows} == {1} and db["outbox"].count_where("status = ?", [outbox.SENT]) == ROWS


async def onboard_without_repetition(bot: BotUnderTest, user_id: int) -> None:
    """An onboarded person, their good-to-know taken out: these tests look at appointment messages."""
    await onboard(bot.person(user_id), "en", step_number=2)
    outbox.cancel(bot.services.db, user_id=bot.person_id(user_id), kinds=repetition.REPETITION_KINDS, reason="test")


def add_appointment(bot: BotUnderTest, user_id: int, day: int = 20, kind: str = "tov") -> appointments.Appointment:
    """A new appointment in June 2025: its notice is due now."""
    s = bot.services
    return appointments.add(
        s.db, load_timing(s.renderer.journey), user_id=bot.person_id(user_id), kind=kind,
        starts_at=datetime(2025, 6, day, 10, 0), now=s.clock.now(),
    )


def rows(bot: BotUnderTest, user_id: int) -> list[dict]:
    return list(bot.services.db["outbox"].rows_where("user_id = ?", [bot.person_id(user_id)], order_by="id"))


async def test_a_person_who_blocked_the_bot_becomes_inactive_and_nothing_more_is_tried(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 701)
        await bot.client.block(701)
        add_appointment(bot, 701)
        await settle(bot)
        assert bot.services.db["users"].get(bot.person_id(701))["active"] == 0
        statuses = [(r["kind"], r["status"]) for r in rows(bot, 701) if r["kind"].startswith("appointment")]
        assert statuses == [(appointments.NOTICE, outbox.CANCELLED)] + [(appointments.REMINDER, outbox.CANCELLED)] * 3
        assert (await bot.client.stats())["rejected_403"] == 1
        assert await at(bot, clock, MONDAY + timedelta(days=30)) == []
        assert (await bot.client.stats())["rejected_403"] == 1
        # Writing again makes the person active again.
        await bot.person(701).say("/menu")
        assert bot.services.db["users"].get(bot.person_id(701))["active"] == 1


async def test_too_many_requests_waits_and_sends_once(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 702)
        await bot.client.inject_fault("sendMessage", 429, count=1, retry_after=1)
        add_appointment(bot, 702)
        await settle(bot)
        notices = [m for m in await bot.client.bot_messages(702) if "TOV" in (m["text"] or "")]
        assert len(notices) == 1
        assert [(r["status"], r["attempts"]) for r in rows(bot, 702) if r["kind"] == appointments.NOTICE] == [(outbox.SENT, 1)]
        assert (await bot.client.stats())["faults_injected"] == 1


async def test_when_the_rate_limiter_gives_up_the_row_waits_retry_after_without_losing_an_attempt(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 706)
        # More 429s in a row than the bot's limiter retries: the dispatcher itself meets RetryAfter.
        await bot.client.inject_fault("sendMessage", 429, count=RATE_LIMIT_RETRIES + 1, retry_after=1)
        add_appointment(bot, 706)
        notice = lambda: [r for r in rows(bot, 706) if r["kind"] == appointments.NOTICE][0]  # noqa: E731
        for _ in range(400):
            if notice()["status"] == outbox.PENDING and notice()["last_error"]:
                break
            await asyncio.sleep(0.025)
        assert (notice()["status"], notice()["attempts"]) == (outbox.PENDING, 0)
        clock.advance(timedelta(seconds=2))
        await settle(bot)
        assert (notice()["status"], notice()["attempts"]) == (outbox.SENT, 1)
        sent = [m for m in await bot.client.bot_messages(706) if "TOV" in (m["text"] or "")]
        assert len(sent) == 1


async def test_server_and_network_errors_are_retried_with_backoff_then_failed(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 703)
        await bot.client.inject_fault("sendMessage", 500, count=1)
        add_appointment(bot, 703)
        await settle(bot)
        notice = lambda: [r for r in rows(bot, 703) if r["kind"] == appointments.NOTICE][0]  # noqa: E731
        assert (notice()["status"], notice()["attempts"]) == (outbox.PENDING, 1)
        await bot.client.inject_fault("sendMessage", 500, count=1, drop=True)
        assert await at(bot, clock, MONDAY + timedelta(seconds=29)) == []
        await at(bot, clock, MONDAY + timedelta(seconds=30))  # first retry after 30 s: the connection drops
        assert (notice()["status"], notice()["attempts"]) == (outbox.PENDING, 2)
        sent = await at(bot, clock, MONDAY + timedelta(seconds=90))  # then 60 s more
        assert len(sent) == 1 and (notice()["status"], notice()["attempts"]) == (outbox.SENT, 3)

        # A reminder that keeps failing: 5 attempts, then failed, visible in `wegwijs outbox status`.
        await bot.client.inject_fault("sendMessage", 502, count=99)
        reminder_due = datetime.fromisoformat(
            [r for r in rows(bot, 703) if r["kind"] == appointments.REMINDER][0]["due_at"]
        )
        moment = reminder_due
        for wait in (0, 30, 60, 120, 240):
            moment += timedelta(seconds=wait)
            await at(bot, clock, moment)
        failed = outbox.status(bot.services.db, clock.now()).failed
        assert [(r.kind, r.attempts) for r in failed] == [(appointments.REMINDER, 5)]
        assert "Bad Gateway" in failed[0].last_error


async def test_messages_to_one_chat_are_paced_to_telegrams_limit(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(
        tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS, chat_gap_seconds=1.0
    ) as bot:
        await onboard_without_repetition(bot, 704)
        await bot.client.set_limits(enabled=True)
        for day in (21, 22, 23):
            add_appointment(bot, 704, day, kind="other")
        sent = await at(bot, clock, MONDAY)
        assert len(sent) == 3
        stats = await bot.client.stats()
        assert stats["rejected_429"] == 0, stats


async def test_delete_erases_appointments_answers_checks_and_planned_messages(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        person = bot.person(705)
        await onboard(person, "en", step_number=3)
        s = bot.services
        appointment = add_appointment(bot, 705)
        await settle(bot)
        await person.press_data((await bot.client.bot_messages(705))[-1]["message_id"], f"appt:no:{appointment.id}")
        await person.say("Ik ben ziek")
        mine = {"outbox", "appointments", "cannot_come", "item_checks"}
        person_id = person.person_id
        assert mine <= set(personal_tables(s.db))
        for table in mine:
            assert s.db[table].count_where("user_id = ?", [person_id]) > 0, table
        summary = await person.say("/mydata")
        assert "Appointments: 1" in summary[0]["html"] and "Times you could not come: 1" in summary[0]["html"]
        await person.say("/delete")
        await person.press(ui_file("en")["delete.yes"])
        for table in [*mine, "not_understood"]:
            assert s.db[table].count_where("user_id = ?", [person_id]) == 0, table


async def test_a_person_who_comes_back_after_blocking_the_bot_gets_the_reminders_still_ahead(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 708)
        add_appointment(bot, 708)  # Friday 20 June 10:00; reminders 7 days, 1 day and 2 hours before
        await settle(bot)
        await bot.client.block(708)
        assert await at(bot, clock, datetime(2025, 6, 13, 10, 0, tzinfo=TIMEZONE)) == []  # 403
        assert bot.services.db["users"].get(bot.person_id(708))["active"] == 0
        reminders = lambda: [r["status"] for r in rows(bot, 708) if r["kind"] == appointments.REMINDER]  # noqa: E731
        assert reminders() == [outbox.CANCELLED] * 3

        await bot.client.unblock(708)
        clock.set(datetime(2025, 6, 14, 12, 0, tzinfo=TIMEZONE))
        await bot.person(708).say("/menu")
        assert reminders() == [outbox.CANCELLED, outbox.PENDING, outbox.PENDING]
        day_before = await at(bot, clock, datetime(2025, 6, 19, 10, 0, tzinfo=TIMEZONE))
        hours_before = await at(bot, clock, datetime(2025, 6, 20, 8, 0, tzinfo=TIMEZONE))
        reminder = ui_file("en")["appointment.reminder"]
        assert [reminder in (m["html"] or "") for m in day_before + hours_before] == [True, True]
        assert reminders() == [outbox.CANCELLED, outbox.SENT, outbox.SENT]


async def test_a_notice_that_fell_due_while_blocked_goes_out_when_the_person_comes_back(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 709)
        await bot.client.block(709)
        add_appointment(bot, 709)
        await settle(bot)  # the notice meets 403: everything cancelled
        await bot.client.unblock(709)
        clock.set(MONDAY + timedelta(days=1))
        await bot.person(709).say("/menu")
        await settle(bot)
        notices = [m for m in await bot.client.bot_messages(709) if "TOV" in (m["text"] or "")]
        assert len(notices) == 1 and notices[0]["reply_markup"]  # "I will come" / "I cannot come"
        pending = [r["kind"] for r in rows(bot, 709) if r["status"] == outbox.PENDING]
        assert pending == [appointments.REMINDER] * 3


async def test_a_send_that_telegram_answers_after_7_seconds_goes_out_once(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, 710)
        await bot.client.answer_late("sendMessage", 7)
        add_appointment(bot, 710)
        await settle(bot, timeout=20)
        notices = [m for m in await bot.client.bot_messages(710) if "TOV" in (m["text"] or "")]
        assert len(notices) == 1
        assert [(r["status"], r["attempts"]) for r in rows(bot, 710) if r["kind"] == appointments.NOTICE] == [(outbox.SENT, 1)]


async def test_a_send_left_without_answer_is_in_doubt_and_not_sent_again(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(
        tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS, send_timeout_seconds=1
    ) as bot:
        await onboard_without_repetition(bot, 711)
        await bot.client.answer_late("sendMessage", 2)
        add_appointment(bot, 711)
        await settle(bot)
        await at(bot, clock, MONDAY + timedelta(hours=1))  # long after any retry would have come
        notices = [m for m in await bot.client.bot_messages(711) if "TOV" in (m["text"] or "")]
        assert len(notices) == 1  # Telegram did deliver it
        failed = outbox.status(bot.services.db, clock.now()).failed
        assert [(r.kind, r.attempts) for r in failed] == [(appointments.NOTICE, 1)]
        assert failed[0].last_error.startswith("in doubt")


async def test_a_skipped_dispatcher_tick_is_not_logged_but_another_jobs_skip_is(tmp_path: Path, caplog) -> None:
    """The tick only wakes the dispatcher: APScheduler's "skipped" for it is noise (it filled the demo's chat)."""
    async with bot_under_test(tmp_path / "bot.db", dispatch_seconds=DISPATCH_SECONDS) as bot:
        scheduler = bot.app.job_queue.scheduler
        (tick,) = [job for job in scheduler.get_jobs() if job.name == OUTBOX_JOB]
        other = scheduler.add_job(asyncio.sleep, "interval", args=[0], seconds=3600, name="other")
        for job in (tick, other):  # as APScheduler words it (apscheduler/schedulers/base.py)
            logging.getLogger("apscheduler.scheduler").warning(
                'Execution of job "%s" skipped: maximum number of running instances reached (%d)', job, 1
            )
    skipped = [record.getMessage() for record in caplog.records if "skipped" in record.getMessage()]
    assert len(skipped) == 1 and skipped[0].startswith('Execution of job "other')
