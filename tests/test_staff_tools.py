"""Issue 14 for staff, through the real stack in December: Dutch dates, plurals and language names, the admin.

The bot's clock stands at Tuesday 1 December 2026, 10:00 in Amsterdam, so a
date without a year ("12 maart") must land in next year's March.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml

from bot.casework import staff
from bot.channels.telegram.identity import person_of
from bot.core.config import DEFAULT_CONTENT_DIR, TIMEZONE
from bot.reminders.dutch_dates import DateError, parse
from bot.people.users import set_step
from tests.harness import buttons
from tests.test_handoff import SANNE, Team, team_at

DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday, 10:00 in Amsterdam


def ui(lang: str) -> dict[str, str]:
    return yaml.safe_load((DEFAULT_CONTENT_DIR / lang / "ui.yaml").read_text(encoding="utf-8"))


def label(lang: str, key: str, **values: object) -> str:
    text = ui(lang)[key]
    for name, value in values.items():
        text = text.replace(f"{{{{ {name} }}}}", str(value))
    return html.unescape(text)


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    async with team_at(tmp_path, DECEMBER) as team:
        yield team


async def plan(team: Team, client_name: str, when: str) -> list[dict]:
    """Plan an appointment with the date as typed; returns the check message's answer after saving."""
    await team.start_appointment(team.sanne, client_name, "rechtmatigheidsgesprek")
    await team.sanne.say(when)
    await team.sanne.say("Jan Evertsenstraat 1")
    check = await team.sanne.press(label("nl", "km.appt_nothing_button"))
    await team.sanne.press(label("nl", "km.appt_save_button"))
    return check


def starts(team: Team, user_id: int) -> list[str]:
    db = team.bot.services.db
    return [r["starts_at"] for r in db["appointments"].rows_where("user_id = ?", [user_id], order_by="starts_at")]


# ---------------------------------------------------------------- dates


async def test_in_december_12_maart_is_next_march_and_vrijdag_is_this_friday(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 701, "en")
    await team.start_appointment(team.sanne, "Amal", "rechtmatigheidsgesprek")
    nonsense = await team.sanne.say("ergens na de kerst")
    assert nonsense[0]["html"] == ui("nl")["km.date.bad_date"].replace("\\n", "\n")
    assert "12 maart 14:00" in nonsense[0]["html"] and "vrijdag 14:00" in nonsense[0]["html"]
    past = await team.sanne.say("1 december 9:00")  # today, but an hour ago
    assert past[0]["html"] == ui("nl")["km.date.past"] and "morgen 9:00" in past[0]["html"]
    wrong_day = await team.sanne.say("vrijdag 10 december 10:30")
    assert "donderdag 10 december 2026" in wrong_day[0]["html"]
    await team.sanne.say("12 maart 14:00")
    await team.sanne.say("Jan Evertsenstraat 1")
    check = await team.sanne.press(label("nl", "km.appt_nothing_button"))
    assert "12 maart 2027" in check[0]["html"] and "14:00" in check[0]["html"]
    await team.sanne.press(label("nl", "km.appt_save_button"))
    notice = (await amal.receive())[-1]
    assert "March 2027" in notice["html"]

    check = await plan(team, "Amal", "vrijdag 14:00")
    assert "vrijdag 4 december 2026" in check[0]["html"]
    assert starts(team, amal.person_id) == ["2026-12-04T13:00:00+00:00", "2027-03-12T13:00:00+00:00"]


async def test_away_12_3_in_december_lasts_until_next_march(team: Team) -> None:
    choose = await team.sanne.say("/away 12-3")
    assert "12 maart 2027" in choose[0]["html"]
    await team.sanne.press("Daan")
    away_until = staff.get_staff(team.bot.services.db, team.sanne.person_id).away_until
    assert away_until == "2027-03-12T22:59:00+00:00"  # 23:59 in Amsterdam (winter time)
    unclear = await team.sanne.say("/away over een tijdje")
    assert unclear[0]["html"] == ui("nl")["km.date.bad_date"].replace("\\n", "\n")


NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TIMEZONE)  # a Tuesday
READINGS = {
    "12 maart 14:00": (date(2027, 3, 12), time(14, 0)),
    "12-3 9.30": (date(2027, 3, 12), time(9, 30)),
    "5 januari 10:00": (date(2027, 1, 5), time(10, 0)),
    "12-3": (date(2027, 3, 12), None),
    "12 mrt 2027 9u": (date(2027, 3, 12), time(9, 0)),
    "12 maart om 14 uur": (date(2027, 3, 12), time(14, 0)),
    "vrijdag 14:00": (date(2026, 12, 4), time(14, 0)),
    "dinsdag 11:00": (date(2026, 12, 1), time(11, 0)),  # today, still ahead
    "dinsdag 9:00": (date(2026, 12, 8), time(9, 0)),  # today's has passed: next week
    "donderdag 10 december om 10:30": (date(2026, 12, 10), time(10, 30)),
    "morgen 9:00": (date(2026, 12, 2), time(9, 0)),
    "over twee weken dinsdag": (date(2026, 12, 15), None),
    "dinsdag over twee weken 14u30": (date(2026, 12, 15), time(14, 30)),
    "volgende week vrijdag": (date(2026, 12, 11), None),
    "over 3 dagen 9 uur": (date(2026, 12, 4), time(9, 0)),
}
REFUSED = {
    "ergens volgende week": "bad_date",
    "31-2": "bad_date",
    "1-2-2026": "past",
    "1 december 9:00": "past",
    "12 maart 25:00": "bad_time",
    "vrijdag 10 december": "weekday_mismatch",
    "dinsdag over 3 dagen": "bad_date",
}


