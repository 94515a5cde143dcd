"""The admin overview's numbers (issue 16), on a database seeded through the program's own functions.

Each section is checked against what was seeded; counts below 5 show "<5"
in tables, CSV and charts; no name or Telegram id appears anywhere; the
trigger-kept counters always equal a count of their tables.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.casework import questions, staff
from bot.cli.main import main as cli
from bot.core.config import DEFAULT_CONTENT_DIR
from bot.core import db as database
from bot.core.clock import iso
from bot.dashboard import counters, insights
from bot.dashboard.tables import SUPPRESSED, Link, Table
from bot.delivery import outbox
from bot.people import users
from bot.reminders import appointments, repetition
from bot.texts.content import load_content
from bot.texts.render import Renderer
from bot.texts.timing import load_timing

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday
KM_SANNE, KM_DAAN = 880_001, 880_002
TI_PEOPLE = [7_100_001 + n for n in range(12)]  # step tov, Tigrinya
AR_PEOPLE = [7_200_001 + n for n in range(3)]  # step tov, Arabic: fewer than 5
NL_PEOPLE = [7_300_001 + n for n in range(6)]  # step azc, Dutch, five of them new this week
ITEM = "participatieverklaring"
KIND = "tov"
NAMES = {person: f"Klant{person}" for person in TI_PEOPLE + AR_PEOPLE + NL_PEOPLE}
STAFF_NAMES = {KM_SANNE: "Sanne Jansen", KM_DAAN: "Daan de Vries"}


def _person(db: sqlite_utils.Database, person: int, lang: str, step: str, joined: datetime, km: int) -> None:
    users.choose_language(db, person, lang)
    users.accept_privacy(db, person, joined)
    users.set_step(db, person, step)
    staff.link_client(db, person, km, NAMES[person], joined)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, renderer: Renderer) -> sqlite_utils.Database:
    db = database.open_db(tmp_path_factory.mktemp("insights") / "wegwijs.db")
    journey, timing = renderer.journey, load_timing(renderer.journey)
    staff.add_klantmanager(db, KM_SANNE, STAFF_NAMES[KM_SANNE], NOW - timedelta(days=400))
    staff.add_klantmanager(db, KM_DAAN, STAFF_NAMES[KM_DAAN], NOW - timedelta(days=300))
    long_ago = NOW - timedelta(days=40)
    for person in TI_PEOPLE:
        _person(db, person, "ti", "tov", long_ago, KM_SANNE)
    for person in AR_PEOPLE:
        _person(db, person, "ar", "tov", long_ago, KM_DAAN)
    for n, person in enumerate(NL_PEOPLE):
        _person(db, person, "nl", "azc", NOW - timedelta(days=2 if n < 5 else 20), KM_SANNE)
    for person in TI_PEOPLE[:6]:
        users.touch(db, person, NOW - timedelta(days=3))
    users.deactivate(db, AR_PEOPLE[0])  # blocked the bot

    # Understanding: every tov person is asked the critical item; it is sent once.
    asked = NOW - timedelta(days=20)
    for person in TI_PEOPLE + AR_PEOPLE:
        repetition.on_step_reached(db, journey, person, "tov", asked)
        repetition.after_critical_sent(db, timing, person, {"item_id": ITEM, "round": 1, "n": 0}, asked)
    for person in TI_PEOPLE[:5]:
        repetition.mark_unclear(db, person, ITEM, asked + timedelta(hours=1))
    for person in TI_PEOPLE[:6] + AR_PEOPLE:
        repetition.confirm(db, person, ITEM, asked + timedelta(hours=2))
    for person in TI_PEOPLE[6:]:
        repetition.escalate(db, person, {"item_id": ITEM, "round": 1}, NOW - timedelta(days=5))

    # Appointments: six Tigrinya speakers; five will come, one cannot; their reminders are sent.
    for n, person in enumerate(TI_PEOPLE[:6]):
        appointment = appointments.add(
            db, timing, user_id=person, kind=KIND, starts_at=datetime(2026, 12, 10, 10, 0), now=NOW - timedelta(days=30)
        )
        appointments.answer(db, appointment, appointments.NOT_COMING if n == 0 else appointments.COMING, NOW)
    for row in outbox.pending(db, kinds=[appointments.REMINDER]):
        outbox.complete(db, row.id, NOW)

    # Questions: Sanne answers five of six after 2, 4, 6, 8 and 10 hours; Daan has one open.
    opened = NOW - timedelta(days=10)
    for n, person in enumerate(TI_PEOPLE[:6]):
        question = questions.open_question(db, person, KM_SANNE, opened, 2, None)
        questions.add_message(db, question, questions.FROM_CLIENT, person, "text", opened, text="Waar is mijn brief?")
        if n < 5:
            answered = opened + timedelta(hours=2 * (n + 1))
            questions.add_message(db, question, questions.TO_CLIENT, KM_SANNE, "text", answered, text="Morgen.")
            questions.add_message(db, question, questions.TO_CLIENT, KM_SANNE, "text", NOW, text="En nog iets.")
    questions.open_question(db, AR_PEOPLE[1], KM_DAAN, NOW - timedelta(days=1), 2, None)

    # Delivery: one failure, its error naming the person's chat.
    failing = outbox.pending(db, user_id=TI_PEOPLE[0])[0]
    outbox.fail(db, failing.id, NOW - timedelta(days=1), f"Bad Request: chat {TI_PEOPLE[0]} not found")
    return db


@pytest.fixture(scope="module")
def tables(seeded: sqlite_utils.Database, renderer: Renderer) -> dict[str, Table]:
    return {table.key: table for table in insights.admin_overview(seeded, renderer, NOW)}


def _row(table: Table, label: str) -> list:
    return next(row for row in table.rows if (row[0].text if isinstance(row[0], Link) else row[0]) == label)


def test_every_section_has_its_tables(tables: dict[str, Table]) -> None:
    assert list(tables) == [
        "path", "activity", "understanding", "appointments", "questions", "answer_weeks", "delivery", "failures", "content"
    ]
    for table in tables.values():
        assert table.title and table.note
        assert all(len(row) == len(table.columns) for row in table.rows), table.key


def test_the_path_per_step_and_language(tables: dict[str, Table], renderer: Renderer) -> None:
    path = tables["path"]
    tov, azc = renderer.title("nl", "stap-tov"), renderer.title("nl", "stap-azc")
    assert path.columns == ["Stap", "Nederlands", "Engels", "Arabisch", "Farsi", "Tigrinya", "Totaal"]
    assert _row(path, tov) == [tov, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, 12, "≈20"]
    assert _row(path, azc) == [azc, 6, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, 6]
    assert _row(path, "Totaal") == ["Totaal", 6, SUPPRESSED, SUPPRESSED, SUPPRESSED, 12, "≈20"]
    activity = tables["activity"]
    assert _row(activity, "Nederlands") == ["Nederlands", 5, 6, 5, 6]
    assert _row(activity, "Tigrinya") == ["Tigrinya", SUPPRESSED, SUPPRESSED, 6, 6]


def test_understanding_per_item_and_language_least_understood_first(tables: dict[str, Table], renderer: Renderer) -> None:
    understanding = tables["understanding"]
    first = understanding.rows[0]
    assert first[0] == Link(renderer.title("ti", ITEM), f"/content/ti/{ITEM}")
    assert first[1:] == ["Tigrinya", 12, 6, 5, 6, "50%"]
    arabic = next(row for row in understanding.rows if row[1] == "Arabisch")
    assert arabic[2:] == [SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, "–"]


def test_appointments_per_kind(tables: dict[str, Table], seeded: sqlite_utils.Database) -> None:
    reminders = seeded.execute(
        "SELECT count(*) FROM outbox WHERE kind = ? AND status = 'sent'", [appointments.REMINDER]
    ).fetchone()[0]
    assert reminders >= 6
    assert _row(tables["appointments"], "Les TOV") == ["Les TOV", 6, reminders, 5, SUPPRESSED]


def test_questions_per_klantmanager_without_names(tables: dict[str, Table]) -> None:
    questions_table = tables["questions"]
    # Answer times from the first answer: 2, 4, 6, 8, 10 hours; p50 is the third, p90 the fifth.
    assert _row(questions_table, "Klantmanager 1") == ["Klantmanager 1", SUPPRESSED, "–", 5, "6,0", "10,0", SUPPRESSED]
    assert _row(questions_table, "Klantmanager 2") == ["Klantmanager 2", SUPPRESSED, "–", SUPPRESSED, "–", "–", SUPPRESSED]
    assert _row(questions_table, "Alle klantmanagers")[3:6] == [5, "6,0", "10,0"]
    weeks = tables["answer_weeks"]
    answered_week = [row for row in weeks.rows if row[1] != SUPPRESSED]
    assert [row[1:] for row in answered_week] == [[5, "6,0", "10,0"]]
    assert answered_week[0][0].startswith("week 45 ")


def test_delivery_and_failures(tables: dict[str, Table]) -> None:
    delivery = tables["delivery"]
    assert _row(delivery, "Mislukt") == ["Mislukt", SUPPRESSED]
    assert _row(delivery, "Mensen die de bot blokkeerden") == ["Mensen die de bot blokkeerden", SUPPRESSED]
    assert tables["failures"].rows == [["Bad Request: chat … not found", SUPPRESSED]]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_content_status_counts_texts_exactly(
    seeded: sqlite_utils.Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table's figures are those of `wegwijs content status`, language by language, column by column;
    on content where the columns differ (the repository's is complete everywhere)."""
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    (root / "ar" / "items" / "digid.md").unlink()  # missing in Arabic
    _edit(root / "nl" / "items" / "woning.md", "\n---\n", "\n---\nNieuw.\n\n")  # stale everywhere
    _edit(root / "en" / "items" / "digid.md", "status: draft", "status: reviewed")
    _edit(root / "fa" / "ui.yaml", "\nmenu.header:", "\nmenu.header_removed:")  # a short text missing in Farsi
    content = {t.key: t for t in insights.admin_overview(seeded, Renderer(load_content(root)), NOW)}["content"]
    assert [row[0] for row in content.rows] == ["Nederlands", "Engels", "Arabisch", "Farsi", "Tigrinya"]

    assert cli(["content", "status", "--format", "json", "--content", str(root)]) == 0
    languages = json.loads(capsys.readouterr().out)["languages"]
    columns = ("total", "complete", "missing", "stale", "draft", "reviewed", "ui_missing")
    assert [row[1:] for row in content.rows] == [[status[c] for c in columns] for status in languages]
    assert [status["missing"] for status in languages] == [0, 0, 1, 0, 0]
    assert [status["stale"] for status in languages] == [0, 1, 1, 1, 1]
    assert [status["reviewed"] for status in languages] == [0, 1, 0, 0, 0]
    assert [status["ui_missing"] for status in languages] == [0, 0, 0, 1, 0]


