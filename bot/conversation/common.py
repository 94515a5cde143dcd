"""What the statushouder's handlers share: finding the person, the onboarding gate, replying.

Replies go back through the channel the turn came from (``s.channels``), to
the turn's address: the handlers never know which channel that is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

from bot.casework import invites
from bot.core.channel import Outgoing
from bot.core.routes import Handler
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people import identities
from bot.people.users import User, get_user, touch
from bot.reminders import appointments
from bot.screens import views
from bot.screens.messaging import Screen, outgoing
from bot.texts.timing import load_timing

# What a person hears when an invitation link cannot be used.
INVITE_ANSWERS = {
    invites.Redeemed.USED: "link.used",
    invites.Redeemed.EXPIRED: "link.expired",
    invites.Redeemed.UNKNOWN: "errors.bad_code",
    invites.Redeemed.THROTTLED: "link.throttled",
}

PersonHandler = Callable[[Services, Turn, User, "re.Match[str] | None"], Awaitable[None]]
"""A handler for a person who chose a language and accepted the privacy notice."""


def guess_language(s: Services, turn: Turn) -> str:
    """The language to use before the person has chosen one: their app's or browser's, if we have it."""
    code = (turn.language_hint or "").split("-")[0].lower()
    return code if code in s.renderer.journey.languages else s.renderer.journey.source_language


def user_of(s: Services, turn: Turn) -> User | None:
    """The statushouder who did this, if the bot has a record of them."""
    return None if turn.person_id is None else get_user(s.db, turn.person_id)


def person(s: Services, turn: Turn) -> int:
    """The person who did this, made now if the bot has no record of them (before their first write).

    Their id on the channel is where replies go: ``turn.address``.
    """
    if turn.person_id is not None:
        return turn.person_id
    found = identities.person_for(s.db, turn.channel, turn.address, create=True, now=s.clock.now())
    assert found is not None  # made when missing
    return found


def reader_language(s: Services, turn: Turn, user: User | None) -> str:
    """The person's chosen language, or a guess from their app before they chose."""
    return user.lang if user and user.lang else guess_language(s, turn)


async def send(s: Services, turn: Turn, message: Outgoing) -> None:
    """Send a message back to where the turn came from."""
    await s.channels[turn.channel].send(turn.address, message)


async def reply(s: Services, turn: Turn, screen: Screen, user: User | None, lang: str | None = None) -> None:
    """Show a screen in the person's language (and in Dutch below it, in the bilingual view)."""
    await send(s, turn, outgoing(s.renderer, screen, lang or reader_language(s, turn, user), user))


async def reply_html(s: Services, turn: Turn, html: str) -> None:
    """A text already rendered (a staff member's, in their language)."""
    await send(s, turn, Outgoing(html=html))


async def reply_document(s: Services, turn: Turn, file_name: str, data: bytes, caption: str) -> None:
    """A file made for the person (their data export), with a caption in the core's rich text."""
    await s.channels[turn.channel].send_document(turn.address, file_name, data, caption)


async def ask_for_missing_onboarding(s: Services, turn: Turn, user: User | None) -> None:
    """Send the person back to the step of onboarding they have not done."""
    if user is None or not user.lang:
        await reply(s, turn, views.language_screen(s.renderer), user)
    else:
        await reply(s, turn, views.privacy_screen(s.renderer, user.lang, accepted=False), user)


def onboarded(handler: PersonHandler) -> Handler:
    """Run the handler only for a person who chose a language and accepted the privacy notice."""

    @functools.wraps(handler)
    async def wrapper(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
        user = user_of(s, turn)
        if user is None or not user.lang or not user.onboarded:
            await ask_for_missing_onboarding(s, turn, user)
            return
        if touch(s.db, user.id, s.clock.now()):  # back after blocking the bot
            appointments.replan_on_return(s.db, load_timing(s.renderer.journey), user.id, s.clock.now())
        await handler(s, turn, user, match)

    return wrapper


def fields(match: re.Match[str] | None) -> dict[str, str | None]:
    """The fields of the button pressed, as its pattern in ``bot/screens/buttons.py`` parsed them."""
    return match.groupdict() if match else {}


def argument(turn: Turn) -> str:
    """The part of the button data after ``<action>:``."""
    return (turn.button or "").partition(":")[2]


async def stale_button(s: Services, turn: Turn, user: User | None) -> None:
    """Answer a button that is forged, from an old message, or no longer in the content."""
    lang = reader_language(s, turn, user)
    if user is not None and user.onboarded:
        await reply(s, turn, views.text_screen(s.renderer, lang, "errors.stale_button", with_menu=True), user)
    else:
        await ask_for_missing_onboarding(s, turn, user)


async def tell_error(s: Services, turn: Turn, busy: bool) -> None:
    """Tell the person that their action failed, in their language: try again when the database was busy."""
    user = user_of(s, turn)
    lang = reader_language(s, turn, user)
    key = "errors.try_again" if busy else "errors.generic"
    await reply(s, turn, views.text_screen(s.renderer, lang, key), user, lang)
