"""A fault while handling an update: logged, and the person told in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes

from bot.channels.telegram.turns import turn_of
from bot.conversation.common import tell_error
from bot.core.db_locks import is_busy
from bot.channels.telegram.context import services

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the fault and tell the person something went wrong, in their language.

    A locked database (another process holds the write lock) is no bug: the
    person hears that their action was not saved and can try again.
    """
    busy = is_busy(context.error)
    if busy:
        log.warning("database locked while handling an update: %s", context.error)
    else:
        log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:  # never a word in a group, not even this
        return
    s = services(context)
    try:
        turn = turn_of(update, s.db)  # reads the person: may meet the same locked database
        if turn is None:
            return
        await tell_error(s, turn, busy)
    except Exception:  # the chat itself may be the fault (blocked, gone); it is logged above
        log.warning("could not tell chat %s about the error", update.effective_chat.id)


def register(app: Application) -> None:
    app.add_error_handler(on_error)