@pytest.mark.parametrize("text", list(READINGS))
def test_dutch_date_forms(text: str) -> None:
    reading = parse(text, NOW)
    assert (reading.day, reading.at) == READINGS[text]


@pytest.mark.parametrize("text", list(REFUSED))
def test_dutch_dates_refused(text: str) -> None:
    with pytest.raises(DateError) as refused:
        parse(text, NOW)
    assert refused.value.reason == REFUSED[text]


# ---------------------------------------------------------------- plurals, language names


async def test_staff_read_languages_in_dutch_and_counts_in_the_right_plural(team: Team) -> None:
    leila = await team.new_client(team.sanne, "Leila", 711, "fa")
    tesfay = await team.new_client(team.sanne, "Tesfay", 712, "ti")
    for client in (leila, tesfay):
        set_step(team.bot.services.db, client.person_id, "welkomst")
    clients = (await team.sanne.say("/clients"))[0]["html"]
    assert "Farsi" in clients and "Tigrinya" in clients and "فارسی" not in clients

    await leila.say("/menu")
    await leila.press(label("fa", "menu.ask"))
    await leila.say("نامه‌ام کجاست؟")
    await leila.press(label("fa", "ask.yes"))
    relayed = (await team.sanne.receive())[-1]
    assert "Taal: Farsi" in relayed["html"]

    step_button = next(b for b in buttons((await team.sanne.say("/broadcast"))[-1]) if b.startswith("2."))
    await team.sanne.press(step_button)
    await team.sanne.press(label("nl", "km.broadcast_free_text_button"))
    preview = await team.sanne.say("Bijeenkomst op vrijdag.")
    assert "naar 2 klanten in stap" in preview[0]["html"]
    done = await team.sanne.press(label("nl", "km.broadcast_send_button"))
    assert done[-1]["html"] == "2 berichten worden verstuurd."

    set_step(team.bot.services.db, tesfay.person_id, "tov")
    await team.sanne.say("/broadcast")
    await team.sanne.press(step_button)
    await team.sanne.press(label("nl", "km.broadcast_free_text_button"))
    preview = await team.sanne.say("Alleen voor Leila.")
    assert "naar 1 klant in stap" in preview[0]["html"]
    done = await team.sanne.press(label("nl", "km.broadcast_send_button"))
    assert done[-1]["html"] == "1 bericht wordt verstuurd."

    team.clock.advance(timedelta(days=3))
    # The overdue reminder of the question may arrive in the same moment: read the /open list itself.
    waiting = next(m["html"] for m in await team.sanne.say("/open") if m["html"].startswith("<b>Wachten op antwoord"))
    assert "3 dagen" in waiting


# ---------------------------------------------------------------- the admin


async def test_admin_lists_moves_some_then_all_clients_and_removes_a_klantmanager(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 721, "ar")
    bilal = await team.new_client(team.sanne, "Bilal", 722, "en")
    team.clock.advance(timedelta(hours=1))
    await team.daan.say("/clients")  # Daan was active an hour later

    listing = (await team.admin.say("/klantmanagers"))[-1]
    assert "<b>2 klantmanagers</b>" in listing["html"]
    assert "<b>Sanne</b> · 2 klanten" in listing["html"] and "<b>Daan</b> · 0 klanten" in listing["html"]
    assert "laatst actief: 01-12-2026" in listing["html"]
    assert buttons(listing) == ["Daan", "Sanne"]

    await team.admin.press("Sanne")
    refused = await team.admin.press(label("nl", "admin.remove_button"))
    assert "Sanne heeft nog 2 klanten" in refused[-1]["html"]
    assert staff.get_staff(team.bot.services.db, team.sanne.person_id).is_klantmanager

    await team.admin.press(label("nl", "admin.reassign_button"))
    await team.admin.press("Daan")
    moved = await team.admin.press("Amal")  # some: one client
    assert moved[0]["html"] == label("nl", "admin.reassigned.one", count=1, name="Sanne", target="Daan")
    assert buttons(moved[-1]) == [label("nl", "admin.all_button", count=1), "Bilal"]
    await team.admin.press(label("nl", "admin.all_button", count=1))
    db = team.bot.services.db
    assert {c.user_id for c in staff.caseload(db, team.daan.person_id)} == {amal.person_id, bilal.person_id}
    told = (await amal.receive())[-1]
    assert "Daan" in told["html"]
    await team.daan.receive(count=2)  # a notice per new client

    await team.admin.say("/klantmanagers")
    await team.admin.press("Sanne")
    confirm = await team.admin.press(label("nl", "admin.remove_button"))
    assert buttons(confirm[-1]) == [label("nl", "admin.confirm_remove_button"), label("nl", "admin.cancel_button")]
    removed = await team.admin.press(label("nl", "admin.confirm_remove_button"))
    assert removed[-1]["html"] == label("nl", "admin.removed", name="Sanne")
    assert [k.id for k in staff.all_klantmanagers(db)] == [team.daan.person_id]
    after = await team.sanne.say("/clients")
    assert after[-1]["html"] == ui("nl")["km.removed"]
    assert db["audit"].count_where("actor_id = ? AND action IN ('transfer', 'klantmanager_removed')", [team.admin.person_id]) == 3


