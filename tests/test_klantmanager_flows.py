"""The klantmanager in daily use (issue 14): a statushouder and a klantmanager talking through the emulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.casework import questions
from bot.texts.bidi import strip_marks
from tests.harness import Person, buttons, seen
from tests.test_handoff import SANNE, Team, ask, label, team, text  # noqa: F401  (team: the fixture)
from tests.timeline import settle


def ui_text(key: str, **values: str) -> str:
    """A Dutch staff text with its values filled in (they hold no filters)."""
    result = text("nl", key)
    for name, value in values.items():
        result = result.replace("{{ " + name + " }}", value)
    return result


async def wait_for_button(person: Person, wanted: str, timeout: float = 10.0) -> None:
    """Until a message in the chat carries this button (items may be paced through the outbox)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(wanted in buttons(m) for m in await person.client.messages(person.user_id)):
        assert loop.time() < deadline, f"no button {wanted!r}"
        await asyncio.sleep(0.02)


async def choose_step(person: Person, number: int) -> None:
    step_buttons = buttons((await person.client.messages(person.user_id))[-1])
    await person.press(step_buttons[number - 1])


async def test_not_clear_from_a_farsi_reader_arrives_with_the_dutch_title(team: Team) -> None:
    shirin = await team.new_client(team.sanne, "Shirin", 701, "fa")
    await choose_step(shirin, 3)  # intake: "woning" is critical and asks "Did you understand?"
    await wait_for_button(shirin, label("fa", "check.unclear"))
    await shirin.press(label("fa", "check.unclear"))
    await shirin.press(label("fa", "check.ask"))
    await shirin.press(label("fa", "ask.yes"))
    relayed = (await team.sanne.receive())[-1]
    r = team.bot.services.renderer
    topic = next(q.question for q in questions.open_questions(team.bot.services.db, [team.sanne.person_id]) if q.question.user_id == shirin.person_id).topic
    dutch_title = r.title("nl", topic)
    assert dutch_title != r.title("fa", topic)
    assert f"Niet begrepen: <b>{dutch_title}</b>" in relayed["html"]
    assert ui_text("km.client_words", language="Farsi") in relayed["html"]  # their own words, marked
    assert strip_marks(r.title("fa", topic)) in seen(relayed)  # ... and still there as written


async def test_a_dutch_client_gets_no_language_mark(team: Team) -> None:
    jan = await team.new_client(team.sanne, "Jan", 702, "nl")
    await ask(jan, "nl", "Wanneer komt mijn uitkering?")
    relayed = (await team.sanne.receive())[-1]
    assert "Woorden van de klant" not in relayed["html"] and "Niet begrepen" not in relayed["html"]


async def test_broadcast_preview_says_free_text_goes_out_as_written(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 711, "ar")
    await choose_step(amal, 2)
    step_two = next(b for b in buttons((await team.sanne.say("/broadcast"))[-1]) if b.startswith("2. "))
    await team.sanne.press(step_two)
    await team.sanne.press(label("nl", "km.broadcast_free_text_button"))
    preview = await team.sanne.say("Bijeenkomst op 12 maart.")
    assert "precies zoals u hem schreef" in preview[0]["html"] and "niet vertaald" in preview[0]["html"]
    await team.sanne.press(label("nl", "km.broadcast_cancel_button"))
    # A text from the content goes out in each reader's own language: that preview says so.
    await team.sanne.say("/broadcast")
    await team.sanne.press(step_two)
    item_button = buttons((await team.sanne.client.messages(SANNE))[-1])[0]
    item_preview = await team.sanne.press(item_button)
    assert "in de eigen taal" in item_preview[0]["html"] and "niet vertaald" not in item_preview[0]["html"]