def test_no_name_or_telegram_id_anywhere(tables: dict[str, Table]) -> None:
    everything = "\n".join(
        insights.as_csv(table) + (table.chart_svg or "") + table.title + (table.note or "") + str(table.rows)
        for table in tables.values()
    )
    for secret in [*NAMES.values(), *STAFF_NAMES.values(), *map(str, [*NAMES, *STAFF_NAMES])]:
        assert secret not in everything


def test_one_table_alone_is_the_same_as_in_the_overview(
    tables: dict[str, Table], seeded: sqlite_utils.Database, renderer: Renderer
) -> None:
    for key, whole in tables.items():
        alone = insights.table(seeded, renderer, NOW, key)
        assert (alone.key, alone.columns, alone.rows) == (whole.key, whole.columns, whole.rows)
    assert insights.table(seeded, renderer, NOW, "../etc/passwd") is None


def test_csv_shows_what_the_table_shows(tables: dict[str, Table]) -> None:
    lines = insights.as_csv(tables["understanding"]).splitlines()
    assert lines[0] == "Tekst,Taal,Verstuurd,Begrepen,Niet duidelijk,Niet begrepen na laatste herhaling,Deel niet begrepen"
    assert lines[1].endswith(",Tigrinya,12,6,5,6,50%")
    assert ",Arabisch,<5,<5,<5,<5,–" in insights.as_csv(tables["understanding"])


