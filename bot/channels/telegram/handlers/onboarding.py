"""/start, choosing a language, accepting the privacy notice, choosing a step."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.people import audit
from bot.screens import buttons, views
from bot.casework import invites, links, staff
from bot.delivery import notices
from bot.reminders import repetition
from bot.core.db import erase_person
from bot.channels.telegram.handlers import klantmanager
from bot.channels.telegram.handlers.common import (
    INVITE_ANSWERS,
    ask_for_missing_onboarding,
    onboarded,
    person,
    pressed,
    reader_language,
    show,
    stale_button,
    staff_of,
    user_of,
)
from bot.core.services import Services, services
from bot.people.users import (
    User,
    accept_privacy,
    choose_language,
    get_user,
    remember_start_code,
    set_step,
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    code = context.args[0] if context.args else None
    if code is not None and code.startswith(f"{invites.KLANTMANAGER}-"):
        await klantmanager.accept_invite(update, context, code)
        return
    if staff_of(update, context) is not None:
        await klantmanager.staff_help(update, context)
        return
    user = user_of(update, context)
    if code is not None and links.resolve(code, s.renderer.journey) is None:
        lang = reader_language(s, update, user)
        await show(update, context, views.text_screen(s.renderer, lang, "errors.bad_code"), user, lang)
        code = None
    if user is not None and user.onboarded:
        if code is not None:
            await apply_link(update, context, s, user, code)
        else:
            await show(update, context, views.menu_screen(s.renderer, user), user)
        return
    if code is not None:
        person_id = person(update, context, create=True)
        if user is None:
            choose_language(s.db, person_id, None)
        remember_start_code(s.db, person_id, code)
        user = get_user(s.db, person_id)
    await ask_for_missing_onboarding(update, context, user)


async def apply_link(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, code: str) -> None:
    target = links.resolve(code, s.renderer.journey)
    if isinstance(target, links.StepLink):
        await enter_step(update, context, s, user, target.step_id)
    elif isinstance(target, links.InviteLink):
        await redeem_client_invite(update, context, s, user, target.code)


async def redeem_client_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, code: str) -> None:
    """Link the person to the klantmanager whose invitation they opened."""
    now = s.clock.now()
    result, invite = invites.redeem(s.db, code, user.id, now)
    if result is not invites.Redeemed.OK or invite.kind != invites.CLIENT:
        key = INVITE_ANSWERS.get(result, "errors.bad_code")
        await show(update, context, views.text_screen(s.renderer, user.lang, key, with_menu=True), user)
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
    await show(update, context, views.text_screen(s.renderer, user.lang, "link.done", with_menu=True, name=km.name), user)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    await show(update, context, views.language_screen(s.renderer), user_of(update, context))


async def choose_language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    await update.callback_query.answer()
    lang = pressed(context)["lang"]
    user = user_of(update, context)
    if lang not in s.renderer.journey.languages:
        await stale_button(update, context, user)
        return
    person_id = person(update, context, create=True)
    choose_language(s.db, person_id, lang)
    user = get_user(s.db, person_id)
    if not user.onboarded:
        await show(update, context, views.privacy_screen(s.renderer, lang, accepted=False), user)
        return
    await show(update, context, views.text_screen(s.renderer, lang, "language.changed"), user)
    await show(update, context, views.menu_screen(s.renderer, user), user)


async def privacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    await update.callback_query.answer()
    user = user_of(update, context)
    answer = pressed(context)["answer"]
    if user is None or not user.lang:
        await stale_button(update, context, user)
        return
    if user.onboarded:
        await show(update, context, views.menu_screen(s.renderer, user), user)
        return
    if answer == "no":
        erase_person(s.db, user.id)
        await show(update, context, views.text_screen(s.renderer, user.lang, "privacy.declined"), None, user.lang)
        return
    accept_privacy(s.db, user.id, s.clock.now())
    await show(update, context, views.text_screen(s.renderer, user.lang, "privacy.accepted"), user)
    if user.start_code:
        await apply_link(update, context, s, user, user.start_code)
        user = get_user(s.db, user.id)
    if user.step is None:
        await show(update, context, views.step_screen(s.renderer, user.lang), user)


@onboarded
async def step_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    choice = pressed(context)["step"]
    if choice == views.UNKNOWN_STEP:
        await show(update, context, views.text_screen(s.renderer, user.lang, "step.unknown"), user)
        await show(update, context, views.path_screen(s.renderer, user), user)
        return
    if s.renderer.journey.step(choice) is None:
        await stale_button(update, context, user)
        return
    await enter_step(update, context, s, user, choice)


async def enter_step(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, step_id: str) -> None:
    """The person chose their step: show it, then plan its critical items and repetition."""
    set_step(s.db, user.id, step_id)
    user = get_user(s.db, user.id)
    await show(update, context, views.where_screen(s.renderer, user), user)
    repetition.on_step_reached(s.db, s.renderer.journey, user.id, step_id, s.clock.now(), by_person=True)


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler("language", language_command, filters=private))
    app.add_handler(CallbackQueryHandler(choose_language_button, pattern=buttons.LANGUAGE))
    app.add_handler(CallbackQueryHandler(privacy_button, pattern=buttons.PRIVACY))
    app.add_handler(CallbackQueryHandler(step_button, pattern=buttons.STEP))
