"""What the klantmanager's Telegram handlers share with the conversation: the turn, replies, the press.

The staff's handlers stay PTB handlers (klantmanagers work in Telegram); when
they answer a statushouder-like screen (an admin's refusal, onboarding for a
stranger) they reply through the conversation's own functions, from the turn
built at the edge.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.channels.telegram.turns import turn_of
from bot.conversation import common
from bot.core.services import Services
from bot.channels.telegram.context import services
from bot.core.turns import Turn
from bot.people.users import User
from bot.screens.messaging import Screen

INVITE_ANSWERS = common.INVITE_ANSWERS


def _turn(update: Update) -> Turn:
    turn = turn_of(update)
    assert turn is not None, "staff handlers take private chats only"
    return turn


def reader_language(s: Services, update: Update, user: User | None) -> str:
    """The person's chosen language, or a guess from their Telegram before they chose."""
    return common.reader_language(s, _turn(update), user)


async def show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, screen: Screen, user: User | None, lang: str | None = None
) -> None:
    await common.reply(services(context), _turn(update), screen, user, lang)


async def ask_for_missing_onboarding(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None) -> None:
    await common.ask_for_missing_onboarding(services(context), _turn(update), user)


def pressed(context: ContextTypes.DEFAULT_TYPE) -> dict[str, str | None]:
    """The fields of the button pressed, as its pattern in ``bot/screens/buttons.py`` parsed them."""
    return context.matches[0].groupdict()
