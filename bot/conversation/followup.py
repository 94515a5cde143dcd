"""Following up on a klantmanager's answer: the photo they asked for, a reply, a "thank you".

A message that replies (the channel's reply) to a relayed answer joins that
question at once. Any other message soon after an answer may be meant for the
klantmanager too, or be a new search: the person is asked, with the message
kept until they choose. More messages while they choose join it.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import timedelta

from bot.casework import handoff, questions, staff
from bot.casework.handoff import Pending
from bot.conversation import search
from bot.conversation.ask import pending_from_turn, quoted
from bot.conversation.common import fields, onboarded, reply, stale_button
from bot.core import awaiting
from bot.core.awaiting import Awaiting
from bot.core.channel import Button
from bot.core.clock import parse_iso
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people.users import User
from bot.screens import buttons, views
from bot.screens.messaging import Screen
from bot.search.greetings import is_greeting

FOLLOWUP = "question_followup"
WINDOW = timedelta(hours=24)
"""How long after an answer a message (not a reply) may be meant as a follow-up."""


def _question_replied_to(s: Services, user: User, turn: Turn) -> questions.Question | None:
    if turn.reply_to is None or not turn.reply_to.isdigit():
        return None
    message = questions.find_relayed(s.db, user.id, int(turn.reply_to))
    return questions.get_question(s.db, message.question_id) if message else None


def _recent_answer(s: Services, user: User) -> questions.ThreadMessage | None:
    answer = questions.latest_answer(s.db, user.id)
    if answer is None or s.clock.now() - parse_iso(answer.relayed_at) > WINDOW:
        return None
    return answer


async def _sent(s: Services, turn: Turn, user: User, question: questions.Question, parts: list[Pending]) -> None:
    handler = None
    for part in parts:
        handler = handoff.submit_followup(s, question, user, part)
    screen = views.text_screen(s.renderer, user.lang, "ask.followup_sent", with_menu=True, name=handler.name)
    await reply(s, turn, screen, user)


async def offer(s: Services, turn: Turn, user: User) -> bool:
    """Take a message that follows up on an answer; False when it is not one (search it, or refuse it)."""
    if staff.client(s.db, user.id) is None:
        return False
    pending = pending_from_turn(turn)
    if pending is None:
        return False
    question = _question_replied_to(s, user, turn)
    if question is not None:
        await _sent(s, turn, user, question, [pending])
        return True
    text = turn.plain_text
    if text is not None and is_greeting(text, user.lang):  # "hallo" or "menu" asks for the menu, not Sanne
        return False
    answer = _recent_answer(s, user)
    if answer is None:
        return False
    await _ask(s, turn, user, answer.question_id, [pending])
    return True


async def _ask(s: Services, turn: Turn, user: User, question_id: int, parts: list[Pending]) -> None:
    """ "Is this for <name>, about the answer?" — Yes joins the question, No handles it as usual."""
    token = buttons.new_token()
    awaiting.expect(s.db, user.id, FOLLOWUP, parts=[asdict(p) for p in parts], question=question_id, token=token)
    question = questions.get_question(s.db, question_id)
    name = staff.handling_klantmanager(s.db, question.klantmanager_id, s.clock.now()).name
    r = s.renderer
    keyboard = (
        (Button(r.button(user.lang, "ask.followup_yes", name=name), f"ask:follow:{token}"),),
        (Button(r.button(user.lang, "ask.followup_no"), f"ask:nofollow:{token}"),),
    )
    own = quoted(parts)

    def text(lg: str) -> str:
        confirm = r.ui(lg, "ask.followup_confirm", name=name)
        return f"{own}\n\n{confirm}" if own else confirm

    await reply(s, turn, Screen(text=text, keyboard=keyboard, bilingual=False), user)


async def more(s: Services, turn: Turn, user: User, state: Awaiting) -> None:
    """Another message while "Is this for <name>?" is open: it goes together with the first."""
    pending = pending_from_turn(turn)
    if pending is None:
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "ask.unsupported"), user)
        return
    parts = [*(Pending(**p) for p in state.data["parts"]), pending]
    await _ask(s, turn, user, int(state.data["question"]), parts)


@onboarded
async def followup_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    pressed = fields(match)
    state = awaiting.current(s.db, user.id)
    if state is None or state.kind != FOLLOWUP or state.data.get("token") != pressed["token"]:
        await stale_button(s, turn, user)
        return
    awaiting.clear(s.db, user.id)
    parts = [Pending(**p) for p in state.data["parts"]]
    question = questions.get_question(s.db, int(state.data["question"]))
    if pressed["action"] == "follow" and question is not None:
        await _sent(s, turn, user, question, parts)
        return
    texts = [p.text for p in parts if p.kind == "text" and p.text]
    if texts and len(texts) == len(parts):
        await search.answer(s, turn, user, "\n".join(texts))
    else:
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "ask.cancelled", with_menu=True), user)


FEATURE = Feature(
    name="followup",
    routes=(Route(followup_button, button=buttons.ASK_FOLLOWUP),),
    awaited={FOLLOWUP: more},
)
