"""Follow-ups and late answers reach the klantmanager as what they are (r1 findings 1, 2 and 7).

A client's message after an answer makes the question wait again (``/open``, the overdue
reminder, ``/metrics``); it arrives marked as a follow-up, with its own time; "I will come"
after a "cannot come" notice went out tells the klantmanager once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp

from tests.dashboard_server import dashboard_url, sign_in_link
from tests.harness import Person, seen
from tests.test_handoff import SANNE, START, Team, ask, label, team, team_at, text  # noqa: F401 (team is a fixture)
from tests.test_ops import metrics
from tests.timeline import settle

QUESTION, FOLLOWUP = "ما معنى هذه الرسالة؟", "شكرا، ومتى يجب أن أدفع؟"


async def waiting_and_answered(team: Team) -> tuple[float, float]:
    """``wegwijs_questions_open`` as /metrics shows it: (waiting, answered not closed)."""
    found = await metrics(team.bot)
    return found[("wegwijs_questions_open", (("answered", "no"),))], found[("wegwijs_questions_open", (("answered", "yes"),))]


async def open_listing(team: Team) -> str:
    return (await team.sanne.say("/open"))[0]["html"]


async def sannes_dashboard(team: Team, *paths: str) -> list[str]:
    """These dashboard pages as Sanne sees them, signed in with a link from the bot."""
    async with aiohttp.ClientSession() as http:
        await http.get(await sign_in_link(team.sanne))
        pages = []
        for path in paths:
            async with http.get(dashboard_url(team.bot) + path) as response:
                pages.append(await response.text())
    return pages


async def answer(team: Team, words: str) -> None:
    await team.sanne.press(label("nl", "km.reply_button"))
    await team.sanne.say(words)


async def asked_and_answered(team: Team, amal: Person) -> dict:
    """Amal asks QUESTION in Arabic and Sanne answers it; the answer as it reached Amal."""
    await ask(amal, "ar", QUESTION)
    await team.sanne.receive()
    await answer(team, "Een brief van de Belastingdienst.")
    return (await amal.receive())[-1]


async def test_a_followup_after_an_answer_waits_again_and_is_reminded_as_a_followup(tmp_path: Path) -> None:
    async with team_at(tmp_path, START, http_port=0) as team:
        amal = await team.new_client(team.sanne, "Amal Haddad", 701, "ar")
        answered = await asked_and_answered(team, amal)
        assert await waiting_and_answered(team) == (0, 1)
        assert "Beantwoord" in await open_listing(team)

        team.clock.advance(timedelta(days=1))  # Tuesday 2 March, 10:00 in Amsterdam
        confirmed = await amal.reply_to(answered["message_id"], FOLLOWUP)
        assert seen(confirmed[-1]) == text("ar", "ask.followup_sent").replace("{{ name }}", "Sanne")
        relayed = (await team.sanne.receive())[-1]["html"]
        assert "Vervolgvraag van Amal Haddad" in relayed and FOLLOWUP in relayed
        assert "dinsdag 2 maart 2027, 10:00 · bij de vraag van maandag 1 maart 2027" in relayed  # its own time first
        listing = await open_listing(team)
        assert "Wachten op antwoord (1)" in listing and "Beantwoord" not in listing
        assert FOLLOWUP[:40] in listing  # what waits for an answer, not the first question
        assert await waiting_and_answered(team) == (1, 0)

        # The first question's reminder (Wednesday) is not for this wait; the follow-up's (Thursday) is.
        team.clock.advance(timedelta(days=1, hours=1))
        await settle(team.bot)
        assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)
        team.clock.advance(timedelta(days=1))
        reminder = (await team.sanne.receive(timeout=15))[-1]["html"]
        assert reminder.startswith("⏰ De vervolgvraag van Amal Haddad van dinsdag 2 maart 2027")

        await answer(team, "Voor 1 april.")
        await amal.receive()
        assert "Beantwoord" in await open_listing(team)
        assert await waiting_and_answered(team) == (0, 1)


async def test_more_parts_of_a_new_question_are_not_followups(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal Haddad", 711, "en")
    await amal.say("/menu")
    await amal.press(label("en", "menu.ask"))
    await amal.say("What does this letter mean?")
    await amal.send(photo=b"\x89PNG letter")
    await amal.press(label("en", "ask.yes"))
    relayed = await team.sanne.receive(2)
    assert all("Vervolgvraag" not in (m.get("html") or m.get("caption") or "") for m in relayed)


async def test_coming_after_all_tells_the_klantmanager_once_after_the_cannot_come_notice(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 721, "en")
    await team.plan_tov_session(amal)
    await amal.press(label("en", "appointment.not_coming"))
    await amal.press(label("en", "appointment.coming"))  # before the notice went out: nothing to take back
    team.clock.advance(timedelta(minutes=20))
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)

    await amal.press(label("en", "appointment.not_coming"))
    await amal.say("My child is ill")
    assert "❌" in (await team.sanne.receive())[-1]["html"]
    await amal.press(label("en", "appointment.coming"))
    team.clock.advance(timedelta(seconds=10))  # it waits while the "cannot come" may still be on its way
    comes = (await team.sanne.receive())[-1]["html"]
    assert comes.startswith("✅ <b>Amal komt toch</b>") and "10 maart 2027" in comes

    await amal.press(label("en", "appointment.coming"))  # a repeated press
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)

    # She cannot come after all, and gives no reason: after the reason's wait Sanne hears it again, once.
    await amal.press(label("en", "appointment.not_coming"))
    team.clock.advance(timedelta(minutes=20))
    await settle(team.bot)
    assert "❌" in (await team.sanne.receive())[-1]["html"]
    await amal.press(label("en", "appointment.not_coming"))  # pressed again: nothing new to tell
    team.clock.advance(timedelta(minutes=20))
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)


async def test_the_dashboard_counts_a_followup_from_when_it_was_sent(tmp_path: Path) -> None:
    async with team_at(tmp_path, START, http_port=0) as team:
        amal = await team.new_client(team.sanne, "Amal Haddad", 731, "ar")
        answered = await asked_and_answered(team, amal)
        team.clock.advance(timedelta(days=3))
        await amal.reply_to(answered["message_id"], FOLLOWUP)
        await team.sanne.receive()
        team.clock.advance(timedelta(hours=2))
        (page,) = await sannes_dashboard(team, f"/dashboard/clients/{amal.person_id}")
        assert FOLLOWUP in page and "2 uur" in page and "3 dagen" not in page  # what waits, and since when


async def test_a_followup_after_done_waits_anew_with_its_own_reminder(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal Haddad", 741, "ar")
    answered = await asked_and_answered(team, amal)
    await amal.reply_to(answered["message_id"], FOLLOWUP)
    relayed = (await team.sanne.receive())[-1]["html"]
    assert "maandag 1 maart 2027, 10:00 · bij de vraag van 10:00\n" in relayed  # the same day: its date once
    await team.sanne.press(label("nl", "km.done_button"))  # closed without an answer to the follow-up

    team.clock.advance(timedelta(days=4))  # Friday 5 March: the follow-up's reminder would have been Wednesday
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)
    await amal.reply_to(answered["message_id"], "وأيضا: هل أحتاج جواز السفر؟")
    await team.sanne.receive()
    assert "Wachten op antwoord (1)" in await open_listing(team)
    team.clock.advance(timedelta(days=3, hours=1))  # Monday: not yet due (two working days: Tuesday)
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)
    team.clock.advance(timedelta(days=1))
    reminder = (await team.sanne.receive(timeout=15))[-1]["html"]
    assert reminder.startswith("⏰ De vervolgvraag van Amal Haddad van vrijdag 5 maart 2027")


async def test_coming_after_all_on_appointment_1_leaves_the_notice_of_appointment_11(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 751, "en")
    await team.plan_tov_session(amal)
    bilal = await team.new_client(team.sanne, "Bilal", 752, "en")
    db = team.bot.services.db
    db["appointments"].insert({"id": 10, "user_id": bilal.person_id, "kind": "tov", "starts_at": "2027-02-01T09:00:00+00:00",
                               "status": "cancelled", "version": 1, "created_at": "2027-01-20T09:00:00+00:00"})
    await team.plan_tov_session(bilal)
    assert [a["id"] for a in db["appointments"].rows_where("status = 'planned'", order_by="id")] == [1, 11]
    await bilal.press(label("en", "appointment.not_coming"))  # its notice waits a while for the reason
    await amal.press(label("en", "appointment.not_coming"))
    await amal.press(label("en", "appointment.coming"))  # "cannot_come:1" is not "cannot_come:11"
    team.clock.advance(timedelta(minutes=20))
    notice = (await team.sanne.receive())[-1]["html"]
    assert "Bilal kan niet komen" in notice


async def test_cannot_come_after_a_quick_change_of_mind_is_told(team: Team) -> None:
    """Cannot come (told), comes (told), cannot come and comes within the reason's wait (nothing to
    tell), then cannot come for good without a reason: Sanne's last word must be "kan niet komen"."""
    amal = await team.new_client(team.sanne, "Amal", 791, "en")
    await team.plan_tov_session(amal)
    await amal.press(label("en", "appointment.not_coming"))
    team.clock.advance(timedelta(minutes=20))
    assert "❌" in (await team.sanne.receive())[-1]["html"]
    await amal.press(label("en", "appointment.coming"))
    assert "komt toch" in (await team.sanne.receive())[-1]["html"]
    await amal.press(label("en", "appointment.not_coming"))
    await amal.press(label("en", "appointment.coming"))
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)
    await amal.press(label("en", "appointment.not_coming"))
    team.clock.advance(timedelta(minutes=20))
    assert "❌" in (await team.sanne.receive())[-1]["html"]


