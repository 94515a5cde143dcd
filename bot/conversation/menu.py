"""The main menu and what it reaches: my step, the whole path, topics, items."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.conversation import personal_data
from bot.conversation.ask import my_klantmanager
from bot.conversation.common import fields, onboarded, reply, stale_button
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User, get_user, set_bilingual
from bot.reminders import reminder_views
from bot.screens import buttons, views
from bot.screens.messaging import Screen
from bot.texts.audio import voice_file


@onboarded
async def menu(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.menu_screen(s.renderer, user), user)


@onboarded
async def where(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.where_screen(s.renderer, user), user)


@onboarded
async def path(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.path_screen(s.renderer, user), user)


@onboarded
async def topics(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.topics_screen(s.renderer, user.lang), user)


@onboarded
async def bilingual(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    if user.lang == s.renderer.journey.source_language:  # not offered to Dutch readers: the menu instead
        await reply(s, turn, views.menu_screen(s.renderer, user), user)
        return
    set_bilingual(s.db, user.id, not user.bilingual)
    user = get_user(s.db, user.id)
    key = "bilingual.on" if user.bilingual else "bilingual.off"
    await reply(s, turn, views.text_screen(s.renderer, user.lang, key), user)
    await reply(s, turn, views.menu_screen(s.renderer, user), user)


@onboarded
async def change_step(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.step_screen(s.renderer, user.lang), user)


@onboarded
async def language(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.language_screen(s.renderer), user)


@onboarded
async def privacy(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await reply(s, turn, views.privacy_screen(s.renderer, user.lang, accepted=True), user)


@onboarded
async def _stale(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    await stale_button(s, turn, user)


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
    views.MENU_MYDATA: personal_data.mydata,
    views.MENU_DELETE: personal_data.delete,
}


async def menu_button(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    target = MENU_TARGETS.get(fields(match)["target"], _stale)
    await target(s, turn, match)


@onboarded
async def item_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    item_id = fields(match)["item"]
    if item_id not in s.renderer.journey.referenced_items():
        await stale_button(s, turn, user)
        return
    await reply(s, turn, _item(s, user, item_id), user)


def _item(s: Services, user: User, item_id: str) -> Screen:
    """An item; an important one with "Did you understand?" under it, as when it is sent on its own."""
    r = s.renderer
    if not r.journey.is_critical(item_id):
        return views.item_screen(r, user.lang, item_id)
    checked = reminder_views.check_screen(r, user.lang, item_id, repeat=False)
    rows = (*checked.keyboard, *views.back_to_step(r, user.lang, item_id), views.back_to_menu(r, user.lang))
    return replace(checked, keyboard=rows, voice=voice_file(r.content, user.lang, item_id))


FEATURE = Feature(
    name="menu",
    routes=(
        Route(menu, command="menu"),
        Route(menu, command="help"),
        Route(where, command="step"),
        Route(path, command="path"),
        Route(topics, command="topics"),
        Route(bilingual, command="bilingual"),
        Route(menu_button, button=buttons.MENU),
        Route(item_button, button=buttons.ITEM),
    ),
    commands={"menu": 10, "step": 20, "path": 30, "topics": 40, "bilingual": 80, "help": 120},
)
