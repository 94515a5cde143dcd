"""The main menu and what it reaches: my step, the whole path, topics, items."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.core.channel import as_keyboard
from bot.screens import buttons, views
from bot.reminders import reminder_views
from bot.texts.audio import voice_file
from bot.channels.telegram.handlers.ask import my_klantmanager
from bot.channels.telegram.handlers.common import onboarded, pressed, show, stale_button
from bot.screens.messaging import Screen
from bot.core.services import Services
from bot.people.users import User, get_user, set_bilingual


@onboarded
async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.menu_screen(s.renderer, user), user)


@onboarded
async def where(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.where_screen(s.renderer, user), user)


@onboarded
async def path(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.path_screen(s.renderer, user), user)


@onboarded
async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.topics_screen(s.renderer, user.lang), user)


@onboarded
async def bilingual(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    if user.lang == s.renderer.journey.source_language:  # not offered to Dutch readers: the menu instead
        await show(update, context, views.menu_screen(s.renderer, user), user)
        return
    set_bilingual(s.db, user.id, not user.bilingual)
    user = get_user(s.db, user.id)
    key = "bilingual.on" if user.bilingual else "bilingual.off"
    await show(update, context, views.text_screen(s.renderer, user.lang, key), user)
    await show(update, context, views.menu_screen(s.renderer, user), user)


@onboarded
async def change_step(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.step_screen(s.renderer, user.lang), user)


@onboarded
async def language(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.language_screen(s.renderer), user)


@onboarded
async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.privacy_screen(s.renderer, user.lang, accepted=True), user)


MENU_TARGETS = {
    views.MENU_MAIN: menu,
    views.MENU_WHERE: where,
    views.MENU_PATH: path,
    views.MENU_TOPICS: topics,
    views.MENU_BILINGUAL: bilingual,
    views.MENU_STEP: change_step,
    views.MENU_LANGUAGE: language,
    views.MENU_PRIVACY: privacy,
    views.MENU_KLANTMANAGER: my_klantmanager,
}


async def menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    target = MENU_TARGETS.get(pressed(context)["target"], _stale)
    await target(update, context)


@onboarded
async def _stale(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await stale_button(update, context, user)


@onboarded
async def item_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    item_id = pressed(context)["item"]
    if item_id not in s.renderer.journey.referenced_items():
        await stale_button(update, context, user)
        return
    await show(update, context, _item(s, user, item_id), user)


def _item(s: Services, user: User, item_id: str) -> Screen:
    """An item; an important one with "Did you understand?" under it, as when it is sent on its own."""
    r = s.renderer
    if not r.journey.is_critical(item_id):
        return views.item_screen(r, user.lang, item_id)
    checked = reminder_views.check_screen(r, user.lang, item_id, repeat=False)
    rows = [*checked.keyboard, *views.back_to_step(r, user.lang, item_id), views.back_to_menu(r, user.lang)]
    return replace(checked, keyboard=as_keyboard(rows), voice=voice_file(r.content, user.lang, item_id))


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    for command, callback in (
        ("menu", menu),
        ("help", menu),
        ("step", where),
        ("path", path),
        ("topics", topics),
        ("bilingual", bilingual),
    ):
        app.add_handler(CommandHandler(command, callback, filters=private))
    app.add_handler(CallbackQueryHandler(menu_button, pattern=buttons.MENU))
    app.add_handler(CallbackQueryHandler(item_button, pattern=buttons.ITEM))