async def test_will_come_while_the_cannot_come_notice_is_on_its_way_still_tells_it(team: Team) -> None:
    """"I will come" pressed while the dispatcher is sending the "cannot come" notice (its row is
    claimed, as ``claim_next`` leaves it during the send): "komt toch" follows once it was sent."""
    amal = await team.new_client(team.sanne, "Amal", 792, "en")
    await team.plan_tov_session(amal)
    await amal.press(label("en", "appointment.not_coming"))
    db = team.bot.services.db
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'sending' WHERE kind = 'cannot_come'")
    await amal.press(label("en", "appointment.coming"))
    team.clock.advance(timedelta(seconds=2))
    await asyncio.sleep(0.3)  # a few dispatcher ticks (every 0.05 s in tests)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)  # it waits for the send
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'sent', sent_at = updated_at WHERE kind = 'cannot_come'")
    team.clock.advance(timedelta(seconds=10))
    assert "komt toch" in (await team.sanne.receive())[-1]["html"]


async def test_the_old_no_reason_button_after_the_reason_tells_nothing_twice(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 793, "en")
    await team.plan_tov_session(amal)
    await amal.press(label("en", "appointment.not_coming"))
    await amal.say("My child is ill")
    assert "❌" in (await team.sanne.receive())[-1]["html"]
    team.clock.advance(timedelta(minutes=1))
    answered = await amal.press(label("en", "appointment.no_reason"))  # the reason prompt's old button
    assert seen(answered[-1]) == text("en", "errors.stale_button")
    await settle(team.bot)
    assert not await team.sanne.client.messages(SANNE, after=team.sanne.seen)


async def test_the_dashboard_shows_the_longest_wait_not_the_first_question(tmp_path: Path) -> None:
    """Q1 answered, Q2 waits since the next day, a follow-up on Q1 a week later: the client has waited
    longest for Q2, and the caseload and the client page say so (not the follow-up's one day)."""
    async with team_at(tmp_path, START, http_port=0) as team:
        amal = await team.new_client(team.sanne, "Amal Haddad", 751, "ar")
        answered = await asked_and_answered(team, amal)
        team.clock.advance(timedelta(days=1))
        await ask(amal, "ar", "أين أجد الطبيب؟")
        await team.sanne.receive()
        team.clock.advance(timedelta(days=8))
        await amal.reply_to(answered["message_id"], FOLLOWUP)
        await team.sanne.receive()
        team.clock.advance(timedelta(days=1))
        caseload, page = await sannes_dashboard(team, "/dashboard/clients", f"/dashboard/clients/{amal.person_id}")
        assert "(oudste: 9 dagen)" in caseload and "9 dagen" in page and "24 uur" in page
        assert page.index("أين أجد الطبيب؟") < page.index(FOLLOWUP)  # the longest wait first
