"""The statushouder's side of the handoff: asking their klantmanager, and "my klantmanager".

Entry points: the menu button, "ask my klantmanager" under a search result
(``ask:draft:<id>``) or under a critical item (``ask:item:<id>``). The person
always sees "Send this to <name>?" before anything leaves.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from html import escape

from bot.casework import drafts, handoff, staff
from bot.casework.handoff import Pending
from bot.conversation import search
from bot.conversation.common import fields, onboarded, reply, stale_button
from bot.core import awaiting
from bot.core.awaiting import Awaiting
from bot.core.channel import Button, Keyboard
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.screens import buttons, views
from bot.screens.messaging import Screen

ASK, NEW = views.ASK, views.ASK_NEW
COMPOSE, CONFIRM = "question", "question_confirm"
SEND, CANCEL, DRAFT, ITEM = "send", "cancel", "draft", "item"


def pending_from_turn(turn: Turn) -> Pending | None:
    """What of a message can be relayed: text, a photo, a document, a voice message (with its caption)."""
    if turn.attachment is not None:
        return handoff.pending_from(turn.text, turn.attachment)
    return handoff.pending_from(turn.plain_text, None)


def _klantmanager_name(s: Services, user: User) -> str | None:
    linked = staff.client(s.db, user.id)
    km = staff.get_staff(s.db, linked.klantmanager_id) if linked else None
    return km.name if km else None


def _buttons(s: Services, lang: str, *entries: tuple[str, str]) -> Keyboard:
    return tuple((Button(s.renderer.button(lang, key), f"{ASK}:{action}"),) for key, action in entries)


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


async def _confirm(s: Services, turn: Turn, user: User, parts: list[Pending]) -> None:
    """ "Send this to <name>?" — only this message's Yes sends, and only these messages."""
    linked = staff.client(s.db, user.id)
    owner = staff.get_staff(s.db, linked.klantmanager_id) if linked else None
    if owner is None:
        awaiting.clear(s.db, user.id)
        await _not_linked(s, turn, user)
        return
    token = buttons.new_token()
    awaiting.expect(s.db, user.id, CONFIRM, parts=[asdict(p) for p in parts], token=token)
    handler = staff.handling_klantmanager(s.db, owner.id, s.clock.now())
    keyboard = _buttons(s, user.lang, ("ask.yes", f"{SEND}:{token}"), ("ask.no", f"{CANCEL}:{token}"))
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

    await reply(s, turn, Screen(text=text, keyboard=keyboard, bilingual=False), user)


async def _not_linked(s: Services, turn: Turn, user: User) -> None:
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "ask.no_klantmanager", with_menu=True), user)


@onboarded
async def ask_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    pressed = fields(match)
    action = pressed["action"]
    if action == CANCEL:
        await _cancel(s, turn, user, token=pressed["token"])
        return
    name = _klantmanager_name(s, user)
    if name is None:
        await _not_linked(s, turn, user)
        return
    if action == NEW:
        token = buttons.new_token()
        awaiting.expect(s.db, user.id, COMPOSE, token=token)
        screen = Screen(
            text=lambda lg: s.renderer.ui(lg, "ask.prompt", name=name),
            keyboard=_buttons(s, user.lang, ("ask.cancel_button", f"{CANCEL}:{token}")),
        )
        await reply(s, turn, screen, user)
    elif action == DRAFT:
        draft = drafts.text_of(s.db, int(pressed["draft"]), user.id)
        if draft is None:
            await stale_button(s, turn, user)
            return
        search.asked_after_search(s, user, draft)
        await _confirm(s, turn, user, [Pending(kind="text", text=draft)])
    elif action == ITEM:
        item_id = pressed["item"]
        if item_id not in s.renderer.journey.referenced_items():
            await stale_button(s, turn, user)
            return
        title = s.renderer.title(user.lang, item_id)
        question = s.renderer.button(user.lang, "ask.item_question", title=title)
        await _confirm(s, turn, user, [Pending(kind="text", text=question, topic=item_id)])
    else:
        await _send(s, turn, user, token=pressed["token"])


def _waiting_for(s: Services, user: User, token: str, kinds: tuple[str, ...]) -> Awaiting | None:
    """The person's pending question, if the pressed button belongs to it (its token): else the button is old."""
    state = awaiting.current(s.db, user.id)
    if state is None or state.kind not in kinds or state.data.get("token") != token:
        return None
    return state


async def _cancel(s: Services, turn: Turn, user: User, token: str) -> None:
    """ "No, do not send" or "Cancel" of the question on screen; an old one leaves any pending input alone."""
    if _waiting_for(s, user, token, (COMPOSE, CONFIRM)) is None:
        await stale_button(s, turn, user)
        return
    awaiting.clear(s.db, user.id)
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "ask.cancelled", with_menu=True), user)


async def _send(s: Services, turn: Turn, user: User, token: str) -> None:
    state = _waiting_for(s, user, token, (CONFIRM,))
    if state is None:
        await stale_button(s, turn, user)
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
    await reply(s, turn, screen, user)


async def composed(s: Services, turn: Turn, user: User, state: Awaiting) -> None:
    """The person's question arrived (text, photo, document or voice).

    Also while "Send this?" is open: a new message (the photo after the text)
    joins the ones to confirm, and the person is asked again for all of them.
    """
    pending = pending_from_turn(turn)
    if pending is None:
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "ask.unsupported"), user)
        return
    earlier = [Pending(**p) for p in state.data.get("parts", [])] if state.kind == CONFIRM else []
    await _confirm(s, turn, user, [*earlier, pending])


@onboarded
async def my_klantmanager(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    name = _klantmanager_name(s, user)
    if name is None:
        await _not_linked(s, turn, user)
        return
    keyboard = (
        (Button(s.renderer.button(user.lang, "menu.ask"), f"{ASK}:{NEW}"),),
        tuple(views.back_to_menu(s.renderer, user.lang)),
    )
    screen = Screen(text=lambda lg: s.renderer.ui(lg, "my_klantmanager.text", name=name), keyboard=keyboard)
    await reply(s, turn, screen, user)


FEATURE = Feature(
    name="ask",
    routes=tuple(
        Route(ask_button, button=pattern)
        for pattern in (buttons.ASK, buttons.ASK_SEND, buttons.ASK_DRAFT, buttons.ASK_ITEM)
    ),
    awaited={COMPOSE: composed, CONFIRM: composed},
)
