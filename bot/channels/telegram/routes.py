"""The features' routes as PTB handlers: one handler per route, in the features' order and groups.

Each handler builds the ``Turn`` from the update at the edge (``turns.py``),
answers the button press (only the route of the main group does: a press is
answered once), and calls the route's neutral handler. PTB's concurrency and
the chat-ordered processing (``updates.py``) stay as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, TypeHandler, filters

from bot.channels.telegram.turns import turn_of
from bot.core.routes import MAIN, Route
from bot.channels.telegram.context import services

PRIVATE = filters.ChatType.PRIVATE
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class When(TypeHandler):
    """Any update for which ``test`` holds."""

    def __init__(self, test: Callable[[Update], bool], callback: Callback) -> None:
        super().__init__(Update, callback)
        self._test = test

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and self._test(update)


def _callback(route: Route) -> Callback:
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None and route.group >= MAIN:
            await update.callback_query.answer()
        s = services(context)
        turn = turn_of(update, s.db)
        if turn is None:
            return
        await route.handler(s, turn, context.matches[0] if context.matches else None)

    run.__qualname__ = run.__name__ = getattr(route.handler, "__name__", "route")
    return run


def ptb_handler(route: Route) -> BaseHandler:  # type: ignore[type-arg]
    """The PTB handler that takes exactly what the route takes."""
    run = _callback(route)
    if route.command is not None:
        return CommandHandler(route.command, run, filters=PRIVATE)
    if route.button is not None:
        return CallbackQueryHandler(run, pattern=route.button)
    if route.any_command:
        return MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, run)
    if route.any_button:
        return CallbackQueryHandler(run)
    if route.message:
        return MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, run)
    if route.edited:
        return When(lambda update: update.edited_message is not None, run)
    return When(lambda update: update.callback_query is not None and not update.callback_query.data, run)


def add_routes(app: Application, routes: tuple[Route, ...]) -> None:
    for route in routes:
        app.add_handler(ptb_handler(route), group=route.group)