def test_charts_are_accessible_self_contained_and_hide_small_counts(tables: dict[str, Table]) -> None:
    charted = {key: table.chart_svg for key, table in tables.items() if table.chart_svg}
    assert set(charted) == {"path", "understanding", "answer_weeks"}
    for svg in charted.values():
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert "<title" in svg and "<desc" in svg
        assert "<script" not in svg and "https://" not in svg and 'href="http' not in svg
    # The funnel draws tov as the table shows it (≈20), never the exact 15.
    assert ">20<" in charted["path"] and ">15<" not in charted["path"]
    # Understanding per language: Tigrinya's 50% has a bar; Arabic (fewer than 5) none.
    assert ">50%<" in charted["understanding"]


def test_counters_equal_a_count_of_their_tables(seeded: sqlite_utils.Database, tmp_path) -> None:
    copy = sqlite_utils.Database(tmp_path / "copy.db")
    seeded.conn.backup(copy.conn)  # the other tests read the seeded database as it was
    copy.close()
    seeded = database.open_db(tmp_path / "copy.db")
    before = {counter.table: sorted(counter.rows(seeded)) for counter in counters.COUNTERS}
    users.choose_language(seeded, NL_PEOPLE[5], "en")
    users.set_step(seeded, NL_PEOPLE[5], "welkomst")
    database.erase_person(seeded, TI_PEOPLE[11])
    for counter in counters.COUNTERS:
        values = ", ".join(f"coalesce({e.format(row=counter.source)}, '')" for e in counter.buckets.values())
        where = counter.where.format(row=counter.source)
        recount = seeded.execute(
            f"SELECT {values}, count(*) FROM {counter.source} WHERE {where} GROUP BY {', '.join(str(i + 1) for i in range(len(counter.buckets)))}"
        ).fetchall()
        assert sorted(counter.rows(seeded)) == sorted(recount), counter.table
    assert before != {counter.table: sorted(counter.rows(seeded)) for counter in counters.COUNTERS}


