"""The one way out of the core: a message to a person, or to a staff member, through their channel.

A person is reached through the channel they were linked to last
(``bot/people/identities.py``); ``address_of`` is the one place that asks.
Klantmanagers and admins are persons too, reached the same way (in Telegram,
where they work).

The dispatcher notes what went out while it delivers one outbox row
(``noting_sends``): a sender whose bookkeeping fails *after* its message was
sent must not be sent again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.core.channel import Blocked, Channel, Outgoing, RetryLater, Sent
from bot.core.services import Services
from bot.people import identities
from bot.people.users import User
from bot.screens.messaging import Screen, outgoing

CHANNEL_NOT_HERE_WAIT = 300.0
"""Seconds before a message for a channel this process does not run is tried again."""

_sends: ContextVar[list[Sent] | None] = ContextVar("sends", default=None)


@contextmanager
def noting_sends() -> Iterator[list[Sent]]:
    """Collect every message that went out inside this block (in this task)."""
    sent: list[Sent] = []
    token = _sends.set(sent)
    try:
        yield sent
    finally:
        _sends.reset(token)


def address_of(s: Services, person_id: int) -> tuple[Channel, str]:
    """A person's channel and their address in it.

    ``Blocked`` when they have none (erased); ``RetryLater`` when their channel
    does not run in this process: the message waits, it is not lost.
    """
    found = identities.address_of(s.db, person_id)
    if found is None:
        raise Blocked(f"person {person_id} has no address (erased)")
    if found.channel not in s.channels:
        raise RetryLater(CHANNEL_NOT_HERE_WAIT, f"channel {found.channel} does not run in this process")
    return s.channels[found.channel], found.external_id


async def _send(channel: Channel, address: str, message: Outgoing) -> Sent:
    sent = await channel.send(address, message)
    noted = _sends.get()
    if noted is not None:
        noted.append(sent)
    return sent


async def to_person(s: Services, person_id: int, message: Outgoing) -> Sent:
    """Send to a statushouder; raises the core's ``ChannelError``s."""
    channel, address = address_of(s, person_id)
    return await _send(channel, address, message)


async def to_staff(s: Services, staff_id: int, message: Outgoing) -> Sent:
    """Send to a klantmanager or an admin; raises the core's ``ChannelError``s."""
    channel, address = address_of(s, staff_id)
    return await _send(channel, address, message)


async def screen_to_person(s: Services, user: User, screen: Screen) -> Sent:
    """A screen in the person's language (with the Dutch below, when they chose so)."""
    return await to_person(s, user.id, outgoing(s.renderer, screen, user.lang, user))
