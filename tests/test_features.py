"""The feature and channel contracts and the core's entry point: a channel that is not Telegram, and many bots in one process.

A fake channel, given to the bot through its channel list as a third channel
would be (``bot/channel_list.py``), gets its own table, the same onboarding
screens through ``conversation.handle`` as a Telegram person gets through the
emulator, and a place in the klantmanager's invitations; two bots built from
different feature or channel lists each have only their own.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import conversation
from bot.conversation import reminders, search
from bot.conversation.common import reply_html
from bot.channels.telegram.handlers.klantmanager import qr_png
from bot.core.channel import Attachment, Outgoing, Sent
from bot.core.channels import ChannelSpec, Invitation, Join, Joined, check_list
from bot.core.features import Feature, Registry
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.features import FEATURES
from bot.people import identities
from bot.reminders import repetition
from tests.harness import bot_under_test, seen, strip_marks
from tests.test_handoff import START, link_code, team_at
from tests.test_spine import OWN_NAMES, onboard

FAKE = "fake"


@dataclass
class FakeChannel:
    """A channel that keeps what it was given: the messages and files sent to each address."""

    name: str = FAKE
    sent: list[tuple[str, Outgoing]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    async def send(self, address: str, message: Outgoing) -> Sent:
        self.sent.append((address, message))
        return Sent(self.name, str(len(self.sent)))

    async def send_document(self, address: str, file_name: str, data: bytes, caption: str) -> Sent:
        self.files[file_name] = data
        return await self.send(address, Outgoing(html=caption))

    async def file_bytes(self, attachment: Attachment) -> bytes:
        return self.files[attachment.ref]


FAKE_LINK = "https://fake.example/join/"


def _v1_fake_addresses(db) -> None:
    """The fake channel's own table: its first migration."""
    db.execute("CREATE TABLE fake_addresses (address TEXT PRIMARY KEY, user_id INTEGER NOT NULL)")


def _fake_join(options: argparse.Namespace) -> Join:
    """The fake channel runs with every bot that lists it: a new ``FakeChannel`` each time."""

    @asynccontextmanager
    async def running(s: Services) -> AsyncIterator[Joined]:
        invite = lambda code: Invitation(FAKE_LINK + code, "km.invite_web", "km.invite_web_qr_caption")  # noqa: E731
        yield Joined(channel=FakeChannel(), invite=invite)

    return running


FAKE_CHANNEL = ChannelSpec(name=FAKE, join=_fake_join, migrations=(_v1_fake_addresses,))


class FakePerson:
    """Someone in the fake channel: each turn goes through ``conversation.handle``.

    As a channel's edge does, each turn names the person the bot knows for this
    address (none before their first write).
    """

    def __init__(self, s: Services, channel: FakeChannel, address: str, language_hint: str) -> None:
        self.s, self.channel, self.address, self.hint = s, channel, address, language_hint

    @property
    def person_id(self) -> int | None:
        return identities.person_for(self.s.db, FAKE, self.address)

    async def act(self, **what: object) -> list[Outgoing]:
        before = len(self.channel.sent)
        turn = Turn(person_id=self.person_id, channel=FAKE, address=self.address, language_hint=self.hint, **what)
        await conversation.handle(self.s, turn)
        return [message for address, message in self.channel.sent[before:] if address == self.address]

    async def press(self, label: str) -> list[Outgoing]:
        for _, message in reversed(self.channel.sent):
            for row in message.keyboard:
                for button in row:
                    if strip_marks(button.label) == strip_marks(label):
                        return await self.act(button=button.action)
        raise AssertionError(f"no button {label!r} in the fake channel")


def telegram_screen(message: dict) -> tuple[str, list[tuple[str, str]]]:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return seen(message), [(b["text"], b["callback_data"]) for row in keyboard for b in row]


def fake_screen(message: Outgoing) -> tuple[str, list[tuple[str, str]]]:
    return strip_marks(message.html), [(b.label, b.action) for row in message.keyboard for b in row]


async def test_a_fake_channel_gets_the_same_onboarding_screens_as_telegram(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "bot.db", channels=(FAKE_CHANNEL,)) as bot:
        fake = bot.services.channels[FAKE]
        assert isinstance(fake, FakeChannel), "the list put it there, as it puts the web chat"
        telegram = bot.person(7001, language_code="ar")
        other = FakePerson(bot.services, fake, "fake-1", language_hint="ar")

        steps = [
            (telegram.say("/start"), other.act(command="start", text="/start")),
            (telegram.press(OWN_NAMES["ar"]), other.press(OWN_NAMES["ar"])),
        ]
        for by_telegram, by_fake in steps:
            assert [telegram_screen(m) for m in await by_telegram] == [fake_screen(m) for m in await by_fake]
        # The privacy notice in Arabic, then "accept": the step question, the same in both.
        accept = telegram_screen((await telegram.client.messages(7001))[-1])[1][0][0]
        got_telegram = [telegram_screen(m) for m in await telegram.press(accept)]
        got_fake = [fake_screen(m) for m in await other.press(accept)]
        assert got_telegram == got_fake
        assert got_fake[-1][1], "the step question has its buttons"
        ids = [bot.person_id(7001), other.person_id]
        rows = list(bot.services.db["users"].rows_where("id in (?, ?)", ids, select="lang, privacy_accepted_at"))
        assert [row["lang"] for row in rows] == ["ar", "ar"]
        assert all(row["privacy_accepted_at"] for row in rows)


