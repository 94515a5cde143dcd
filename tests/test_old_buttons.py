"""Old buttons answer as old buttons and never undo other work (round 2, findings 3-6 of the r1 report)."""

from __future__ import annotations

from datetime import timedelta

from bot.core import awaiting
from bot.reminders import appointments
from bot.texts.timing import load_timing
from bot.texts.bidi import strip_marks
from tests.harness import Person, buttons
from tests.test_handoff import Team, ask, label, team, text  # noqa: F401  (team: the fixture)
from tests.timeline import settle


async def press_on(person: Person, message: dict, wanted: str) -> list[dict]:
    """Press the button with this label on this very message (not the newest one that has it)."""
    data = next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if strip_marks(b["text"]) == strip_marks(wanted)
    )
    return await person.press_data(message["message_id"], data)


def refused_count(team: Team) -> int:
    return team.bot.services.db["audit"].count_where("action = 'refused' AND actor_id = ?", [team.sanne.person_id])


async def plan_appointment(team: Team, place: str = "Amstel 1") -> tuple[dict, dict, dict]:
    """Sanne plans a TOV session for her client Amal: the place, "Niets" and "Klopt dit?" messages."""
    await team.start_appointment(team.sanne, "Amal", "tov")
    await team.sanne.say("12 maart 14:00")
    bring = (await team.sanne.say(place))[0]
    check = (await team.sanne.press(label("nl", "km.appt_nothing_button")))[0]
    return bring, check, (await team.sanne.press(label("nl", "km.appt_save_button")))[0]


async def appointment_list(team: Team) -> dict:
    await team.sanne.say("/clients")
    await team.sanne.press("Amal")
    return (await team.sanne.press(label("nl", "km.appointment_button")))[0]


def change_button(listing: dict) -> str:
    return next(b for b in buttons(listing) if b.startswith("✏"))


async def test_an_old_no_after_sending_is_stale_and_keeps_the_next_question(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 801, "ar")
    await amal.say("/menu")
    await amal.press(label("ar", "menu.ask"))
    confirm = (await amal.say("سؤال واحد فقط"))[-1]
    await press_on(amal, confirm, label("ar", "ask.yes"))
    await team.sanne.receive()
    await amal.say("/menu")
    prompt = (await amal.press(label("ar", "menu.ask")))[-1]  # a second question, not written yet

    old_no = await press_on(amal, confirm, label("ar", "ask.no"))
    assert old_no[-1]["html"].startswith(text("ar", "errors.stale_button"))
    assert awaiting.current(team.bot.services.db, amal.person_id).kind == "question"
    second = await amal.say("سؤال ثانٍ")
    assert buttons(second[-1])[0] == label("ar", "ask.yes")  # the second question goes on as before

    # The prompt's Cancel now belongs to a question that moved on to "Send this?": also old.
    assert (await press_on(amal, prompt, label("ar", "ask.cancel_button")))[-1]["html"].startswith(
        text("ar", "errors.stale_button")
    )
    # The No of the confirmation on screen still cancels.
    cancelled = await press_on(amal, second[-1], label("ar", "ask.no"))
    assert cancelled[-1]["html"].startswith(text("ar", "ask.cancelled"))
    assert awaiting.current(team.bot.services.db, amal.person_id) is None


async def test_stale_appointment_buttons_say_so_and_are_not_refusals(team: Team) -> None:
    await team.new_client(team.sanne, "Amal", 802, "en")
    stale = text("nl", "km.stale_button")
    bring, check, saved = await plan_appointment(team)
    assert saved["html"].startswith("De afspraak is opgeslagen")

    assert (await press_on(team.sanne, check, label("nl", "km.appt_save_button")))[0]["html"] == stale  # twice
    assert (await press_on(team.sanne, bring, label("nl", "km.appt_nothing_button")))[0]["html"] == stale
    assert (await press_on(team.sanne, check, label("nl", "km.appt_abort_button")))[0]["html"] == stale

    # Opslaan after "Niet opslaan", and an old flow's button in a new run of the flow.
    await team.start_appointment(team.sanne, "Amal", "tov")
    await team.sanne.say("13 maart 10:00")
    await team.sanne.say("Stadhuis")
    second_check = (await team.sanne.press(label("nl", "km.appt_nothing_button")))[0]
    assert (await press_on(team.sanne, check, label("nl", "km.appt_save_button")))[0]["html"] == stale
    assert (await press_on(team.sanne, check, label("nl", "km.appt_abort_button")))[0]["html"] == stale
    aborted = await press_on(team.sanne, second_check, label("nl", "km.appt_abort_button"))
    assert aborted[0]["html"] == text("nl", "km.appt_aborted")
    assert (await press_on(team.sanne, second_check, label("nl", "km.appt_save_button")))[0]["html"] == stale

    assert team.bot.services.db["appointments"].count == 1
    assert refused_count(team) == 0


