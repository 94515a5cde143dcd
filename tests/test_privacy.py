"""Privacy (AVG), through the real bot: /mydata shows everything, /delete leaves no trace, nothing is kept forever."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from dateutil.relativedelta import relativedelta

from bot.channels.telegram import jobs
from bot.people import retention
from bot.editors.checker import ERROR, check_content
from bot.cli.main import main as cli
from bot.core.clock import FakeClock, parse_iso
from bot.core.config import DEFAULT_CONTENT_DIR, TIMEZONE
from bot.core.db import open_db, personal_tables
from bot.texts.periods import Period, PeriodError
from tests.content_fixture import fixture_content
from tests.harness import BotUnderTest, Person, bot_under_test, buttons
from tests.test_handoff import ADMIN, DAAN, SANNE, START, Team, ask, label, link_code, team_at
from tests.test_spine import LANGUAGES, OWN_NAMES, onboard, visible
from tests.timeline import MONDAY, at, plain, settle

STAFF = (ADMIN, SANNE, DAAN)
WEB_CHAT_TABLES = ("web_sessions", "web_messages", "web_files")
"""A Telegram person has no rows there; their export and erasure are shown in test_web_chat.py."""
PERSON = 880_001
NAME = "Amal Qwzxnaam"
QUESTION = "Qwzx question about the rent"
ANSWER = "Qwzx answer about the rent"
REASON = "Qwzx reason: my child is ill"
SEARCH = "Qwzxsearch blorptext"
UNSENT = "Qwzx question never sent"
TRACES = (NAME, QUESTION, ANSWER, REASON, SEARCH, UNSENT)


async def sweep(bot: BotUnderTest, clock: FakeClock, moment: datetime) -> dict[int, list[dict]]:
    """Move the clock, run the retention job of the JobQueue once, send what it planned;
    returns the bot's new messages per chat."""
    await at(bot, clock, moment)
    before = {chat: len(await bot.client.bot_messages(chat)) for chat in bot.emulator.state.chats}
    (job,) = bot.app.job_queue.get_jobs_by_name(jobs.RETENTION_JOB)
    await job.run(bot.app)
    await settle(bot)
    new = {chat: (await bot.client.bot_messages(chat))[before.get(chat, 0) :] for chat in bot.emulator.state.chats}
    return {chat: messages for chat, messages in new.items() if messages}


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    """An admin and two klantmanagers (as in test_handoff), with the retention job in the JobQueue."""
    async with team_at(tmp_path, START, retention_seconds=3600) as team:
        yield team


async def person_in_every_table(team: Team) -> Person:
    """A linked client with at least one row in every table that holds personal data."""
    bot, clock = team.bot, team.clock
    invite = await team.sanne.say(f"/newclient {NAME}")
    amal = bot.person(PERSON, language_code="en")
    await amal.say(f"/start {link_code(invite[0])}")
    await amal.press("English")
    await amal.press(label("en", "privacy.accept"))
    await team.sanne.receive()
    intake = next(b for b in buttons((await amal.client.messages(PERSON))[-1]) if b.startswith("3. "))
    await amal.press(intake)  # critical items: asked, repeated, then on the list of things not understood
    await settle(bot)
    for day in (1, 3, 7, 8):
        await at(bot, clock, START + timedelta(days=day))
    await amal.say("/start c-Qwzx-no-such-code")  # a wrong invitation code
    await amal.say(SEARCH)
    await ask(amal, "en", QUESTION)
    relayed = await team.sanne.receive_until(lambda m: QUESTION in plain(m))
    await team.sanne.reply_to(relayed["message_id"], ANSWER)
    await amal.receive_until(lambda m: ANSWER in plain(m))
    await team.plan_tov_session(amal)
    await amal.press(label("en", "appointment.not_coming"))
    await amal.say(REASON)
    await amal.say("/menu")
    await amal.press(label("en", "menu.ask"))
    await amal.say(UNSENT)  # "Send this?" is never answered: half-finished input
    # A command ends one's own half-finished input (so /mydata would), not the
    # klantmanager's: an appointment for Amal that Sanne has not finished.
    await team.start_appointment(team.sanne, NAME, "rechtmatigheidsgesprek")
    await settle(bot)
    db = bot.services.db
    assert [t for t in personal_tables(db) if not rows_about(db, t, amal.person_id) and t not in WEB_CHAT_TABLES] == []
    return amal


