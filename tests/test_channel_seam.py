"""The outgoing seam (issue 15): the dispatcher handles the core's channel errors, whatever channel raised
them, and a file crosses from one channel to another as bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.casework import handoff
from bot.core.channel import (
    Attachment,
    Blocked,
    Button,
    ChannelError,
    InDoubt,
    Outgoing,
    Rejected,
    RetryLater,
    Sent,
    Unreachable,
)
from bot.core.clock import FakeClock
from bot.delivery import outbox
from bot.people.users import get_user
from bot.reminders import appointments
from tests.harness import bot_under_test
from tests.test_handoff import Team, label, team  # noqa: F401  (the fixture)
from tests.test_outbox import add_appointment, onboard_without_repetition, rows
from tests.timeline import DISPATCH_SECONDS, MONDAY, settle

PERSON = 741


@dataclass
class FakeChannel:
    """A channel that fails its first sends with ``errors``, then delivers; it keeps what it delivered."""

    name: str
    errors: list[ChannelError] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    delivered: list[tuple[str, Outgoing]] = field(default_factory=list)

    async def send(self, address: str, message: Outgoing) -> Sent:
        if self.errors:
            raise self.errors.pop(0)
        self.delivered.append((address, message))
        return Sent(self.name, f"m{len(self.delivered)}")

    async def send_document(self, address: str, file_name: str, data: bytes, caption: str) -> Sent:
        self.files[file_name] = data
        return await self.send(address, Outgoing(caption))

    async def file_bytes(self, attachment: Attachment) -> bytes:
        return self.files[attachment.ref]


def notice(bot_rows: list[dict]) -> dict:
    return next(r for r in bot_rows if r["kind"] == appointments.NOTICE)


@pytest.mark.parametrize(
    ("error", "status", "attempts", "last_error"),
    [
        (RetryLater(60, "slow down"), outbox.PENDING, 0, "slow down"),
        (Unreachable("NetworkError: Bad Gateway"), outbox.PENDING, 1, "NetworkError: Bad Gateway"),
        (Rejected("BadRequest: message is too long"), outbox.FAILED, 1, "BadRequest: message is too long"),
        (InDoubt("timed out"), outbox.FAILED, 1, "in doubt: no answer within 20 s, the channel may have delivered it"),
    ],
)
async def test_the_dispatcher_handles_the_core_errors_of_any_channel(
    tmp_path: Path, error: ChannelError, status: str, attempts: int, last_error: str
) -> None:
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, PERSON)
        fake = FakeChannel("telegram", errors=[error])
        bot.services.channels["telegram"] = fake  # the person's channel is now one that is not Telegram
        add_appointment(bot, PERSON)
        await settle(bot)
        row = notice(rows(bot, PERSON))
        assert (row["status"], row["attempts"], row["last_error"]) == (status, attempts, last_error)
        assert fake.delivered == []


async def test_a_person_blocked_in_any_channel_becomes_inactive_and_their_messages_are_cancelled(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, PERSON)
        bot.services.channels["telegram"] = FakeChannel("telegram", errors=[Blocked("gone")])
        add_appointment(bot, PERSON)
        await settle(bot)
        assert not get_user(bot.services.db, bot.person_id(PERSON)).active
        assert {r["status"] for r in rows(bot, PERSON) if r["kind"].startswith("appointment")} == {outbox.CANCELLED}
        assert notice(rows(bot, PERSON))["last_error"] == f"{outbox.BLOCKED}: gone"


async def test_a_message_sent_through_a_channel_carries_the_screen(tmp_path: Path) -> None:
    """What a channel gets: the rendered text and the neutral buttons, rows as the screen has them."""
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, PERSON)
        fake = FakeChannel("telegram")
        bot.services.channels["telegram"] = fake
        appointment = add_appointment(bot, PERSON)
        await settle(bot)
        ((address, message),) = fake.delivered
        assert address == str(PERSON) and "TOV" in message.html
        actions = [[b.action for b in row] for row in message.keyboard]
        assert actions == [[f"appt:yes:{appointment.id}"], [f"appt:no:{appointment.id}"]]
        assert notice(rows(bot, PERSON))["status"] == outbox.SENT


async def test_a_photo_from_another_channel_reaches_the_klantmanager_in_telegram_as_an_upload(team: Team) -> None:  # noqa: F811
    amal = await team.new_client(team.sanne, "Amal Haddad", 751, "ar")
    s = team.bot.services
    s.channels["web"] = FakeChannel("web", files={"w-1": b"\x89PNG from the web chat"})
    photo = handoff.pending_from("De brief", Attachment("photo", "web", "w-1"))
    handoff.submit_question(s, get_user(s.db, amal.person_id), photo)
    relayed = (await team.sanne.receive())[-1]
    assert relayed["kind"] == "photo" and "Amal Haddad" in relayed["caption"] and "De brief" in relayed["caption"]
    assert await team.bot.client.file_bytes(relayed["file_id"]) == b"\x89PNG from the web chat"

    # The klantmanager's answer, a document, reaches a person in another channel: its bytes come from Telegram.
    await team.sanne.press(label("nl", "km.reply_button"))
    await team.sanne.send(document=(b"%PDF uitleg", "uitleg.pdf", "application/pdf"))
    answer = (await amal.receive())[-1]
    telegram = s.channels["telegram"]
    document = Attachment("document", "telegram", answer["file_id"], answer["file_name"])
    assert await telegram.file_bytes(document) == b"%PDF uitleg"


async def test_the_retry_of_a_channel_waits_its_retry_after(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS) as bot:
        await onboard_without_repetition(bot, PERSON)
        fake = FakeChannel("telegram", errors=[RetryLater(60)])
        bot.services.channels["telegram"] = fake
        add_appointment(bot, PERSON)
        await settle(bot)
        assert datetime.fromisoformat(notice(rows(bot, PERSON))["due_at"]) == MONDAY + timedelta(seconds=60)
        clock.advance(timedelta(seconds=61))
        await settle(bot)
        assert notice(rows(bot, PERSON))["status"] == outbox.SENT and len(fake.delivered) == 1


async def test_the_telegram_channel_splits_long_text_puts_buttons_last_and_uploads_documents(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "w.db", clock=FakeClock(MONDAY), dispatch_seconds=0) as bot:
        await onboard_without_repetition(bot, PERSON)
        before = len(await bot.client.bot_messages(PERSON))
        telegram = bot.services.channels["telegram"]
        paragraphs = [f"<b>{n}</b> " + "woord " * 300 for n in range(4)]  # about 7,000 characters
        keyboard = ((Button("Kaart", "", "https://maps.example/x"),), (Button("Ja", "appt:yes:1"),))
        sent = await telegram.send(str(PERSON), Outgoing("\n\n".join(paragraphs), keyboard))
        await telegram.send_document(str(PERSON), "gegevens.json", b'{"a": 1}', "<b>Jouw gegevens</b>")
        parts = (await bot.client.bot_messages(PERSON))[before:]
        assert [m["kind"] for m in parts] == ["text", "text", "document"]
        assert sent.message_ref == str(parts[1]["message_id"])
        assert parts[0]["reply_markup"] is None
        assert parts[1]["reply_markup"]["inline_keyboard"] == [
            [{"text": "Kaart", "url": "https://maps.example/x"}],
            [{"text": "Ja", "callback_data": "appt:yes:1"}],
        ]
        assert parts[2]["file_name"] == "gegevens.json" and parts[2]["caption"] == "Jouw gegevens"
        assert await bot.client.file_bytes(parts[2]["file_id"]) == b'{"a": 1}'