async def test_an_old_appointment_abort_keeps_the_answer_being_written(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 803, "en")
    _, check, _ = await plan_appointment(team)
    await amal.receive()
    await ask(amal, "en", "What does this letter mean?")
    await team.sanne.receive()
    await team.sanne.press(label("nl", "km.reply_button"))

    old_abort = await press_on(team.sanne, check, label("nl", "km.appt_abort_button"))
    assert old_abort[0]["html"] == text("nl", "km.stale_button")
    await team.sanne.say("Het is een brief over uw uitkering.")
    answer = (await amal.receive())[-1]
    assert "uitkering" in answer["html"]


async def test_cancel_asks_first_and_a_cancelled_appointment_is_refused_at_once(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 804, "en")
    db = team.bot.services.db
    await plan_appointment(team)
    await amal.receive()
    listing = await appointment_list(team)
    cancel = next(b for b in buttons(listing) if b.startswith("✖"))
    assert cancel == "✖ " + label("nl", "km.appt_cancel_button") != label("nl", "km.appt_abort_button")

    question = (await press_on(team.sanne, listing, cancel))[0]
    assert "annuleren?" in question["html"] and "Amal krijgt daar bericht van" in question["html"]
    kept = await press_on(team.sanne, question, label("nl", "km.appt_keep_button"))
    assert kept[0]["html"] == text("nl", "km.appt_kept")
    assert [r["status"] for r in db["appointments"].rows] == ["planned"]

    done = await press_on(team.sanne, question, label("nl", "km.appt_drop_button"))
    assert done[0]["html"].startswith("De afspraak is geannuleerd")
    assert "❌" in (await amal.receive())[-1]["html"]
    gone = text("nl", "km.appt_gone")
    assert (await press_on(team.sanne, question, label("nl", "km.appt_drop_button")))[0]["html"] == gone
    assert (await press_on(team.sanne, listing, cancel))[0]["html"] == gone
    changed = await press_on(team.sanne, listing, change_button(listing))
    assert changed[0]["html"] == gone and awaiting.current(db, team.sanne.person_id) is None
    assert refused_count(team) == 0


async def test_a_cancel_question_is_stale_once_the_appointment_changed(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 805, "en")
    await plan_appointment(team)
    await amal.receive()
    listing = await appointment_list(team)
    cancel = next(b for b in buttons(listing) if b.startswith("✖"))
    question = (await press_on(team.sanne, listing, cancel))[0]
    await press_on(team.sanne, listing, change_button(listing))
    await team.sanne.say("13 maart 10:00")
    await team.sanne.press(label("nl", "km.appt_same_place_button"))
    await team.sanne.press(label("nl", "km.appt_nothing_button"))
    await team.sanne.press(label("nl", "km.appt_save_button"))
    await amal.receive()

    stale = await press_on(team.sanne, question, label("nl", "km.appt_drop_button"))
    assert stale[0]["html"] == text("nl", "km.stale_button")
    assert [r["status"] for r in team.bot.services.db["appointments"].rows] == ["planned"]


async def test_a_change_of_a_past_or_meanwhile_cancelled_appointment_is_refused(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 806, "en")
    await plan_appointment(team)
    await amal.receive()
    listing = await appointment_list(team)
    # Cancelled (on the server, with the CLI) while the change is being written: Opslaan says so, without an id.
    await press_on(team.sanne, listing, change_button(listing))
    await team.sanne.say("13 maart 10:00")
    await team.sanne.press(label("nl", "km.appt_same_place_button"))
    await team.sanne.press(label("nl", "km.appt_nothing_button"))
    s = team.bot.services
    appointment_id = next(s.db["appointments"].rows)["id"]
    appointments.cancel(s.db, load_timing(s.renderer.journey), appointment_id, now=team.clock.now())
    saved = await team.sanne.press(label("nl", "km.appt_save_button"))
    assert saved[0]["html"] == text("nl", "km.appt_gone")

    await plan_appointment(team, place="Stadhuis")
    listing = await appointment_list(team)
    team.clock.advance(timedelta(days=12))  # past 12 March 14:00
    await settle(team.bot)
    assert (await press_on(team.sanne, listing, change_button(listing)))[0]["html"] == text("nl", "km.appt_gone")


async def test_a_too_long_address_is_refused_at_once(team: Team) -> None:
    await team.new_client(team.sanne, "Amal", 807, "en")
    await team.start_appointment(team.sanne, "Amal", "tov")
    await team.sanne.say("12 maart 14:00")
    refused = await team.sanne.say("A" * 501)
    assert refused[0]["html"] == text("nl", "km.appt_too_long").replace("{{ limit }}", "500")
    bring = await team.sanne.say("Amstel 1")  # still asked for the place
    assert buttons(bring[0]) == [label("nl", "km.appt_nothing_button")]