async def test_blocked_klantmanager_the_command_the_admin_is_told_works(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 731, "en")
    await team.bot.client.block(SANNE)
    await amal.say("/menu")
    await amal.press(label("en", "menu.ask"))
    await amal.say("Is anyone there?")
    await amal.press(label("en", "ask.yes"))
    warning = (await team.admin.receive(timeout=15))[-1]["html"]
    assert "/klantmanagers" in warning and "/transfer" not in warning
    assert label("nl", "admin.reassign_button") in warning

    await team.admin.say("/klantmanagers")  # as the warning says
    await team.admin.press("Sanne")
    await team.admin.press(label("nl", "admin.reassign_button"))
    await team.admin.press("Daan")
    await team.admin.press(label("nl", "admin.all_button", count=1))
    team.clock.advance(timedelta(minutes=11))  # the blocked relay is tried again
    relayed = await team.daan.receive_until(lambda m: "Is anyone there?" in (m.get("html") or ""), timeout=20)
    assert "Amal" in relayed["html"]


async def test_only_admins_use_the_admin_buttons_and_forged_ones_do_nothing(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 741, "en")
    sanne, daan, admin = team.sanne.person_id, team.daan.person_id, team.admin.person_id
    listing = (await team.admin.say("/klantmanagers"))[-1]
    refused = await team.sanne.press_data(listing["message_id"], f"ad:all:{sanne}:{daan}")
    assert refused[-1]["html"] == ui("nl")["admin.not_admin"]
    refused = await team.sanne.say("/klantmanagers")
    assert refused[-1]["html"] == ui("nl")["admin.not_admin"]
    stranger = team.bot.person(742, "en")
    await stranger.say("/start")
    refused = await stranger.say("/klantmanagers")
    assert refused[-1]["html"] != ui("nl")["admin.not_admin"]  # no staff text for a statushouder
    for forged, expected in (
        ("ad:all:12345678901234567:1", ui("nl")["admin.bad_button"]),
        ("ad:rm:x", ui("nl")["admin.bad_button"]),
        (f"ad:all:{sanne}:{sanne}", ui("nl")["admin.error.same_klantmanager"]),
        (f"ad:all:{sanne}:{admin}", f"Er is geen klantmanager met nummer {admin}."),
        (f"ad:rmok:{sanne}", "Sanne heeft nog 1 klant. Draag die eerst over"),
        (f"ad:one:999:{daan}", "Er is geen klant met nummer 999."),
    ):
        answer = await team.admin.press_data(listing["message_id"], forged)
        assert answer[-1]["html"].startswith(expected), (forged, answer[-1]["html"])
    assert staff.client(team.bot.services.db, amal.person_id).klantmanager_id == sanne


# ---------------------------------------------------------------- a large caseload


async def test_a_large_caseload_comes_a_page_at_a_time(team: Team) -> None:
    db, now = team.bot.services.db, team.clock.now()
    for n in range(23):
        staff.link_client(db, person_of(db, 760_000 + n, create=True), team.sanne.person_id, f"Klant {n:02d}", now)
    first = (await team.sanne.say("/clients"))
    assert len(first) == 1  # one message, not a wall
    assert "Pagina 1 van 3" in first[0]["html"] and "Klant 09" in first[0]["html"] and "Klant 10" not in first[0]["html"]
    assert buttons(first[0])[-1] == label("nl", "km.clients_next")
    second = await team.sanne.press(label("nl", "km.clients_next"))
    page = (await team.sanne.client.messages(SANNE))[-1]  # the same message, edited
    assert page["message_id"] == first[0]["message_id"] and not second
    assert "Pagina 2 van 3" in page["html"] and "Klant 10" in page["html"] and "Klant 09" not in page["html"]
    assert buttons(page)[-2:] == [label("nl", "km.clients_previous"), label("nl", "km.clients_next")]
    await team.sanne.press_data(page["message_id"], "kl:9999")  # past the end: the last page
    last = (await team.sanne.client.messages(SANNE))[-1]
    assert "Pagina 3 van 3" in last["html"] and "Klant 22" in last["html"]
    assert buttons(last)[-1] == label("nl", "km.clients_previous")
