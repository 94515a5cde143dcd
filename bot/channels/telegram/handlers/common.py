"""What the klantmanager's Telegram handlers share with the conversation: who wrote, the turn, replies, the press.

The staff's handlers stay PTB handlers (klantmanagers work in Telegram); when
they answer a statushouder-like screen (an admin's refusal, onboarding for a
stranger) they reply through the conversation's own functions, from the turn
built at the edge. They find who wrote through ``person``, ``user_of`` and
``staff_of``: the Telegram user id becomes the person id here
(bot/channels/telegram/identity.py) and is never a database key itself.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.casework import staff
from bot.casework.staff import Staff
from bot.channels.telegram.context import services
from bot.channels.telegram.identity import person_of
from bot.channels.telegram.turns import turn_of
from bot.conversation import common
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User, get_user
from bot.screens.messaging import Screen

INVITE_ANSWERS = common.INVITE_ANSWERS


def person(update: Update, context: ContextTypes.DEFAULT_TYPE, *, create: bool = False) -> int | None:
    """The person who sent this update; ``create``: a new person if the bot never saw them (before a first write)."""
    s = services(context)
    return person_of(s.db, update.effective_user.id, create=create, now=s.clock.now())


def user_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The statushouder who sent this update, if they have started."""
    person_id = person(update, context)
    return None if person_id is None else get_user(services(context).db, person_id)


def staff_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Staff | None:
    """The staff member who sent this update, if they are one."""
    person_id = person(update, context)
    return None if person_id is None else staff.get_staff(services(context).db, person_id)


def _turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn:
    return _private_turn(services(context), update)


def _private_turn(s: Services, update: Update) -> Turn:
    turn = turn_of(update, s.db)
    assert turn is not None, "staff handlers take private chats only"
    return turn


def reader_language(s: Services, update: Update, user: User | None) -> str:
    """The person's chosen language, or a guess from their Telegram before they chose."""
    return common.reader_language(s, _private_turn(s, update), user)


async def show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, screen: Screen, user: User | None, lang: str | None = None
) -> None:
    await common.reply(services(context), _turn(update, context), screen, user, lang)


async def ask_for_missing_onboarding(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None) -> None:
    await common.ask_for_missing_onboarding(services(context), _turn(update, context), user)


def pressed(context: ContextTypes.DEFAULT_TYPE) -> dict[str, str | None]:
    """The fields of the button pressed, as its pattern in ``bot/screens/buttons.py`` parsed them."""
    return context.matches[0].groupdict()
