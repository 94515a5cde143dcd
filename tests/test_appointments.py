"""Appointments and their reminders, through the real bot and the emulator, on a fake clock."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.reminders import appointments, repetition
from bot.delivery import outbox
from bot.core.clock import FakeClock
from bot.core.config import TIMEZONE
from bot.texts.timing import load_timing
from tests.harness import bot_under_test, buttons
from tests.test_spine import onboard, ui_file
from tests.timeline import DISPATCH_SECONDS, MONDAY, at, local, plain, settle

EN, NL = ui_file("en"), ui_file("nl")


def label(texts: dict[str, str], key: str) -> str:
    return html.unescape(texts[key])


async def onboard_without_repetition(person, lang: str) -> None:
    """Onboard, and take out the good-to-know messages: these tests look at appointment messages only."""
    await onboard(person, lang, step_number=2)
    outbox.cancel(person.bot.services.db, user_id=person.person_id, kinds=repetition.REPETITION_KINDS, reason="test")


def reminder_times(bot, user_id: int) -> list[datetime]:
    rows = outbox.pending(bot.services.db, user_id=user_id, kinds=[appointments.REMINDER])
    return [local(row.due_at) for row in rows]


def add(bot, clock: FakeClock, user_id: int, starts: datetime, **fields) -> appointments.Appointment:
    s = bot.services
    fields.setdefault("kind", "rechtmatigheidsgesprek")
    return appointments.add(
        s.db, load_timing(s.renderer.journey), user_id=user_id, starts_at=starts, now=clock.now(), **fields
    )


async def test_reminders_come_at_the_lead_times_in_the_language_of_that_moment(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        person = bot.person(501)
        await onboard_without_repetition(person, "en")
        add(bot, clock, person.person_id, datetime(2025, 6, 20, 10, 30), place="Jan van Galenstraat 323", bring="your ID",
            map_url="https://maps.example/jvg")
        notice = (await at(bot, clock, MONDAY))[-1]
        assert label(EN, "appointment.added") in notice["html"]
        assert "Friday, 20 June 2025" in plain(notice) and "10:30" in plain(notice)
        assert "Jan van Galenstraat 323" in plain(notice) and "your ID" in plain(notice)
        assert buttons(notice) == [label(EN, "appointment.map"), label(EN, "appointment.coming"), label(EN, "appointment.not_coming")]

        # The person switches to Dutch after the reminders were planned: they come in Dutch.
        await person.say("/language")
        await person.press("Nederlands")
        expected = [
            datetime(2025, 6, 13, 10, 30, tzinfo=TIMEZONE),
            datetime(2025, 6, 19, 10, 30, tzinfo=TIMEZONE),
            datetime(2025, 6, 20, 8, 30, tzinfo=TIMEZONE),
        ]
        assert reminder_times(bot, person.person_id) == expected
        for moment in expected:
            assert await at(bot, clock, moment - timedelta(seconds=1)) == []
            sent = await at(bot, clock, moment)
            assert len(sent) == 1
            assert label(NL, "appointment.reminder") in sent[0]["html"]
            assert "vrijdag 20 juni 2025" in plain(sent[0]) and "10:30" in plain(sent[0])
        assert reminder_times(bot, person.person_id) == []


@pytest.mark.parametrize(
    ("start", "appointment", "expected"),
    [
        # Clocks go forward on Sunday 30 March 2025, 02:00 -> 03:00.
        (
            datetime(2025, 3, 20, 10, 0),
            datetime(2025, 3, 31, 9, 0),
            [(datetime(2025, 3, 24, 9, 0), "+01:00"), (datetime(2025, 3, 30, 9, 0), "+02:00"), (datetime(2025, 3, 31, 8, 0), "+02:00")],
        ),
        # Clocks go back on Sunday 26 October 2025, 03:00 -> 02:00.
        (
            datetime(2025, 10, 15, 10, 0),
            datetime(2025, 10, 27, 9, 0),
            [(datetime(2025, 10, 20, 9, 0), "+02:00"), (datetime(2025, 10, 26, 9, 0), "+01:00"), (datetime(2025, 10, 27, 8, 0), "+01:00")],
        ),
    ],
    ids=["march", "october"],
)
async def test_reminders_keep_local_time_across_the_clock_change(
    tmp_path: Path, start: datetime, appointment: datetime, expected: list[tuple[datetime, str]]
) -> None:
    clock = FakeClock(start.replace(tzinfo=TIMEZONE))
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        person = bot.person(502)
        await onboard_without_repetition(person, "en")
        add(bot, clock, person.person_id, appointment)
        await settle(bot)
        # 7 days and 1 day before: 09:00 on the calendar; 2 hours before is 07:00, quiet, so 08:00.
        times = reminder_times(bot, person.person_id)
        assert [(t.replace(tzinfo=None), t.isoformat()[-6:]) for t in times] == expected
        for moment in times:
            assert await at(bot, clock, moment - timedelta(minutes=1)) == []
            sent = await at(bot, clock, moment)
            assert len(sent) == 1 and "09:00" in plain(sent[0])


async def test_quiet_hours_hold_reminders_unless_the_appointment_comes_first(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        early, late = bot.person(503), bot.person(504)
        await onboard_without_repetition(early, "en")
        await onboard_without_repetition(late, "en")
        add(bot, clock, early.person_id, datetime(2025, 6, 5, 7, 30), kind="tov")  # before quiet hours end
        add(bot, clock, late.person_id, datetime(2025, 6, 5, 22, 30), kind="other")
        await settle(bot)
        assert reminder_times(bot, early.person_id) == [
            datetime(2025, 6, 4, 8, 0, tzinfo=TIMEZONE),  # 1 day before is 07:30, quiet: moved to 08:00
            datetime(2025, 6, 5, 5, 30, tzinfo=TIMEZONE),  # 2 hours before, in quiet hours, but the appointment is at 07:30
        ]
        assert reminder_times(bot, late.person_id) == [
            datetime(2025, 6, 5, 8, 0, tzinfo=TIMEZONE),  # 1 day before is 22:30, quiet: moved to the next 08:00
            datetime(2025, 6, 5, 20, 30, tzinfo=TIMEZONE),
        ]
        assert len(await at(bot, clock, datetime(2025, 6, 4, 8, 0, tzinfo=TIMEZONE))) == 1
        assert await at(bot, clock, datetime(2025, 6, 4, 22, 30, tzinfo=TIMEZONE)) == []
        night = await at(bot, clock, datetime(2025, 6, 5, 5, 30, tzinfo=TIMEZONE))
        assert len(night) == 1 and label(EN, "appointment.kind.tov") in plain(night[0])
        morning = await at(bot, clock, datetime(2025, 6, 5, 8, 0, tzinfo=TIMEZONE))
        assert len(morning) == 1 and label(EN, "appointment.kind.other") in plain(morning[0])

        # Adding an appointment late in the evening: the notice waits for the morning.
        clock.set(datetime(2025, 6, 5, 23, 0, tzinfo=TIMEZONE))
        add(bot, clock, early.person_id, datetime(2025, 6, 12, 14, 0), kind="other")
        assert await at(bot, clock, datetime(2025, 6, 6, 7, 59, tzinfo=TIMEZONE)) == []
        notice = await at(bot, clock, datetime(2025, 6, 6, 8, 0, tzinfo=TIMEZONE))
        assert len(notice) == 1 and label(EN, "appointment.added") in notice[0]["html"]


async def test_change_replans_and_cancel_stops_the_reminders_and_both_tell_the_person(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        s = bot.services
        timing = load_timing(s.renderer.journey)
        person = bot.person(505)
        await onboard_without_repetition(person, "en")
        appointment = add(bot, clock, person.person_id, datetime(2025, 6, 20, 10, 30))
        first_notice = (await at(bot, clock, MONDAY))[-1]
        await person.press_data(first_notice["message_id"], f"appt:no:{appointment.id}")

        appointments.change(s.db, timing, appointment.id, now=clock.now(), starts_at=datetime(2025, 6, 24, 14, 0), place="Stadsloket Nieuw-West")
        changed = (await at(bot, clock, MONDAY))[-1]
        assert label(EN, "appointment.changed") in changed["html"]
        assert "Tuesday, 24 June 2025" in plain(changed) and "14:00" in plain(changed) and "Stadsloket Nieuw-West" in plain(changed)
        assert reminder_times(bot, person.person_id) == [
            datetime(2025, 6, 17, 14, 0, tzinfo=TIMEZONE),
            datetime(2025, 6, 23, 14, 0, tzinfo=TIMEZONE),
            datetime(2025, 6, 24, 12, 0, tzinfo=TIMEZONE),
        ]
        assert appointments.get(s.db, appointment.id).answer is None  # a new time asks for a new answer

        appointments.cancel(s.db, timing, appointment.id, now=clock.now())
        cancelled = (await at(bot, clock, MONDAY))[-1]
        assert label(EN, "appointment.cancelled") in cancelled["html"] and buttons(cancelled) == []
        assert reminder_times(bot, person.person_id) == []
        assert await at(bot, clock, datetime(2025, 6, 24, 13, 0, tzinfo=TIMEZONE)) == []
        # The buttons under the old messages no longer do anything.
        stale = await person.press_data(changed["message_id"], f"appt:yes:{appointment.id}")
        assert stale[0]["html"] == EN["errors.stale_button"]


async def test_i_will_come_and_i_cannot_come_with_and_without_a_reason(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        s = bot.services
        person = bot.person(506)
        await onboard_without_repetition(person, "nl")
        first = add(bot, clock, person.person_id, datetime(2025, 6, 10, 9, 0))
        second = add(bot, clock, person.person_id, datetime(2025, 6, 11, 9, 0), kind="tov")
        await settle(bot)

        answer = await person.press(label(NL, "appointment.coming"))
        assert answer[0]["html"] == NL["appointment.coming_thanks"]
        assert appointments.get(s.db, second.id).answer == appointments.COMING  # the newest message's button

        notices = [m for m in await person.client.bot_messages(506) if NL["appointment.added"] in (m["html"] or "")]
        asked = await person.press_data(notices[0]["message_id"], f"appt:no:{first.id}")
        assert asked[0]["html"] == NL["appointment.reason_prompt"]
        saved = await person.say("Mijn kind is ziek")
        assert saved[0]["html"] == NL["appointment.reason_saved"]
        assert [(r["user_id"], r["reason"]) for r in appointments.cannot_come(s.db, first.id)] == [(person.person_id, "Mijn kind is ziek")]

        await person.press_data(notices[1]["message_id"], f"appt:no:{second.id}")
        skipped = await person.press(label(NL, "appointment.no_reason"))
        assert skipped[0]["html"] == NL["appointment.reason_skipped"]
        assert [(r["user_id"], r["reason"]) for r in appointments.cannot_come(s.db, second.id)] == [(person.person_id, None)]
        # Free text afterwards is no longer taken as a reason.
        await person.say("hallo")
        assert [r["reason"] for r in appointments.cannot_come(s.db, second.id)] == [None]
        assert appointments.get(s.db, second.id).answer == appointments.NOT_COMING
