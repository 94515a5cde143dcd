"""The statushouder's conversation as people have it (issue 14): follow-ups on an answer,
greetings, the menu for Dutch readers. A statushouder and a klantmanager talk in one test."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.reminders import appointments, repetition
from bot.casework import handoff
from bot.delivery import outbox
from bot.cli.main import main as cli
from bot.core.clock import FakeClock
from bot.core.config import TIMEZONE
from bot.core.db import open_db
from bot.texts.timing import load_timing
from tests.harness import bot_under_test, buttons, seen, strip_marks
from tests.test_spine import onboard
from tests.timeline import MONDAY, at, settle
from tests.test_handoff import Team, ask, label, team, text  # noqa: F401 (team is a fixture)

LETTER = b"\x89PNG the letter"


async def answered(team: Team, user_id: int, lang: str, question: str, reply: str):
    """A client asks, Sanne answers by replying; returns the client and the answer as they got it."""
    client = await team.new_client(team.sanne, "Amal Haddad", user_id, lang)
    await ask(client, lang, question)
    relayed = (await team.sanne.receive())[-1]
    await team.sanne.reply_to(relayed["message_id"], reply)
    answer = (await client.receive())[-1]
    assert reply in answer["html"]
    return client, answer


def sent_text(lang: str) -> str:
    return text(lang, "ask.followup_sent").replace("{{ name }}", "Sanne")


async def test_a_photo_replying_to_the_answer_reaches_the_klantmanager(team: Team) -> None:
    amal, answer = await answered(team, 601, "ar", "أي رسالة تحتاج؟", "Stuur een foto van de brief.")
    got = await amal.act(team.bot.client.send_photo(601, LETTER, reply_to_message_id=answer["message_id"]))
    assert sent_text("ar") in seen(got[-1])
    assert text("ar", "errors.not_text") not in seen(got[-1])
    photo = (await team.sanne.receive())[-1]
    assert photo["kind"] == "photo" and "Amal Haddad" in photo["caption"]
    # The klantmanager answers the photo in the same thread.
    await team.sanne.reply_to(photo["message_id"], "Dank u, ik regel het.")
    assert "Dank u, ik regel het." in (await amal.receive())[-1]["html"]
    db = team.bot.services.db
    assert db["questions"].count_where("user_id = ?", [amal.person_id]) == 1
    assert db["thread_messages"].count_where("user_id = ?", [amal.person_id]) == 4


async def test_a_text_reply_to_a_closed_question_opens_it_again(team: Team) -> None:
    amal, answer = await answered(team, 602, "en", "Do I need my passport?", "Ja, neem uw paspoort mee.")
    await team.sanne.press(label("nl", "km.done_button"))
    got = await amal.reply_to(answer["message_id"], "Also my old one?")
    assert sent_text("en") in seen(got[-1])
    relayed = (await team.sanne.receive())[-1]
    assert "Also my old one?" in relayed["html"]
    assert team.bot.services.db["questions"].count_where("user_id = ? AND status = 'open'", [amal.person_id]) == 1


async def test_a_message_soon_after_an_answer_asks_before_it_goes(team: Team) -> None:
    amal, _ = await answered(team, 603, "fa", "کدام نامه؟", "Stuur een foto van de brief.")
    offered = await amal.send(photo=LETTER)
    confirm = text("fa", "ask.followup_confirm").replace("{{ name }}", "Sanne")
    assert confirm in seen(offered[-1])
    yes = text("fa", "ask.followup_yes").replace("{{ name }}", "Sanne")
    assert strip_marks(buttons(offered[-1])[0]) == yes
    # A second message while asked goes together with the first.
    again = await amal.say("این نامه است")
    assert "📷" in seen(again[-1]) and "این نامه است" in seen(again[-1])
    done = await amal.press(yes)
    assert sent_text("fa") in seen(done[-1])
    relayed = await team.sanne.receive(2)
    assert [m["kind"] for m in relayed[-2:]] == ["photo", "text"]

    # A greeting soon after an answer still gets the menu.
    menu = await amal.say("سلام")
    assert seen(menu[-1]) == text("fa", "greeting.hello")
    # "No": a text is searched as usual; nothing reaches the klantmanager.
    await amal.say("huur")
    searched = await amal.press(text("fa", "ask.followup_no"))
    assert searched and confirm not in seen(searched[-1])
    # A day later a photo is no follow-up any more.
    team.clock.advance(timedelta(hours=25))
    late = await amal.send(photo=LETTER)
    assert text("fa", "errors.not_text") in seen(late[-1])
    assert team.bot.services.db["thread_messages"].count_where("user_id = ? AND direction = 'from_client'", [amal.person_id]) == 3


async def test_a_photo_after_a_draft_goes_with_it(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 604, "en")
    await amal.say("/menu")
    await amal.press(label("en", "menu.ask"))
    await amal.say("What does this letter mean?")
    both = await amal.send(photo=LETTER)
    assert "What does this letter mean?" in seen(both[-1]) and "📷" in seen(both[-1])
    await amal.press(label("en", "ask.yes"))
    relayed = await team.sanne.receive(2)
    assert "What does this letter mean?" in relayed[0]["html"]
    assert relayed[-1]["kind"] == "photo"
    db = team.bot.services.db
    assert db["questions"].count_where("user_id = ?", [amal.person_id]) == 1
    assert db["thread_messages"].count_where("user_id = ?", [amal.person_id]) == 2


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", ["hallo", "menu"]), ("en", ["hi", "help"]), ("ar", ["مرحبا", "السلام عليكم"]), ("fa", ["سلام"]), ("ti", ["ሰላም"])],
)
async def test_a_greeting_gets_the_menu(team: Team, lang: str, words: list[str]) -> None:
    person = await team.new_client(team.sanne, "Amal", 610, lang)
    for word in words:
        got = await person.say(word)
        assert seen(got[-1]) == text(lang, "greeting.hello")
        assert label(lang, "menu.ask") in [strip_marks(b) for b in buttons(got[-1])]
    searched = await person.say("hallo, wanneer begint de taalles?")
    assert seen(searched[-1]) != text(lang, "greeting.hello")


async def test_dutch_readers_are_not_offered_the_bilingual_view(team: Team) -> None:
    dutch = await team.new_client(team.sanne, "Piet", 620, "nl")
    menu = (await dutch.say("/menu"))[-1]
    assert label("nl", "menu.bilingual_on") not in buttons(menu)
    toggled = await dutch.say("/bilingual")
    assert label("nl", "menu.bilingual_on") not in buttons(toggled[-1])
    assert not team.bot.services.db["users"].get(dutch.person_id)["bilingual"]
    english = await team.new_client(team.sanne, "Sam", 621, "en")
    assert label("en", "menu.bilingual_on") in buttons((await english.say("/menu"))[-1])


@pytest.mark.parametrize(
    ("lang", "question"),
    [("nl", "wanneer begint de taalles?"), ("ar", "متى يبدأ دروس اللغة"), ("fa", "کلاس زبان کی شروع میشه"),
     ("ti", "ትምህርቲ ቋንቋ መዓስ ይጅምር")],
)
async def test_a_when_question_finds_the_step_not_the_azc(team: Team, lang: str, question: str) -> None:
    person = await team.new_client(team.sanne, "Amal", 630, lang)
    found = (await person.say(question))[-1]
    titles = [strip_marks(b) for b in buttons(found)]
    renderer = team.bot.services.renderer
    assert titles[0] == strip_marks(renderer.title(lang, "stap-opstartklas"))


async def test_after_i_cannot_come_no_more_reminders_the_klantmanager_decides(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal Haddad", 640, "en")
    await team.plan_tov_session(amal)  # 10 March 2027, 10:00
    db = team.bot.services.db
    assert outbox.pending(db, user_id=amal.person_id, kinds=[appointments.REMINDER])
    await amal.press(label("en", "appointment.not_coming"))
    await amal.press(label("en", "appointment.no_reason"))
    told = (await team.sanne.receive())[-1]
    assert "Amal Haddad" in told["html"]

    before = len(await team.bot.client.bot_messages(640))
    await at(team.bot, team.clock, datetime(2027, 3, 10, 9, 30, tzinfo=TIMEZONE))
    assert len(await team.bot.client.bot_messages(640)) == before
    assert not outbox.pending(db, user_id=amal.person_id, kinds=[appointments.REMINDER])

    # The klantmanager moves it to another day: that time asks again, with its reminders.
    s = team.bot.services
    appointment = appointments.list_appointments(db, user_id=amal.person_id)[0]
    appointments.change(s.db, load_timing(s.renderer.journey), appointment.id, now=team.clock.now(),
                        starts_at=datetime(2027, 3, 17, 10, 0))
    changed = (await amal.receive())[-1]
    assert label("en", "appointment.not_coming") in buttons(changed)
    await at(team.bot, team.clock, datetime(2027, 3, 16, 10, 0, tzinfo=TIMEZONE))
    reminder = (await team.bot.client.bot_messages(640))[-1]
    assert text("en", "appointment.reminder") in reminder["html"]


NIGHT = datetime(2027, 3, 1, 23, 0, tzinfo=TIMEZONE)
MORNING = datetime(2027, 3, 2, 8, 0, tzinfo=TIMEZONE)


async def plan_by_telegram(team: Team, client: str, when: str) -> list[dict]:
    """Sanne plans an appointment in Telegram; returns what she was told after saving."""
    await team.start_appointment(team.sanne, client, "rechtmatigheidsgesprek")
    await team.sanne.say(when)
    await team.sanne.say("Jan Evertsenstraat 1")
    await team.sanne.say("Paspoort")
    return await team.sanne.press(label("nl", "km.appt_save_button"))


async def test_at_night_the_klantmanager_hears_when_the_notice_goes_and_a_cancel_before_it_sends_nothing(
    team: Team,
) -> None:
    await team.new_client(team.sanne, "Amal", 650, "en")
    await at(team.bot, team.clock, NIGHT)
    told = await plan_by_telegram(team, "Amal", "12 maart 14:00")
    assert "Amal" in told[-1]["html"] and "08:00" in told[-1]["html"]
    assert text("nl", "km.appt_held").split("{{")[0] in told[-1]["html"]
    before = len(await team.bot.client.bot_messages(650))

    # Half an hour later she cancels it: Amal never heard of it, so Amal hears nothing now either.
    await at(team.bot, team.clock, NIGHT + timedelta(minutes=30))
    await team.sanne.press(label("nl", "km.appointment_button"))
    cancel_button = next(b for b in buttons((await team.sanne.client.messages(team.sanne.user_id))[-1]) if b.startswith("✖"))
    question = await team.sanne.press(cancel_button)
    assert "Amal had er nog geen bericht over gekregen" in question[0]["html"]
    cancelled = await team.sanne.press(label("nl", "km.appt_drop_button"))
    assert cancelled[0]["html"] == text("nl", "km.appt_cancelled_untold").replace("{{ client }}", "Amal")
    await at(team.bot, team.clock, MORNING)
    assert len(await team.bot.client.bot_messages(650)) == before


async def test_a_change_at_night_before_the_person_heard_comes_as_the_news_itself(team: Team) -> None:
    amal = await team.new_client(team.sanne, "Amal", 651, "en")
    await at(team.bot, team.clock, NIGHT)
    s = team.bot.services
    timing = load_timing(s.renderer.journey)
    first = appointments.add(s.db, timing, user_id=amal.person_id, kind="tov", starts_at=datetime(2027, 3, 10, 10, 0),
                             now=team.clock.now(), place="Implacement")
    appointments.change(s.db, timing, first.id, now=team.clock.now(), starts_at=datetime(2027, 3, 11, 10, 0))
    await at(team.bot, team.clock, MORNING)
    news = await amal.receive()
    assert len(news) == 1
    assert label("en", "appointment.added") in news[0]["html"] and "11 March 2027" in news[0]["html"]
    assert label("en", "appointment.changed") not in news[0]["html"]


def test_outbox_status_does_not_count_messages_held_for_quiet_hours_as_due(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.db"
    db = open_db(path)
    evening = datetime(2027, 3, 1, 21, 30, tzinfo=TIMEZONE)
    outbox.enqueue(db, user_id=1, chat_id=1, kind=appointments.REMINDER, params={}, due_at=evening, key="held", quiet=True)
    outbox.enqueue(db, user_id=1, chat_id=1, kind=handoff.RELAY, params={}, due_at=evening, key="urgent")
    db.close()
    monkeypatch.setenv("WEGWIJS_CLOCK_START", NIGHT.isoformat())
    assert cli(["outbox", "status", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "due now: 1 " in out
    assert "held for quiet hours: 1, sent from" in out and "08:00" in out


async def test_critical_items_come_one_at_a_time(tmp_path) -> None:
    """Reaching a step: one "Did you understand?" at a time, the next after the answer or an hour later."""
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=0.05) as bot:
        first, second = bot.person(660), bot.person(661)
        for person in (first, second):
            await onboard(person, "ar", step_number=3)  # intake: woning and rechtmatigheidsgesprek are critical
        await settle(bot)
        asked = text("ar", "check.first")

        def checks(messages: list[dict]) -> list[dict]:
            return [m for m in messages if asked in seen(m)]

        assert len(checks(await bot.client.bot_messages(660))) == 1
        # "Not clear" is an answer too: the item again, then the next one.
        await first.press(label("ar", "check.unclear"))
        await settle(bot)
        got = checks(await bot.client.bot_messages(660))
        assert len(got) == 2 and strip_marks(bot.services.renderer.title("ar", "rechtmatigheidsgesprek")) in seen(got[1])

        # No answer: the next comes an hour later, not at once.
        assert len(checks(await bot.client.bot_messages(661))) == 1
        await at(bot, clock, MONDAY + repetition.NEXT_ITEM_PAUSE - timedelta(minutes=1))
        assert len(checks(await bot.client.bot_messages(661))) == 1
        await at(bot, clock, MONDAY + repetition.NEXT_ITEM_PAUSE)
        assert len(checks(await bot.client.bot_messages(661))) == 2


async def test_an_important_item_opened_from_its_step_asks_the_check_and_leads_back(team: Team) -> None:
    person = team.bot.person(670, language_code="fa")
    await onboard(person, "fa", step_number=3)
    await settle(team.bot)  # the step's first important item, sent on its own
    r = team.bot.services.renderer
    step_title = strip_marks(r.title("fa", "stap-intake"))
    await person.say("/step")
    opened = (await person.press(r.title("fa", "woning")))[-1]
    labels = [strip_marks(b) for b in buttons(opened)]
    assert label("fa", "check.yes") in labels and label("fa", "check.unclear") in labels
    back = text("fa", "item.back_to_step").replace("{{ title }}", step_title)
    assert back in labels
    overview = (await person.press(back))[-1]
    assert step_title in seen(overview)
    # A step's other items lead back to their own step too, without a check.
    step, extra = next(
        (s, i) for s in r.journey.steps for i in s.extra_items if not r.journey.is_critical(i)
    )
    plain_item = (await person.press_data(overview["message_id"], f"item:{extra}"))[-1]
    labels = [strip_marks(b) for b in buttons(plain_item)]
    own_step = text("fa", "item.back_to_step").replace("{{ title }}", strip_marks(r.title("fa", step.overview)))
    assert own_step in labels and label("fa", "check.yes") not in labels
