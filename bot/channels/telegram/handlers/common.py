"""What several handlers share: finding the person, the onboarding gate, replying.

Handlers find who wrote through ``person``, ``user_of`` and ``staff_of``: the
Telegram user id becomes the person id here (bot/channels/telegram/identity.py)
and is never a database key itself.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.reminders import appointments
from bot.casework import invites, staff
from bot.casework.staff import Staff
from bot.channels.telegram.identity import person_of
from bot.screens import views
from bot.screens.messaging import Screen, send_screen
from bot.core.services import Services, services
from bot.texts.timing import load_timing
from bot.people.users import User, get_user, touch

# What a person hears when an invitation link cannot be used.
INVITE_ANSWERS = {
    invites.Redeemed.USED: "link.used",
    invites.Redeemed.EXPIRED: "link.expired",
    invites.Redeemed.UNKNOWN: "errors.bad_code",
    invites.Redeemed.THROTTLED: "link.throttled",
}

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Services, User], Awaitable[None]]


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


def guess_language(s: Services, update: Update) -> str:
    """The language to use before the person has chosen one: their Telegram's, if we have it."""
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    code = code.split("-")[0].lower()
    return code if code in s.renderer.journey.languages else s.renderer.journey.source_language


def reader_language(s: Services, update: Update, user: User | None) -> str:
    """The person's chosen language, or a guess from their Telegram before they chose."""
    return user.lang if user and user.lang else guess_language(s, update)


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE, screen: Screen, user: User | None, lang: str | None = None) -> None:
    s = services(context)
    language = lang or reader_language(s, update, user)
    await send_screen(context.bot, s.renderer, update.effective_chat.id, screen, language, user)


async def ask_for_missing_onboarding(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None) -> None:
    """Send the person back to the step of onboarding they have not done."""
    s = services(context)
    if user is None or not user.lang:
        await show(update, context, views.language_screen(s.renderer), user)
    else:
        await show(update, context, views.privacy_screen(s.renderer, user.lang, accepted=False), user)


def onboarded(handler: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Run the handler only for a person who chose a language and accepted the privacy notice."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        s = services(context)
        if update.callback_query:
            await update.callback_query.answer()
        user = user_of(update, context)
        if user is None or not user.lang or not user.onboarded:
            await ask_for_missing_onboarding(update, context, user)
            return
        if touch(s.db, user.id, s.clock.now()):  # back after blocking the bot
            appointments.replan_on_return(s.db, load_timing(s.renderer.journey), user.id, s.clock.now())
        await handler(update, context, s, user)

    return wrapper


def argument(update: Update) -> str:
    """The part of the button data after ``<action>:``."""
    return (update.callback_query.data or "").partition(":")[2]


def pressed(context: ContextTypes.DEFAULT_TYPE) -> dict[str, str | None]:
    """The fields of the button pressed, as its pattern in ``bot/screens/buttons.py`` parsed them."""
    return context.matches[0].groupdict()


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None) -> None:
    """Answer a button that is forged, from an old message, or no longer in the content.

    The callback query must already be answered.
    """
    s = services(context)
    lang = reader_language(s, update, user)
    if user is not None and user.onboarded:
        await show(update, context, views.text_screen(s.renderer, lang, "errors.stale_button", with_menu=True), user)
    else:
        await ask_for_missing_onboarding(update, context, user)
