"""Internal person ids: one person, reached on the channel they were linked to last, erased with all their identities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.config import DEFAULT_CONTENT_DIR
from bot.core.db import erase_person, open_db
from bot.people import identities, retention
from bot.people.identities import TELEGRAM, Address
from bot.people.users import choose_language
from bot.texts.journey import load_journey
from tests.harness import BotUnderTest

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_a_person_known_on_two_channels_is_one_person_reached_where_linked_last(tmp_path: Path) -> None:
    db = open_db(tmp_path / "w.db")
    amal = identities.person_for(db, TELEGRAM, 123, create=True, now=NOW)
    assert amal is not None and amal >= 2**52  # never a Telegram user id
    assert identities.person_for(db, TELEGRAM, 123, create=True, now=NOW) == amal  # known: no second person
    assert identities.person_for(db, "web", "token-a") is None  # unknown and not created
    choose_language(db, amal, "ar")
    assert identities.address_of(db, amal) == Address(TELEGRAM, "123")

    identities.link(db, amal, "web", "token-a", NOW)
    assert identities.person_for(db, "web", "token-a") == amal
    assert identities.address_of(db, amal) == Address("web", "token-a")
    assert db["audit"].count_where("action = 'identity_linked' AND user_id = ?", [amal]) == 1
    identities.link(db, amal, "web", "token-a", NOW)  # again: nothing changes
    assert db["identities"].count_where("person_id = ?", [amal]) == 2

    other = identities.person_for(db, TELEGRAM, 456, create=True, now=NOW)
    assert other == amal + 1
    with pytest.raises(identities.AlreadyLinked):
        identities.link(db, other, "web", "token-a", NOW)

    erase_person(db, amal)
    assert db["identities"].count_where("person_id = ?", [amal]) == 0
    assert identities.address_of(db, amal) is None
    # An erased person's id is never given out again: old buttons cannot point at someone new.
    assert identities.person_for(db, TELEGRAM, 123, create=True, now=NOW) == other + 1


async def test_someone_who_only_tried_a_code_is_forgotten_with_the_unfinished_starts(bot: BotUnderTest) -> None:
    stranger = bot.person(991, "en")
    await stranger.say("/start km-no-such-code")  # a wrong invitation code is counted against a person
    db = bot.services.db
    person_id = stranger.person_id
    assert db["wrong_codes"].count_where("user_id = ?", [person_id]) == 1
    assert db["users"].count_where("id = ?", [person_id]) == 0  # never chose a language

    rules = retention.load_rules(load_journey(DEFAULT_CONTENT_DIR / "journey.yaml"))
    now = bot.services.clock.now()
    retention.sweep(db, rules, now + timedelta(days=1))
    assert identities.person_for(db, TELEGRAM, 991) == person_id  # not yet
    retention.sweep(db, rules, now + timedelta(days=8))
    assert identities.person_for(db, TELEGRAM, 991) is None
    assert db["persons"].count_where("id = ?", [person_id]) == 0