def _tables(bot) -> set[str]:
    return set(bot.services.db.table_names())


async def test_a_listed_channel_has_its_own_table_and_invitations_and_another_bot_has_neither(tmp_path: Path) -> None:
    async with (
        team_at(tmp_path, START, channels=(FAKE_CHANNEL,)) as team,
        bot_under_test(tmp_path / "other.db", channels=()) as other,
    ):
        bot = team.bot
        assert "fake_addresses" in _tables(bot) and "fake_addresses" not in _tables(other)
        assert list(bot.services.db.execute("SELECT channel, version FROM channel_schemas")) == [(FAKE, 1)]
        await bot.restart()  # counted per channel: its migration does not run twice
        assert list(bot.services.db.execute("SELECT channel, version FROM channel_schemas")) == [(FAKE, 1)]
        assert set(bot.services.channels) == {"telegram", FAKE} and set(bot.services.joined) == {FAKE}
        assert set(other.services.channels) == {"telegram"} and other.services.joined == {}

        invite = await team.sanne.say("/newclient Amal Haddad")
        code = link_code(invite[0])
        assert [m["kind"] for m in invite] == ["text", "photo", "text", "photo"]
        assert FAKE_LINK + code in invite[2]["html"] and "Amal Haddad" in invite[2]["html"]
        assert await bot.client.file_bytes(invite[3]["file_id"]) == qr_png(FAKE_LINK + code)
        await bot.stop()
        assert FAKE not in bot.services.channels and FAKE not in bot.services.joined


async def _echo(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    await reply_html(s, turn, "echo")


ECHO = Feature(name="echo", routes=(Route(_echo, command="echo"),))


async def test_two_bots_with_different_features_do_not_see_each_others(tmp_path: Path) -> None:
    without_reminders = tuple(f for f in FEATURES if f is not reminders.FEATURE)
    with_echo = (*without_reminders[:-1], ECHO, without_reminders[-1])  # before the fallback
    async with (
        bot_under_test(tmp_path / "a.db") as full,
        bot_under_test(tmp_path / "b.db", features=with_echo) as other,
    ):
        a, b = full.person(7101), other.person(7102)
        await onboard(a, "en")
        await onboard(b, "en")
        unknown = full.services.renderer.ui("en", "errors.unknown_command")

        assert unknown in seen((await a.say("/echo"))[-1])
        assert seen((await b.say("/echo"))[-1]) == "echo"
        assert unknown not in seen((await a.say("/reminders"))[-1])
        assert unknown in seen((await b.say("/reminders"))[-1])
        # The outbox kinds, awaited answers and jobs are each bot's own.
        assert repetition.CRITICAL in full.services.registry.senders
        assert repetition.CRITICAL not in other.services.registry.senders
        assert "reminders" in full.services.registry.commands
        assert "reminders" not in other.services.registry.commands
        assert search.FEATURE.jobs[0] in other.services.registry.jobs


def test_the_registry_joins_the_features_in_order_and_refuses_a_kind_declared_twice() -> None:
    registry = Registry.of(FEATURES)
    # Features share one command menu, in the order people knew before features declared it.
    assert registry.commands == (
        "menu", "step", "path", "topics", "search", "reminders", "language", "bilingual", "privacy", "mydata",
        "delete", "help",
    )
    assert registry.routes[-1].any_button, "the fallback answers old buttons last"
    twice = Feature(name="again", senders={repetition.CRITICAL: reminders.FEATURE.senders[repetition.CRITICAL]})
    with pytest.raises(ValueError, match="declared twice"):
        Registry.of((*FEATURES, twice))
    with pytest.raises(ValueError, match="listed twice"):
        Registry.of((*FEATURES, search.FEATURE))


def test_a_channel_list_refuses_a_channel_twice_or_one_named_as_the_host() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        check_list((FAKE_CHANNEL, FAKE_CHANNEL))
    with pytest.raises(ValueError, match="the host"):
        check_list((dataclasses.replace(FAKE_CHANNEL, name="telegram"),))