def rows_about(db: Any, table: str, person_id: int) -> int:
    """How many rows of ``table`` are about the person (theirs, or staff's about them)."""
    columns = [c for c in ("user_id", "about_user_id") if c in db[table].columns_dict]
    return db[table].count_where(" OR ".join(f"{c} = ?" for c in columns), [person_id] * len(columns))


def staff_ids_in(value: Any, staff_ids: set[int]) -> list[Any]:
    """Every place a staff member's id (Telegram or person id) shows up in exported data."""
    if isinstance(value, dict):
        return [found for v in value.values() for found in staff_ids_in(v, staff_ids)]
    if isinstance(value, list):
        return [found for v in value for found in staff_ids_in(v, staff_ids)]
    if isinstance(value, int) and value in staff_ids or isinstance(value, str) and any(str(i) in value for i in staff_ids):
        return [value]
    return []


async def test_mydata_exports_every_table_and_of_staff_only_their_names(team: Team) -> None:
    amal = await person_in_every_table(team)
    db = team.bot.services.db
    mine = await amal.say("/mydata")
    screen = visible(mine[0])
    assert "Something went wrong" not in screen
    for table in set(personal_tables(db)) - set(WEB_CHAT_TABLES):
        first_words = team.bot.services.renderer.button("en", f"mydata.table.{table}", count=0).split(":")[0]
        assert first_words in screen, table
    erase_from = retention.load_rules(team.bot.services.renderer.journey).inactive.after(team.clock.now())
    assert team.bot.services.renderer.ui("en", "mydata.erase_at", when=erase_from) in mine[0]["html"]

    exported = json.loads(await amal.client.file_bytes(mine[-1]["file_id"]))
    assert set(exported) == {"users", "identities", *personal_tables(db)}
    assert [table for table, rows in exported.items() if not rows and table not in WEB_CHAT_TABLES] == []
    assert exported["identities"] == [
        {"channel": "telegram", "external_id": str(PERSON), "person_id": amal.person_id, "linked_at": exported["identities"][0]["linked_at"]}
    ]
    staff_ids = {*STAFF, *(member.person_id for member in (team.admin, team.sanne, team.daan))}
    assert staff_ids_in(exported, staff_ids) == []
    text = json.dumps(exported, ensure_ascii=False)
    for trace in TRACES:
        if trace != UNSENT:  # the command /mydata ended that half-finished question
            assert trace in text
    assert exported["clients"][0]["klantmanager_id"] == "Sanne"
    answer = next(m for m in exported["thread_messages"] if m["text"] == ANSWER)
    assert answer["sender_id"] == "Sanne" and answer["user_id"] == amal.person_id
    assert exported["wrong_codes"][0]["user_id"] == amal.person_id


