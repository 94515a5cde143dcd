"""The statushouder's side of the handoff: asking their klantmanager, and "my klantmanager".

Entry points: the menu button, "ask my klantmanager" under a search result
(``ask:draft:<id>``) or under a critical item (``ask:item:<id>``). The person
always sees "Send this to <name>?" before anything leaves.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from html import escape

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.channels.telegram.files import pending_from_message
from bot.core.channel import Button, Keyboard, as_keyboard
from bot.core import awaiting
from bot.screens import buttons, views
from bot.casework import drafts, handoff, staff
from bot.core.awaiting import Awaiting
from bot.channels.telegram.handlers import search
from bot.channels.telegram.handlers.common import onboarded, pressed, show, stale_button
from bot.casework.handoff import Pending
from bot.screens.messaging import Screen
from bot.core.services import Services, services
from bot.people.users import User

ASK, NEW = views.ASK, views.ASK_NEW
COMPOSE, CONFIRM = "question", "question_confirm"
SEND, CANCEL, DRAFT, ITEM = "send", "cancel", "draft", "item"


def _klantmanager_name(s: Services, user: User) -> str | None:
    linked = staff.client(s.db, user.id)
    km = staff.get_staff(s.db, linked.klantmanager_id) if linked else None
    return km.name if km else None


def _buttons(s: Services, lang: str, *entries: tuple[str, str]) -> Keyboard:
    return as_keyboard(
        [
            [Button(s.renderer.button(lang, key), f"{ASK}:{action}")]
            for key, action in entries
        ]
    )


FILE_MARKS = {"photo": "📷", "document": "📄", "voice": "🎤"}


def quoted(parts: list[Pending]) -> str:
    """The person's own words and files, as they will be sent: escaped, outside any tag,
    so a long question splits cleanly between paragraphs."""
    lines = []
    for part in parts:
        if part.kind in FILE_MARKS:
            lines.append(" ".join(filter(None, (FILE_MARKS[part.kind], part.file_name))))
        if part.text:
            lines.append(escape(part.text, quote=False))
    return "\n\n".join(lines)


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, parts: list[Pending]
) -> None:
    """ "Send this to <name>?" — only this message's Yes sends, and only these messages."""
    linked = staff.client(s.db, user.id)
    owner = staff.get_staff(s.db, linked.klantmanager_id) if linked else None
    if owner is None:
        awaiting.clear(s.db, user.id)
        await _not_linked(update, context, s, user)
        return
    token = secrets.token_urlsafe(6)
    awaiting.expect(s.db, user.id, CONFIRM, parts=[asdict(p) for p in parts], token=token)
    handler = staff.handling_klantmanager(s.db, owner.id, s.clock.now())
    keyboard = _buttons(s, user.lang, ("ask.yes", f"{SEND}:{token}"), ("ask.no", CANCEL))
    r = s.renderer
    own = quoted(parts)

    def text(lg: str) -> str:
        if handler.id != owner.id:  # told before sending: who answers while the klantmanager is away
            confirm = r.ui(
                lg, "ask.confirm_substitute", name=owner.name, until=owner.away_until, substitute=handler.name
            )
        else:
            confirm = r.ui(lg, "ask.confirm", name=owner.name)
        return f"{own}\n\n{confirm}" if own else confirm

    await show(update, context, Screen(text=text, keyboard=keyboard, bilingual=False), user)


async def _not_linked(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    await show(update, context, views.text_screen(s.renderer, user.lang, "ask.no_klantmanager", with_menu=True), user)


@onboarded
async def ask_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    fields = pressed(context)
    action = fields["action"]
    if action == CANCEL:
        awaiting.clear(s.db, user.id)
        await show(update, context, views.text_screen(s.renderer, user.lang, "ask.cancelled", with_menu=True), user)
        return
    name = _klantmanager_name(s, user)
    if name is None:
        await _not_linked(update, context, s, user)
        return
    if action == NEW:
        awaiting.expect(s.db, user.id, COMPOSE)
        screen = Screen(
            text=lambda lg: s.renderer.ui(lg, "ask.prompt", name=name),
            keyboard=_buttons(s, user.lang, ("ask.cancel_button", CANCEL)),
        )
        await show(update, context, screen, user)
    elif action == DRAFT:
        draft = drafts.text_of(s.db, int(fields["draft"]), user.id)
        if draft is None:
            await stale_button(update, context, user)
            return
        search.asked_after_search(s, user, draft)
        await _confirm(update, context, s, user, [Pending(kind="text", text=draft)])
    elif action == ITEM:
        item_id = fields["item"]
        if item_id not in s.renderer.journey.referenced_items():
            await stale_button(update, context, user)
            return
        title = s.renderer.title(user.lang, item_id)
        question = s.renderer.button(user.lang, "ask.item_question", title=title)
        await _confirm(update, context, s, user, [Pending(kind="text", text=question, topic=item_id)])
    else:
        await _send(update, context, s, user, token=fields["token"])


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, token: str) -> None:
    state = awaiting.current(s.db, user.id)
    if state is None or state.kind != CONFIRM or state.data.get("token") != token:
        await stale_button(update, context, user)
        return
    awaiting.clear(s.db, user.id)
    first, *more = [Pending(**p) for p in state.data["parts"]]
    question, handler = handoff.submit_question(s, user, first)
    for part in more:
        handoff.submit_followup(s, question, user, part)
    owner = staff.get_staff(s.db, question.klantmanager_id)
    if handler.id != owner.id:
        screen = views.text_screen(
            s.renderer,
            user.lang,
            "ask.sent_substitute",
            with_menu=True,
            name=owner.name,
            until=owner.away_until,
            substitute=handler.name,
            due=question.answer_due_at,
        )
    else:
        screen = views.text_screen(
            s.renderer, user.lang, "ask.sent", with_menu=True, name=owner.name, due=question.answer_due_at
        )
    await show(update, context, screen, user)


async def composed(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: Awaiting) -> None:
    """The person's question arrived (text, photo, document or voice).

    Also while "Send this?" is open: a new message (the photo after the text)
    joins the ones to confirm, and the person is asked again for all of them.
    """
    s = services(context)
    pending = pending_from_message(update.effective_message)
    if pending is None:
        await show(update, context, views.text_screen(s.renderer, user.lang, "ask.unsupported"), user)
        return
    earlier = [Pending(**p) for p in state.data.get("parts", [])] if state.kind == CONFIRM else []
    await _confirm(update, context, s, user, [*earlier, pending])


@onboarded
async def my_klantmanager(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    name = _klantmanager_name(s, user)
    if name is None:
        await _not_linked(update, context, s, user)
        return
    keyboard = as_keyboard(
        [
            [Button(s.renderer.button(user.lang, "menu.ask"), f"{ASK}:{NEW}")],
            views.back_to_menu(s.renderer, user.lang),
        ]
    )
    await show(
        update,
        context,
        Screen(text=lambda lg: s.renderer.ui(lg, "my_klantmanager.text", name=name), keyboard=keyboard),
        user,
    )


def register(app: Application) -> None:
    awaiting.register(COMPOSE, composed)
    awaiting.register(CONFIRM, composed)
    for pattern in (buttons.ASK, buttons.ASK_SEND, buttons.ASK_DRAFT, buttons.ASK_ITEM):
        app.add_handler(CallbackQueryHandler(ask_button, pattern=pattern))
