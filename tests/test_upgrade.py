"""A database made by the code before internal person ids (schema version 9) is upgraded without loss.

The fixture is that code's schema (the first nine migrations, frozen as the SQL
they ran) with rows in every table that holds something about a person, as
Wegwijs left them: a statushouder in Arabic at the TOV step with a question,
an appointment, a reason they cannot come, checks, drafts, search misses, a
notice still to send; her klantmanager halfway through an action about her;
an admin; invitations and audit rows. After the upgrade every row is still
there and still names the same person, each person has a Telegram identity
pointing at the old id, and the bot, talking through the emulator, still
knows who writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from bot.core import db as database
from bot.core.clock import FakeClock
from bot.people.identities import TELEGRAM
from bot.texts.bidi import strip_marks
from tests.harness import bot_under_test, seen

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
AMAL, SANNE, ADMIN = 123_456_789, 555_001, 777_001
"""Telegram user ids: before the upgrade they were the database's keys too."""
DUE = START + timedelta(minutes=5)
"""When the notice still in the outbox is due."""
V9 = 9


def at(hours: int) -> str:
    return datetime(2027, 2, 20 + hours // 24, hours % 24, 0, tzinfo=UTC).isoformat()


def v9_database(path: Path) -> None:
    """The schema of version 9, filled as the bot of that version left it."""
    db = sqlite_utils.Database(path)
    db.conn.isolation_level = None
    db["meta"].create({"key": str, "value": str}, pk="key")
    with db.atomic():
        for migration in database.MIGRATIONS[:V9]:
            migration(db)
        db["meta"].insert({"key": "schema_version", "value": str(V9)})
    rows: dict[str, list[dict]] = {
        "users": [{
            "id": AMAL, "lang": "ar", "privacy_accepted_at": at(0), "step": "tov", "bilingual": 1,
            "created_at": at(0), "last_active_at": at(30), "active": 1, "repetition_paused_until": None,
        }],
        "staff": [
            {"id": ADMIN, "name": "Beheer", "is_admin": 1, "created_at": at(0), "last_active_at": at(1)},
            {"id": SANNE, "name": "Sanne", "is_klantmanager": 1, "created_at": at(0), "last_active_at": at(40)},
        ],
        "clients": [{"user_id": AMAL, "klantmanager_id": SANNE, "name": "Amal Haddad", "linked_at": at(1)}],
        "invites": [
            {"code": "km-old", "kind": "klantmanager", "created_by": ADMIN, "created_at": at(0), "expires_at": at(200), "used_at": at(0)},
            {"code": "c-old", "kind": "client", "created_by": SANNE, "klantmanager_id": SANNE, "name": "Amal Haddad",
             "created_at": at(0), "expires_at": at(200), "used_at": at(1), "user_id": AMAL},
        ],
        "wrong_codes": [{"user_id": AMAL, "at": at(2)}],
        "questions": [{"id": 1, "user_id": AMAL, "klantmanager_id": SANNE, "status": "answered", "topic": "woning",
                       "created_at": at(20), "answer_due_at": at(68), "answered_at": at(22)}],
        "thread_messages": [
            {"question_id": 1, "user_id": AMAL, "direction": "from_client", "sender_id": AMAL, "kind": "text",
             "text": "متى يصل الراتب؟", "created_at": at(20), "relay_chat_id": SANNE, "relay_message_id": 7, "relayed_at": at(20)},
            {"question_id": 1, "user_id": AMAL, "direction": "to_client", "sender_id": SANNE, "kind": "text",
             "text": "Op de 25e.", "created_at": at(22), "relay_chat_id": AMAL, "relay_message_id": 9, "relayed_at": at(22)},
        ],
        "audit": [
            {"at": at(1), "actor_id": SANNE, "action": "client_linked", "user_id": AMAL, "details": json.dumps({"code": "c-old"})},
            {"at": at(0), "actor_id": ADMIN, "action": "klantmanager_invited", "user_id": None, "details": "{}"},
        ],
        "question_drafts": [{"user_id": AMAL, "text": "huurtoeslag", "created_at": at(30)}],
        "awaiting": [{"user_id": SANNE, "kind": "km_appointment", "data": json.dumps({"user_id": AMAL, "stage": "when"}),
                      "about_user_id": AMAL, "seen_at": at(40)}],
        "appointments": [{"id": 1, "user_id": AMAL, "kind": "tov", "starts_at": "2027-03-10T09:00:00+00:00", "place": "Implacement",
                          "status": "planned", "version": 1, "answer": "not_coming", "answered_at": at(25), "created_at": at(24)}],
        "cannot_come": [{"user_id": AMAL, "appointment_id": 1, "reason": "ابني مريض", "created_at": at(25)}],
        "item_checks": [{"user_id": AMAL, "item_id": "woning", "step_id": "intake", "status": "understood", "round": 1,
                         "first_sent_at": at(5), "confirmed_at": at(6), "updated_at": at(6)}],
        "not_understood": [{"user_id": AMAL, "item_id": "rechtmatigheidsgesprek", "round": 3, "created_at": at(10)}],
        "search_misses": [{"user_id": AMAL, "lang": "ar", "text": "ألمانيا", "key": "ألمانيا", "reason": "nothing", "day": "2027-02-21"}],
        "outbox": [
            {"user_id": AMAL, "chat_id": AMAL, "kind": "notice", "due_at": DUE.isoformat(), "key": "notice:waiting",
             "params": json.dumps({"key": "transfer.client", "values": {"name": "Sanne"}})},
            {"user_id": AMAL, "chat_id": SANNE, "kind": "relay", "params": json.dumps({"message_id": 1}), "due_at": at(20),
             "status": "sent", "attempts": 1, "key": "relay:1", "sent_at": at(20)},
        ],
    }
    with db.atomic():
        for table, table_rows in rows.items():
            for row in table_rows:  # one by one: each row leaves its own columns to their defaults
                db[table].insert(row)
    db.close()


def contents(db: sqlite_utils.Database, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of each table, in the columns it had before (later migrations may add columns)."""
    return {
        t: sorted(map(repr, db.execute(f"SELECT {', '.join(f'[{c}]' for c in names)} FROM [{t}]").fetchall()))
        for t, names in columns.items()
    }


async def test_a_version_9_database_is_upgraded_without_loss_and_the_bot_still_knows_everyone(tmp_path: Path) -> None:
    path = tmp_path / "wegwijs.db"
    v9_database(path)
    old = sqlite_utils.Database(path)
    tables = [t for t in old.table_names() if not t.startswith("sqlite_") and t != "meta"]
    assert [t for t in database.personal_tables(old) if old[t].count == 0] == []  # data in every personal table
    columns = {t: [c.name for c in old[t].columns] for t in tables}
    before = contents(old, columns)
    old.close()

    db = database.open_db(path)
    assert database.schema_version(db) == len(database.MIGRATIONS)
    # Every row is still there, unchanged: each still names the person it named.
    assert contents(db, columns) == before
    # Each person has a Telegram identity that points at their old id, which is their person id.
    identities = {(r["channel"], r["external_id"]): r["person_id"] for r in db["identities"].rows}
    assert identities == {(TELEGRAM, str(n)): n for n in (AMAL, SANNE, ADMIN)}
    assert sorted(r["id"] for r in db["persons"].rows) == sorted((AMAL, SANNE, ADMIN))
    db.close()

    clock = FakeClock(START)
    async with bot_under_test(path, clock=clock, dispatch_seconds=0.05) as bot:
        amal = bot.person(AMAL, "ar")
        assert amal.person_id == AMAL
        renderer = bot.services.renderer
        await bot.client.register_user(AMAL, "Amal", language_code="ar")  # the emulator's chat, as Telegram has it
        clock.set(DUE)
        # The notice that waited in the outbox reaches her chat, in Arabic.
        waiting = (await amal.receive())[-1]
        assert strip_marks(renderer.ui("ar", "transfer.client", name="Sanne")) in strip_marks(seen(waiting))
        # She writes again: the menu in her language, not the language question; her step is TOV.
        menu = await amal.say("/menu")
        assert strip_marks(renderer.ui("ar", "menu.header")) in strip_marks(seen(menu[-1]))
        where = await amal.press(renderer.button("ar", "menu.where"))
        assert strip_marks(renderer.title("ar", "stap-tov")) in strip_marks(seen(where[-1]))
        # Her klantmanager is still her klantmanager.
        sanne = bot.person(SANNE, "nl", "Sanne")
        clients = await sanne.say("/clients")
        assert "Amal Haddad" in clients[-1]["html"]
        # Someone new gets a person id that no Telegram user id can be.
        newcomer = bot.person(AMAL + 1, "en")
        await newcomer.say("/start")
        await newcomer.press("English")
        assert newcomer.person_id >= 2**52
        assert bot.services.db["users"].get(newcomer.person_id)["lang"] == "en"
