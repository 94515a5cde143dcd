"""Following up on a klantmanager's answer: the photo they asked for, a reply, a "thank you".

A message that replies (Telegram's reply) to a relayed answer joins that
question at once. Any other message soon after an answer may be meant for the
klantmanager too, or be a new search: the person is asked, with the message
kept until they choose. More messages while they choose join it.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.channels.telegram.files import pending_from_message
from bot.core.channel import Button, as_keyboard
from bot.core import awaiting
from bot.screens import buttons, views
from bot.casework import handoff, questions, staff
from bot.core.awaiting import Awaiting
from bot.core.clock import parse_iso
from bot.search.greetings import is_greeting
from bot.channels.telegram.handlers import search
from bot.channels.telegram.handlers.ask import quoted
from bot.channels.telegram.handlers.common import onboarded, pressed, show, stale_button
from bot.casework.handoff import Pending
from bot.screens.messaging import Screen
from bot.core.services import Services, services
from bot.people.users import User

FOLLOWUP = "question_followup"
WINDOW = timedelta(hours=24)
"""How long after an answer a message (not a reply) may be meant as a follow-up."""


def _question_replied_to(s: Services, user: User, update: Update) -> questions.Question | None:
    replied = update.effective_message.reply_to_message
    if replied is None:
        return None
    message = questions.find_relayed(s.db, user.id, replied.message_id)
    return questions.get_question(s.db, message.question_id) if message else None


def _recent_answer(s: Services, user: User) -> questions.ThreadMessage | None:
    answer = questions.latest_answer(s.db, user.id)
    if answer is None or s.clock.now() - parse_iso(answer.relayed_at) > WINDOW:
        return None
    return answer


async def _sent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, question: questions.Question,
    parts: list[Pending],
) -> None:
    handler = None
    for part in parts:
        handler = handoff.submit_followup(s, question, user, part)
    screen = views.text_screen(s.renderer, user.lang, "ask.followup_sent", with_menu=True, name=handler.name)
    await show(update, context, screen, user)


async def offer(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> bool:
    """Take a message that follows up on an answer; False when it is not one (search it, or refuse it)."""
    if staff.client(s.db, user.id) is None:
        return False
    pending = pending_from_message(update.effective_message)
    if pending is None:
        return False
    question = _question_replied_to(s, user, update)
    if question is not None:
        await _sent(update, context, s, user, question, [pending])
        return True
    text = update.effective_message.text
    if text is not None and is_greeting(text, user.lang):  # "hallo" or "menu" asks for the menu, not Sanne
        return False
    answer = _recent_answer(s, user)
    if answer is None:
        return False
    await _ask(update, context, s, user, answer.question_id, [pending])
    return True


async def _ask(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, question_id: int,
    parts: list[Pending],
) -> None:
    """ "Is this for <name>, about the answer?" — Yes joins the question, No handles it as usual."""
    token = secrets.token_urlsafe(6)
    awaiting.expect(s.db, user.id, FOLLOWUP, parts=[asdict(p) for p in parts], question=question_id, token=token)
    question = questions.get_question(s.db, question_id)
    name = staff.handling_klantmanager(s.db, question.klantmanager_id, s.clock.now()).name
    r = s.renderer
    keyboard = as_keyboard(
        [
            [Button(r.button(user.lang, "ask.followup_yes", name=name), f"ask:follow:{token}")],
            [Button(r.button(user.lang, "ask.followup_no"), f"ask:nofollow:{token}")],
        ]
    )
    own = quoted(parts)

    def text(lg: str) -> str:
        confirm = r.ui(lg, "ask.followup_confirm", name=name)
        return f"{own}\n\n{confirm}" if own else confirm

    await show(update, context, Screen(text=text, keyboard=keyboard, bilingual=False), user)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, state: Awaiting) -> None:
    """Another message while "Is this for <name>?" is open: it goes together with the first."""
    s = services(context)
    pending = pending_from_message(update.effective_message)
    if pending is None:
        await show(update, context, views.text_screen(s.renderer, user.lang, "ask.unsupported"), user)
        return
    parts = [*(Pending(**p) for p in state.data["parts"]), pending]
    await _ask(update, context, s, user, int(state.data["question"]), parts)


@onboarded
async def followup_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    fields = pressed(context)
    state = awaiting.current(s.db, user.id)
    if state is None or state.kind != FOLLOWUP or state.data.get("token") != fields["token"]:
        await stale_button(update, context, user)
        return
    awaiting.clear(s.db, user.id)
    parts = [Pending(**p) for p in state.data["parts"]]
    question = questions.get_question(s.db, int(state.data["question"]))
    if fields["action"] == "follow" and question is not None:
        await _sent(update, context, s, user, question, parts)
        return
    texts = [p.text for p in parts if p.kind == "text" and p.text]
    if texts and len(texts) == len(parts):
        await search.answer(update, context, s, user, "\n".join(texts))
    else:
        await show(update, context, views.text_screen(s.renderer, user.lang, "ask.cancelled", with_menu=True), user)


def register(app: Application) -> None:
    awaiting.register(FOLLOWUP, more)
    app.add_handler(CallbackQueryHandler(followup_button, pattern=buttons.ASK_FOLLOWUP))