async def test_a_command_ends_the_klantmanagers_pending_input(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 721, "en")
    db = team.bot.services.db
    unknown = text("nl", "km.unknown_message")

    # Appointment place
    await team.start_appointment(team.sanne, "Amal", "tov")
    await team.sanne.say("12 maart 14:00")
    await team.sanne.say("/open")
    assert (await team.sanne.say("Jan Evertsenstraat 1"))[0]["html"] == unknown
    assert db["appointments"].count_where("user_id = ?", [amal.person_id]) == 0

    # Answer
    await ask(amal, "en", "Where is my letter?")
    await team.sanne.receive()
    await team.sanne.press(label("nl", "km.reply_button"))
    await team.sanne.say("/clients")
    assert (await team.sanne.say("Not an answer"))[0]["html"] == unknown
    assert db["thread_messages"].count_where("user_id = ? AND direction = 'to_client'", [amal.person_id]) == 0

    # Broadcast text
    await team.sanne.say("/broadcast")
    await team.sanne.press(buttons((await team.sanne.client.messages(SANNE))[-1])[0])
    await team.sanne.press(label("nl", "km.broadcast_free_text_button"))
    await team.sanne.say("/clients")
    assert (await team.sanne.say("Not a broadcast"))[0]["html"] == unknown
    await settle(team.bot)
    assert db["outbox"].count_where("kind = 'broadcast'") == 0
    assert not [m for m in await amal.client.messages(721, after=amal.seen) if m["from_bot"]]


async def test_changing_an_appointment_keeps_the_address_unless_changed(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 731, "en")
    await team.start_appointment(team.sanne, "Amal", "rechtmatigheidsgesprek")
    await team.sanne.say("12 maart 14:00")
    await team.sanne.say("Jan Evertsenstraat 1")
    await team.sanne.press(label("nl", "km.appt_nothing_button"))
    await team.sanne.press(label("nl", "km.appt_save_button"))
    await amal.receive()

    await team.sanne.press(label("nl", "km.appointment_button"))
    change = next(b for b in buttons((await team.sanne.client.messages(SANNE))[-1]) if b.startswith("✏"))
    await team.sanne.press(change)
    place = await team.sanne.say("13 maart 10:00")
    assert "Jan Evertsenstraat 1" in place[0]["html"]
    assert buttons(place[0]) == [label("nl", "km.appt_same_place_button")]
    await team.sanne.press(label("nl", "km.appt_same_place_button"))
    await team.sanne.press(label("nl", "km.appt_nothing_button"))
    check = await team.sanne.press(label("nl", "km.appt_save_button"))
    assert check
    changed = (await amal.receive())[-1]
    assert "Jan Evertsenstraat 1" in changed["html"] and "10:00" in changed["html"]
    row = team.bot.services.db["appointments"].rows_where("user_id = ?", [amal.person_id])
    assert [r["place"] for r in row] == ["Jan Evertsenstraat 1"]

    # A typed address replaces it.
    await team.sanne.press(label("nl", "km.appointment_button"))
    change = next(b for b in buttons((await team.sanne.client.messages(SANNE))[-1]) if b.startswith("✏"))
    await team.sanne.press(change)
    await team.sanne.say("14 maart 10:00")
    await team.sanne.say("Stadhuis, Amstel 1")
    await team.sanne.press(label("nl", "km.appt_nothing_button"))
    await team.sanne.press(label("nl", "km.appt_save_button"))
    moved = (await amal.receive())[-1]
    assert "Stadhuis, Amstel 1" in moved["html"]


async def test_a_second_message_after_an_answer_goes_to_the_same_question(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 741, "en")
    await ask(amal, "en", "Which letter do you need?")
    relayed = (await team.sanne.receive())[-1]
    sent = await team.sanne.reply_to(relayed["message_id"], "This one, I send a photo:")
    assert "half uur" in sent[0]["html"]
    await amal.receive()
    await team.sanne.send(photo=b"\x89PNG the letter")
    photo = (await amal.receive())[-1]
    assert photo["kind"] == "photo"
    db = team.bot.services.db
    assert db["questions"].count_where("user_id = ?", [amal.person_id]) == 1
    assert db["thread_messages"].count_where("user_id = ? AND direction = 'to_client'", [amal.person_id]) == 2

    team.clock.advance(timedelta(minutes=31))  # much later, a message belongs to no question
    late = await team.sanne.say("Something else")
    assert late[0]["html"] == text("nl", "km.unknown_message")
    assert db["thread_messages"].count_where("user_id = ? AND direction = 'to_client'", [amal.person_id]) == 2

    # Nor once another client's question has come in: the text may be meant for that one.
    tesfay = await team.new_client(team.sanne, "Tesfay", 742, "en")
    await team.sanne.reply_to(relayed["message_id"], "One more thing.")
    await amal.receive()
    await ask(tesfay, "en", "A new question")
    await team.sanne.receive()
    unclear = await team.sanne.say("Is this for Amal or Tesfay?")
    assert unclear[0]["html"] == text("nl", "km.unknown_message")
    assert db["thread_messages"].count_where("user_id = ? AND direction = 'to_client'", [amal.person_id]) == 3


