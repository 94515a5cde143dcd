"""Answering a client: Reply / Done / Call me back, and a klantmanager's messages.

A klantmanager's message is an answer (after Reply, or as a Telegram reply to
the relayed question), or the next answer of a flow they started (see
``bot/core/awaiting.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.people import audit
from bot.core import awaiting
from bot.casework import handoff, questions, staff
from bot.delivery import notices
from bot.screens import buttons as patterns
from bot.core.clock import iso, parse_iso
from bot.channels.telegram.handlers.common import pressed
from bot.channels.telegram.identity import chat_of, person_of
from bot.channels.telegram.handlers.klantmanager import (
    client_name,
    current_klantmanager,
    klantmanager_only,
    not_yours,
    say,
)
from bot.core.services import KEY, Services, services
from bot.casework.staff import Staff
from bot.people.users import get_user

ANSWER = "km_answer"
FOLLOW_UP = timedelta(minutes=30)
"""How long after an answer a klantmanager's next message still goes to the same question."""


@klantmanager_only
async def question_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """kq:reply|done|call:<question> under a relayed question."""
    action = pressed(context)["action"]
    question = questions.get_question(s.db, int(pressed(context)["question"]))
    now = s.clock.now()
    if question is None or not staff.may_act_for(s.db, km.id, question.user_id, now):
        await not_yours(update, context, km, question.user_id if question else None)
        return
    client = client_name(s, question.user_id)
    if question.status != questions.OPEN:
        await say(update, context, km.lang, "km.question_closed")
    elif action == "reply":
        awaiting.expect(s.db, km.id, ANSWER, about=question.user_id, question_id=question.id)
        await say(update, context, km.lang, "km.reply_prompt", client=client)
    elif action == "done":
        questions.close(s.db, question.id, now)
        audit.record(s.db, now, km.id, "question_done", question.user_id, question_id=question.id)
        state = awaiting.current(s.db, km.id)
        if state is not None and state.data.get("question_id") == question.id:
            awaiting.clear(s.db, km.id)  # no follow-up goes to a closed question
        await _remove_buttons(update, context, question)
        await say(update, context, km.lang, "km.done", client=client)
    elif notices.planned(s.db, about=question.user_id, once=f"call:{question.id}"):
        await say(update, context, km.lang, "km.call_already", client=client)
    else:
        audit.record(s.db, now, km.id, "call_back", question.user_id, question_id=question.id)
        notices.notify(
            s.db,
            chat_id=question.user_id,
            about=question.user_id,
            key="ask.will_call",
            now=now,
            once=f"call:{question.id}",
            name=km.name,
        )
        await say(update, context, km.lang, "km.call_noted", client=client)


async def _remove_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE, question: questions.Question) -> None:
    """A closed question shows no buttons: not where Done was pressed, nor on its other relayed messages."""
    await update.callback_query.edit_message_reply_markup(None)
    pressed_on = update.callback_query.message.message_id if update.callback_query.message else None
    for message in questions.thread(services(context).db, question.id):
        if message.direction != questions.FROM_CLIENT or message.relay_message_id in (None, pressed_on):
            continue
        try:
            await context.bot.edit_message_reply_markup(
                chat_of(services(context).db, message.relay_chat_id), message.relay_message_id
            )
        except BadRequest:  # deleted in the chat, or without buttons already: nothing to remove
            continue


async def _answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff, question: questions.Question
) -> None:
    now = s.clock.now()
    if not staff.may_act_for(s.db, km.id, question.user_id, now):
        await not_yours(update, context, km, question.user_id)
        return
    pending = handoff.pending_from_message(update.effective_message)
    if pending is None:
        await say(update, context, km.lang, "ask.unsupported")
        return
    handoff.submit_answer(s, question, km.id, pending)
    # A second message right after the answer (a photo, "and also...") goes to the same question.
    awaiting.expect(
        s.db,
        km.id,
        ANSWER,
        about=question.user_id,
        question_id=question.id,
        answered_at=iso(now),
        follow_until=iso(now + FOLLOW_UP),
    )
    await say(update, context, km.lang, "km.answer_sent", client=client_name(s, question.user_id))


def _still_open(s: Services, km: Staff, state: awaiting.Awaiting) -> bool:
    """Is this answer still being written: after Reply, or soon after an answer?

    A follow-up goes to the answered question for ``FOLLOW_UP``, and only while
    no other question has reached this klantmanager since: a message typed
    after a new question arrived may be meant for that one.
    """
    until = state.data.get("follow_until")
    if until is None:
        return True
    return parse_iso(until) > s.clock.now() and not questions.relayed_since(
        s.db, km.id, state.data["answered_at"], except_question=int(state.data["question_id"])
    )


async def staff_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A klantmanager's message: an answer (after Reply, or as a Telegram reply), or broadcast text."""
    s = services(context)
    km = current_klantmanager(update, s)
    state = awaiting.current(s.db, km.id)
    replied = update.effective_message.reply_to_message
    if replied is not None:
        relayed = questions.find_relayed(s.db, km.id, replied.message_id)
        if relayed is not None:
            awaiting.clear(s.db, km.id)
            await _answer(update, context, s, km, questions.get_question(s.db, relayed.question_id))
            return
    if state is not None and state.kind == ANSWER and _still_open(s, km, state):
        awaiting.clear(s.db, km.id)
        await _answer(update, context, s, km, questions.get_question(s.db, int(state.data["question_id"])))
    elif state is not None and (handler := awaiting.handler_for(state.kind)) is not None:
        await handler(update, context, get_user(s.db, km.id), state)
    else:
        await say(update, context, km.lang, "km.unknown_message")


class _IsKlantmanager(filters.MessageFilter):
    """Messages from klantmanagers go to the klantmanager handlers, not to statushouder onboarding."""

    def __init__(self, app: Application) -> None:
        super().__init__(name="IsKlantmanager")
        self._app = app

    def filter(self, message: Any) -> bool:
        if message.from_user is None:
            return False
        db = self._app.bot_data[KEY].db
        person_id = person_of(db, message.from_user.id)
        person = None if person_id is None else staff.get_staff(db, person_id)
        return person is not None and person.is_klantmanager and person.active


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(question_button, pattern=patterns.QUESTION))
    app.add_handler(MessageHandler(private & ~filters.COMMAND & _IsKlantmanager(app), staff_message))