async def test_delete_leaves_no_trace_in_the_database_files(team: Team) -> None:
    amal = await person_in_every_table(team)
    db_path = team.bot.settings.db_path
    before = db_path.read_bytes() + Path(f"{db_path}-wal").read_bytes()
    assert all(trace.encode() in before for trace in (NAME, QUESTION, SEARCH))

    person_id = amal.person_id
    await amal.say("/delete")
    await amal.press(label("en", "delete.yes"))
    db = team.bot.services.db
    assert [t for t in personal_tables(db) if db[t].count_where("user_id = ?", [person_id])] == []
    assert db["identities"].count_where("person_id = ?", [person_id]) == 0
    # Only the klantmanager's notice holds the name (bot/people/leaving.py), until it is delivered.
    notice = await team.sanne.receive_until(lambda m: NAME in (m.get("html") or ""))
    assert QUESTION not in notice["html"] and REASON not in notice["html"]
    await settle(team.bot)
    raw = db_path.read_bytes()
    wal = Path(f"{db_path}-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert [trace for trace in TRACES if trace.encode() in raw] == []
    assert b"Qwzx" not in raw


async def test_inactive_people_are_told_then_erased_unless_they_come_back(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=0.05, retention_seconds=3600) as bot:
        await onboard(bot.person(701), "en", step_number=2)
        back = bot.person(702, language_code="nl")
        await onboard(back, "nl", step_number=2)
        db, r = bot.services.db, bot.services.renderer
        gone, kept = bot.person_id(701), back.person_id
        told_at = MONDAY + relativedelta(months=12) - timedelta(days=14)
        erase_at = MONDAY + relativedelta(months=12)

        assert await sweep(bot, clock, told_at - timedelta(minutes=1)) == {}
        told = await sweep(bot, clock, told_at)
        assert sorted(told) == [701, 702] and all(len(m) == 1 for m in told.values())
        english = told[701][0]
        assert english["html"] == r.ui("en", "privacy.inactive_warning", when=erase_at.astimezone(UTC).isoformat())
        assert buttons(english) == [r.button("en", "menu.main")]
        assert await sweep(bot, clock, told_at + timedelta(hours=1)) == {}  # told once

        clock.set(told_at + timedelta(days=1))
        await back.say("/menu")  # coming back starts the period anew
        assert await sweep(bot, clock, erase_at - timedelta(minutes=1)) == {}
        assert db["users"].count_where("id = ?", [gone]) == 1
        await sweep(bot, clock, erase_at)
        assert db["users"].count_where("id = ?", [gone]) == 0
        assert [t for t in personal_tables(db) if db[t].count_where("user_id = ?", [gone])] == []
        assert db["identities"].count_where("person_id = ?", [gone]) == 0
        assert db["users"].count_where("id = ?", [kept]) == 1
        # The one who came back is told a year after that.
        again = await sweep(bot, clock, told_at + timedelta(days=1) + relativedelta(months=12) - timedelta(days=14))
        assert sorted(again) == [702]


async def test_search_texts_drafts_codes_invitations_and_audit_expire(team: Team, monkeypatch, capsys) -> None:
    bot, clock, db = team.bot, team.clock, team.bot.services.db
    amal = await team.new_client(team.sanne, NAME, PERSON, "en")
    await team.sanne.say("/newclient Never Came")  # an invitation nobody uses
    await amal.say(SEARCH)
    await amal.say("/start c-Qwzx-no-such-code")
    await amal.say("/menu")
    await amal.press(label("en", "menu.ask"))
    await amal.say(UNSENT)
    stranger = bot.person(880_002)
    await stranger.say("/start")
    await stranger.press("English")  # a language, but no consent
    await sweep(bot, clock, START)

    monkeypatch.setenv("WEGWIJS_CLOCK_START", START.isoformat())
    capsys.readouterr()
    assert cli(["privacy", "status", "--db", str(bot.settings.db_path), "--format", "json"]) == 0
    status = {row["what"]: row for row in json.loads(capsys.readouterr().out)}
    local = START.astimezone(TIMEZONE)  # days and months count on the calendar: 30 days cross the clock change
    expected = {
        "search texts": local + timedelta(days=30),
        "wrong codes": START + timedelta(hours=24),
        "half-finished input": local + timedelta(days=7),
        "starts without consent": local + timedelta(days=7),
        "unused invitations": local + timedelta(days=14 + 30),
        # The oldest audit row: `wegwijs admin add`, on the real clock.
        "audit trail": parse_iso(db.execute("SELECT min(at) FROM audit").fetchone()[0]).astimezone(TIMEZONE)
        + relativedelta(months=24),
        "people: to be told before erasing": local + relativedelta(months=12) - timedelta(days=14),
    }
    for what, moment in expected.items():
        assert datetime.fromisoformat(status[what]["next_at"]) == moment, what
        assert status[what]["stored"] >= 1 and status[what]["due_now"] == 0, what
    assert cli(["privacy", "status", "--db", str(bot.settings.db_path)]) == 0
    assert "search texts" in capsys.readouterr().out

    def count(table: str, where: str = "1") -> int:
        return db.execute(f"SELECT count(*) FROM [{table}] WHERE {where}").fetchone()[0]

    await sweep(bot, clock, START + timedelta(hours=24, seconds=-1))
    assert count("wrong_codes") == 1
    await sweep(bot, clock, START + timedelta(hours=24))
    assert count("wrong_codes") == 0
    await sweep(bot, clock, START + timedelta(days=7))
    assert count("awaiting") == 0 and count("users", "id = 880002") == 0
    assert count("question_drafts") == 1
    await sweep(bot, clock, START + timedelta(days=30))
    assert count("question_drafts") == 0
    assert count("invites", "used_at IS NULL") == 1
    await sweep(bot, clock, START + timedelta(days=44))
    assert count("invites", "used_at IS NULL") == 0
    await sweep(bot, clock, START + relativedelta(months=24) - timedelta(minutes=1))
    assert count("audit") > 0
    await sweep(bot, clock, START + relativedelta(months=24))
    assert count("audit") == 0


async def test_the_privacy_notice_shows_the_retention_settings(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    journey_file = content / "journey.yaml"
    journey = yaml.safe_load(journey_file.read_text(encoding="utf-8"))
    journey["retention"] = {**journey["retention"], "inactive": "6mo", "search_texts": "10d"}
    journey_file.write_text(yaml.safe_dump(journey, allow_unicode=True), encoding="utf-8")
    async with bot_under_test(tmp_path / "w.db", content_dir=content) as bot:
        person = bot.person(703)
        await person.say("/start")
        notice = await person.press(OWN_NAMES["en"])
        text = visible(notice[0])
        assert "for 6 months? Then I erase everything about you" in text
        assert "Texts you searched for: 10 days." in text
        assert "name" in text and "address" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_retention_period_is_in_the_notice_and_every_table_has_its_line(renderer: Any, lang: str) -> None:
    from bot.screens.views import privacy_screen

    rules = retention.load_rules(renderer.journey)
    notice = privacy_screen(renderer, lang, accepted=True).text(lang)
    for name, period in rules.template_values().items():
        if name != "invitations":  # not the person's yet: an invitation nobody opened
            assert period.spelled(renderer.journey.locale(lang)) in notice, name
    for table in personal_tables(open_db(":memory:")):
        assert f"mydata.table.{table}" in renderer.content.ui[lang], table


def test_periods_count_on_the_calendar() -> None:
    march = datetime(2025, 3, 10, 10, 0, tzinfo=TIMEZONE)
    assert Period.parse("12mo").after(march) == datetime(2026, 3, 10, 10, 0, tzinfo=TIMEZONE)
    assert Period.parse("1d").after(datetime(2025, 3, 29, 12, 0, tzinfo=TIMEZONE)) == datetime(
        2025, 3, 30, 12, 0, tzinfo=TIMEZONE
    )  # 23 real hours: the clocks went forward
    assert Period.parse("24h").before(march) == march - timedelta(hours=24)
    for wrong in ("0d", "12m", "a year", ""):
        with pytest.raises(PeriodError):
            Period.parse(wrong)


@pytest.mark.parametrize(
    ("setting", "message"),
    [("inactive: 12m", "retention.inactive: '12m' is not a period"), ("warn_before: 2mo\n  inactive: 1mo", "shorter")],
)
def test_content_check_refuses_a_bad_retention_setting(tmp_path: Path, setting: str, message: str) -> None:
    root = fixture_content(tmp_path)
    with (root / "journey.yaml").open("a", encoding="utf-8") as journey:
        journey.write(f"\nretention:\n  {setting}\n")
    found = [f for f in check_content(root) if f.severity == ERROR]
    assert len(found) == 1 and message in found[0].message
    assert found[0].file.name == "journey.yaml" and found[0].line > 1


async def test_a_client_erased_after_a_long_silence_is_announced_to_their_klantmanager(team: Team) -> None:
    client = await team.new_client(team.sanne, NAME, PERSON, "en")
    person_id = client.person_id
    erase_at = START + relativedelta(months=12)
    told = await sweep(team.bot, team.clock, erase_at - timedelta(days=14))
    assert list(told) == [PERSON]
    erased = await sweep(team.bot, team.clock, erase_at + timedelta(minutes=1))
    assert team.bot.services.db["users"].count_where("id = ?", [person_id]) == 0
    (notice,) = erased[SANNE]
    assert NAME in notice["html"] and "Wegwijs verlaten" in notice["html"]
    assert team.bot.services.db.execute("SELECT count(*) FROM outbox WHERE params LIKE '%Qwzx%'").fetchone()[0] == 0
