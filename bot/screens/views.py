"""The screens a statushouder sees: text (from content) and buttons.

Button data is ``<action>:<argument>``; its shape is declared in
``bot/screens/buttons.py``, and the handlers check every argument against the loaded
path and content, so a forged or stale button does nothing but get a polite
answer.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from bot.core.channel import Button, Keyboard
from bot.texts import unchecked
from bot.texts.audio import voice_file
from bot.screens.messaging import Screen
from bot.texts.render import GENERIC_ERROR_KEY as GENERIC
from bot.texts.render import Renderer
from bot.people.retention import load_rules
from bot.people.users import User

LANG = "lang"
PRIVACY = "priv"
STEP = "step"
MENU = "m"
ITEM = "item"
MORE = "more"
DELETE = "del"
UNKNOWN_STEP = "?"

MENU_WHERE, MENU_PATH, MENU_TOPICS, MENU_LANGUAGE = "where", "path", "topics", "language"
MENU_PRIVACY, MENU_BILINGUAL, MENU_MAIN, MENU_STEP = "privacy", "bilingual", "main", "step"
MENU_KLANTMANAGER = "klantmanager"
MENU_MYDATA, MENU_DELETE = "mydata", "delete"
"""What /mydata and /delete do, as buttons under the privacy notice (a web chat has no command list)."""
ASK, ASK_NEW = "ask", "new"


def data(action: str, *args: str) -> str:
    return ":".join((action, *args))


def _button(label: str, action: str, *args: str) -> Button:
    return Button(label, data(action, *args))


def _rows(buttons: list[Button], width: int = 1) -> Keyboard:
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


def back_to_menu(r: Renderer, lang: str) -> tuple[Button, ...]:
    """The row "Main menu", under most screens."""
    return (_button(r.button(lang, "menu.main"), MENU, MENU_MAIN),)


def text_screen(r: Renderer, lang: str, key: str, with_menu: bool = False, **values: object) -> Screen:
    keyboard = (back_to_menu(r, lang),) if with_menu else ()
    return Screen(text=lambda lg: r.ui(lg, key, **values), keyboard=keyboard)


def language_screen(r: Renderer) -> Screen:
    """Asks for the language in every language, each button in its own script."""
    languages = r.journey.languages
    buttons = [_button(r.button(code, "language.name"), LANG, code) for code in languages]
    text = "\n".join(r.ui(code, "language.prompt") for code in languages)
    return Screen(text=lambda _lang: text, keyboard=_rows(buttons, 2), bilingual=False)


def privacy_screen(r: Renderer, lang: str, accepted: bool) -> Screen:
    """The privacy notice; how long things are kept comes from the retention settings."""
    periods = load_rules(r.journey).template_values()

    def text(lg: str) -> str:
        item = r.item(lg, "privacy", **periods)
        return item.html if item else r.ui(lg, GENERIC)

    if accepted:
        keyboard: Keyboard = (
            (_button(r.button(lang, "privacy.mydata_button"), MENU, MENU_MYDATA),),
            (_button(r.button(lang, "privacy.delete_button"), MENU, MENU_DELETE),),
            back_to_menu(r, lang),
        )
    else:
        keyboard = (
            (_button(r.button(lang, "privacy.accept"), PRIVACY, "yes"),),
            (_button(r.button(lang, "privacy.decline"), PRIVACY, "no"),),
        )
    return Screen(text=text, keyboard=keyboard, voice=voice_file(r.content, lang, "privacy"))


def step_screen(r: Renderer, lang: str) -> Screen:
    steps = r.journey.steps
    buttons = [
        _button(r.button(lang, "step.button", n=s.number, title=r.title(lang, s.overview)), STEP, s.id)
        for s in steps
    ]
    buttons.append(_button(r.button(lang, "step.unknown_button"), STEP, UNKNOWN_STEP))
    return Screen(text=lambda lg: r.ui(lg, "step.prompt"), keyboard=_rows(buttons))


def where_screen(r: Renderer, user: User) -> Screen:
    """Where am I: the step, its place in the path, what happens, what comes next."""
    lang = user.lang
    step = r.journey.step(user.step)
    if step is None:
        return step_screen(r, lang)
    following = r.journey.next_step(step)
    total = len(r.journey.steps)

    def text(lg: str) -> str:
        header = r.ui(lg, "where.header", n=step.number, total=total, title=r.title(lg, step.overview))
        item = r.item(lg, step.overview)
        body = item.body if item else ""
        if following is None:
            after = r.ui(lg, "where.last")
        else:
            after = r.ui(lg, "where.next", title=r.title(lg, following.overview))
        return f"{header}\n\n{body}\n\n{after}"

    buttons = [_button(r.title(lang, item_id), ITEM, item_id) for item_id in step.extra_items]
    buttons.append(_button(r.button(lang, "menu.change_step"), MENU, MENU_STEP))
    return Screen(
        text=text,
        keyboard=(*_rows(buttons), back_to_menu(r, lang)),
        voice=voice_file(r.content, lang, step.overview),
    )


def path_screen(r: Renderer, user: User) -> Screen:
    steps = r.journey.steps

    def text(lg: str) -> str:
        lines = [r.ui(lg, "path.header", gemeente=r.journey.gemeente)]
        for s in steps:
            key = "path.line_current" if s.id == user.step else "path.line"
            lines.append(r.ui(lg, key, n=s.number, title=r.title(lg, s.overview)))
        lines.append("")
        lines.append(r.ui(lg, "path.hint"))
        return "\n".join(lines)

    buttons = [
        _button(r.button(user.lang, "step.button", n=s.number, title=r.title(user.lang, s.overview)), ITEM, s.overview)
        for s in steps
    ]
    return Screen(text=text, keyboard=(*_rows(buttons), back_to_menu(r, user.lang)))


def topics_screen(r: Renderer, lang: str) -> Screen:
    buttons = [_button(r.title(lang, topic), ITEM, topic) for topic in r.journey.topics]
    return Screen(
        text=lambda lg: r.ui(lg, "topics.header"),
        keyboard=(*_rows(buttons), back_to_menu(r, lang)),
    )


def item_text(r: Renderer, lang: str, item_id: str) -> tuple[Callable[[str], str], bool]:
    """An item's text in any language, and whether it comes with a "Read more" button.

    When the reader's own text has a part behind the marker, every language
    shows its short part (the Dutch below too, in the bilingual view);
    otherwise every language shows the whole text.
    """
    own = r.item_parts(lang, item_id)
    split = bool(own and own.more)

    def text(lg: str) -> str:
        parts = r.item_parts(lg, item_id)
        if parts is None:
            return r.ui(lg, GENERIC)
        return parts.short if split else parts.whole.html

    return text, split


def read_more_button(r: Renderer, lang: str, item_id: str) -> Button:
    return _button(r.button(lang, "item.read_more"), MORE, item_id)


def back_to_step(r: Renderer, lang: str, item_id: str) -> Keyboard:
    """A button back to the step an item belongs to (none for a step's own overview or a topic)."""
    step = r.journey.item_step(item_id)
    if step is None or step.overview == item_id:
        return ()
    label = r.button(lang, "item.back_to_step", title=r.title(lang, step.overview))
    return ((_button(label, ITEM, step.overview),),)


def item_screen(r: Renderer, lang: str, item_id: str) -> Screen:
    """An item; a critical one in an unchecked translation comes with the Dutch original (``bot.texts.unchecked``)."""
    text, split = item_text(r, lang, item_id)
    rows = ((read_more_button(r, lang, item_id),),) if split else ()
    return Screen(
        text=unchecked.with_original(r, item_id, text),
        keyboard=(*rows, *back_to_step(r, lang, item_id), back_to_menu(r, lang)),
        voice=voice_file(r.content, lang, item_id),
        bilingual=not unchecked.needs_original(r, lang, item_id),
    )


def more_screen(r: Renderer, lang: str, item_id: str) -> Screen:
    """The part of an item behind "Read more", under its title; empty in a language without that part."""

    def text(lg: str) -> str:
        parts = r.item_parts(lg, item_id)
        if parts is None or not parts.more:
            return ""
        return f"<b>{html.escape(parts.whole.title, quote=False)}</b>\n\n{parts.more}"

    return Screen(text=text, keyboard=(*back_to_step(r, lang, item_id), back_to_menu(r, lang)))


def menu_screen(r: Renderer, user: User) -> Screen:
    lang = user.lang
    bilingual_key = "menu.bilingual_off" if user.bilingual else "menu.bilingual_on"
    entries = [
        ("menu.where", MENU, MENU_WHERE),
        ("menu.path", MENU, MENU_PATH),
        ("menu.topics", MENU, MENU_TOPICS),
        ("menu.ask", ASK, ASK_NEW),
        ("menu.my_klantmanager", MENU, MENU_KLANTMANAGER),
        ("menu.language", MENU, MENU_LANGUAGE),
        (bilingual_key, MENU, MENU_BILINGUAL),
        ("menu.privacy", MENU, MENU_PRIVACY),
    ]
    if lang == r.journey.source_language:  # Dutch below Dutch: nothing to toggle
        entries.remove((bilingual_key, MENU, MENU_BILINGUAL))
    buttons = [_button(r.button(lang, key), action, target) for key, action, target in entries]
    return Screen(text=lambda lg: r.ui(lg, "menu.header"), keyboard=_rows(buttons))


def delete_screen(r: Renderer, lang: str, token: str) -> Screen:
    keyboard = (
        (_button(r.button(lang, "delete.yes"), DELETE, "yes", token),),
        (_button(r.button(lang, "delete.no"), DELETE, "no"),),
    )
    return Screen(text=lambda lg: r.ui(lg, "delete.confirm"), keyboard=keyboard, bilingual=False)