async def test_done_removes_the_buttons_and_open_separates_answered_from_waiting(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 751, "en")
    tesfay = await team.new_client(team.sanne, "Tesfay", 752, "ti")
    await ask(amal, "en", "First question")
    first = (await team.sanne.receive())[-1]
    await ask(tesfay, "ti", "Second question")
    second = (await team.sanne.receive())[-1]
    await team.sanne.reply_to(first["message_id"], "An answer")

    listing = (await team.sanne.say("/open"))[0]["html"]
    waiting = listing.index(ui_text("km.open_waiting_header", count="1"))
    answered = listing.index(ui_text("km.open_answered_header", count="1"))
    assert waiting < listing.index("Tesfay") < answered < listing.index("Amal")

    done = await team.sanne.press_data(second["message_id"], buttons_data(second)[1])
    assert done[-1]["html"] == ui_text("km.done", client="Tesfay")
    closed = next(m for m in await team.sanne.client.messages(SANNE) if m["message_id"] == second["message_id"])
    assert buttons(closed) == []
    after = (await team.sanne.say("/open"))[0]["html"]
    assert "Tesfay" not in after and "Amal" in after and "Wachten op antwoord" not in after

    # Done under the overdue reminder also takes the buttons off the question itself.
    await ask(amal, "en", "Third question")
    third = (await team.sanne.receive())[-1]
    team.clock.advance(timedelta(days=2, hours=1))
    reminder = await team.sanne.receive_until(lambda m: "⏰" in (m.get("html") or "") and "Amal" in m["html"])
    await team.sanne.press_data(reminder["message_id"], buttons_data(reminder)[1])
    chat = {m["message_id"]: m for m in await team.sanne.client.messages(SANNE)}
    assert buttons(chat[reminder["message_id"]]) == [] and buttons(chat[third["message_id"]]) == []


def buttons_data(message: dict) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_a_substitute_is_named_before_sending_and_in_the_answer(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 761, "en")
    await team.sanne.say("/away 12-3")
    await team.sanne.press("Daan")
    await team.daan.receive()
    await amal.say("/menu")
    await amal.press(label("en", "menu.ask"))
    confirm = await amal.say("Who reads this?")
    before = confirm[-1]["html"]
    assert "Sanne is away until" in before and "Daan will answer" in before and "Send this to Daan?" in before
    await amal.press(label("en", "ask.yes"))
    relayed = (await team.daan.receive())[-1]
    await team.daan.reply_to(relayed["message_id"], "Ik help u.")
    answer = (await amal.receive())[-1]
    assert "Answer from Daan, for your klantmanager Sanne" in answer["html"] and "Ik help u." in answer["html"]

    await team.sanne.say("/back")
    await ask(amal, "en", "And now?")
    await team.sanne.reply_to((await team.sanne.receive())[-1]["message_id"], "Ik ben terug.")
    own = (await amal.receive())[-1]
    assert "Answer from your klantmanager Sanne" in own["html"]


async def test_a_client_who_leaves_without_appointments_is_named_only(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal Zyxw", 771, "ar")
    await ask(amal, "ar", "سؤال قبل الحذف")
    await team.sanne.receive()
    await amal.say("/delete")
    await amal.press(label("ar", "delete.yes"))
    left = await team.sanne.receive_until(lambda m: "Wegwijs verlaten" in (m.get("html") or ""))
    assert "Amal Zyxw" in left["html"] and text("nl", "km.client_left_no_appointments") in left["html"]
    assert "سؤال" not in left["html"]
    await settle(team.bot)
    assert team.bot.services.db.execute("SELECT count(*) FROM outbox WHERE params LIKE '%Zyxw%'").fetchone()[0] == 0