def test_first_answer_time_is_kept(seeded: sqlite_utils.Database) -> None:
    answered = seeded.execute(
        "SELECT answered_at FROM questions WHERE klantmanager_id = ? AND answered_at IS NOT NULL ORDER BY answered_at",
        [KM_SANNE],
    ).fetchall()
    assert [row[0] for row in answered][0] == iso(NOW - timedelta(days=10) + timedelta(hours=2))


def test_an_older_database_gets_its_counts_on_upgrade(tmp_path, renderer: Renderer) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old.conn.isolation_level = None
    # The migration before this (found by name, which survives renumbering).
    before = [migration.__name__.endswith("_dashboard") for migration in database.MIGRATIONS].index(True)
    old["meta"].create({"key": str, "value": str}, pk="key")
    for number, migration in enumerate(database.MIGRATIONS[:before], start=1):
        migration(old)
        old["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")
    for n in range(7):
        old.execute("INSERT INTO users (id, lang, step, privacy_accepted_at, created_at, last_active_at) VALUES (?, 'fa', 'tov', ?, ?, ?)",
                    [7_400_000 + n, iso(NOW), iso(NOW), iso(NOW)])
        old.execute("INSERT INTO item_checks (user_id, item_id, step_id, status, round, first_sent_at) VALUES (?, ?, 'tov', ?, 1, ?)",
                    [7_400_000 + n, ITEM, repetition.NOT_UNDERSTOOD, iso(NOW)])
    old.close()
    upgraded = database.open_db(path)
    tables = {table.key: table for table in insights.admin_overview(upgraded, renderer, NOW)}
    assert _row(tables["path"], renderer.title("nl", "stap-tov"))[4] == 7
    assert tables["understanding"].rows[0][1:] == ["Farsi", 7, SUPPRESSED, SUPPRESSED, 7, "100%"]
