"""/start, choosing a language, accepting the privacy notice, choosing a step.

A klantmanager's invitation (``/start km-…``) and ``/start`` from staff are
the klantmanager feature's, in Telegram (``handlers/klantmanager.py``), routed
before this one; in another channel such a code is refused as unknown.
"""

from __future__ import annotations

import re

from bot.casework import invites, links, staff
from bot.conversation.common import (
    INVITE_ANSWERS,
    ask_for_missing_onboarding,
    fields,
    onboarded,
    person,
    reader_language,
    reply,
    stale_button,
    user_of,
)
from bot.core.db import erase_person
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.delivery import notices
from bot.people import audit
from bot.people.users import (
    User,
    accept_privacy,
    choose_language,
    get_user,
    remember_start_code,
    set_step,
)
from bot.reminders import repetition
from bot.screens import buttons, views


def _unknown(s: Services, code: str) -> bool:
    """A klantmanager's invitation is no statushouder's link: unknown here, and left unused."""
    return code.startswith(f"{invites.KLANTMANAGER}-") or links.resolve(code, s.renderer.journey) is None


async def start(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    code = turn.args[0] if turn.args else None
    user = user_of(s, turn)
    if code is not None and _unknown(s, code):
        lang = reader_language(s, turn, user)
        await reply(s, turn, views.text_screen(s.renderer, lang, "errors.bad_code"), user, lang)
        code = None
    if user is not None and user.onboarded:
        if code is not None:
            await apply_link(s, turn, user, code)
        else:
            await reply(s, turn, views.menu_screen(s.renderer, user), user)
        return
    if code is not None:
        person_id = person(s, turn)
        if user is None:
            choose_language(s.db, person_id, None)
        remember_start_code(s.db, person_id, code)
        user = get_user(s.db, person_id)
    await ask_for_missing_onboarding(s, turn, user)


async def apply_link(s: Services, turn: Turn, user: User, code: str) -> None:
    target = links.resolve(code, s.renderer.journey)
    if isinstance(target, links.StepLink):
        await enter_step(s, turn, user, target.step_id)
    elif isinstance(target, links.InviteLink):
        await redeem_client_invite(s, turn, user, target.code)


async def redeem_client_invite(s: Services, turn: Turn, user: User, code: str) -> None:
    """Link the person to the klantmanager whose invitation they opened."""
    now = s.clock.now()
    result, invite = invites.redeem(s.db, code, user.id, now)
    if result is not invites.Redeemed.OK or invite.kind != invites.CLIENT:
        key = INVITE_ANSWERS.get(result, "errors.bad_code")
        await reply(s, turn, views.text_screen(s.renderer, user.lang, key, with_menu=True), user)
        return
    km = staff.get_staff(s.db, invite.klantmanager_id)
    before = staff.client(s.db, user.id)
    if before is not None and before.klantmanager_id != km.id:
        # A new klantmanager's link moves the person, with their open questions, as /transfer does.
        staff.transfer(s.db, user.id, km.id)
        audit.record(s.db, now, km.id, "transfer", user.id, from_klantmanager=before.klantmanager_id, code=code)
        previous = staff.get_staff(s.db, before.klantmanager_id)
        notices.notify(
            s.db, chat_id=previous.id, about=user.id, key="km.transfer_done", now=now, client=before.name, name=km.name
        )
    staff.link_client(s.db, user.id, km.id, invite.name or (before.name if before else ""), now)
    audit.record(s.db, now, km.id, "client_linked", user.id, code=code)
    notices.notify(s.db, chat_id=km.id, about=user.id, key="km.client_linked", now=now, client=invite.name or "")
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "link.done", with_menu=True, name=km.name), user)


async def language_command(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.language_screen(s.renderer), user_of(s, turn))


async def choose_language_button(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    lang = fields(match)["lang"]
    user = user_of(s, turn)
    if lang not in s.renderer.journey.languages:
        await stale_button(s, turn, user)
        return
    person_id = person(s, turn)
    choose_language(s.db, person_id, lang)
    user = get_user(s.db, person_id)
    if not user.onboarded:
        await reply(s, turn, views.privacy_screen(s.renderer, lang, accepted=False), user)
        return
    await reply(s, turn, views.text_screen(s.renderer, lang, "language.changed"), user)
    await reply(s, turn, views.menu_screen(s.renderer, user), user)


async def privacy_button(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    user = user_of(s, turn)
    answer = fields(match)["answer"]
    if user is None or not user.lang:
        await stale_button(s, turn, user)
        return
    if user.onboarded:
        await reply(s, turn, views.menu_screen(s.renderer, user), user)
        return
    if answer == "no":
        erase_person(s.db, user.id)
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "privacy.declined"), None, user.lang)
        return
    accept_privacy(s.db, user.id, s.clock.now())
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "privacy.accepted"), user)
    if user.start_code:
        await apply_link(s, turn, user, user.start_code)
        user = get_user(s.db, user.id)
    if user.step is None:
        await reply(s, turn, views.step_screen(s.renderer, user.lang), user)


@onboarded
async def step_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    choice = fields(match)["step"]
    if choice == views.UNKNOWN_STEP:
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "step.unknown"), user)
        await reply(s, turn, views.path_screen(s.renderer, user), user)
        return
    if s.renderer.journey.step(choice) is None:
        await stale_button(s, turn, user)
        return
    await enter_step(s, turn, user, choice)


async def enter_step(s: Services, turn: Turn, user: User, step_id: str) -> None:
    """The person chose their step: show it, then plan its critical items and repetition."""
    set_step(s.db, user.id, step_id)
    user = get_user(s.db, user.id)
    await reply(s, turn, views.where_screen(s.renderer, user), user)
    repetition.on_step_reached(s.db, s.renderer.journey, user.id, step_id, s.clock.now(), by_person=True)


FEATURE = Feature(
    name="onboarding",
    routes=(
        Route(start, command="start"),
        Route(language_command, command="language"),
        Route(choose_language_button, button=buttons.LANGUAGE),
        Route(privacy_button, button=buttons.PRIVACY),
        Route(step_button, button=buttons.STEP),
    ),
    commands={"language": 70},
)
