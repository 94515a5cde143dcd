"""The way from a PTB handler's context to the app's ``Services``."""

from __future__ import annotations

from telegram.ext import CallbackContext

from bot.core.services import KEY, Services


def services(context: CallbackContext) -> Services:  # type: ignore[type-arg]
    return context.application.bot_data[KEY]
