"""Answering in a Telegram chat from a PTB handler, through the Telegram channel."""

from __future__ import annotations

from telegram import Bot

from bot.channels.telegram.channel import TelegramChannel
from bot.core.channel import Keyboard, Outgoing, Sent
from bot.people.users import User
from bot.screens.messaging import Screen, outgoing
from bot.texts.render import Renderer


async def send_html(bot: Bot, chat_id: int, html: str, keyboard: Keyboard = ()) -> Sent:
    """Send Telegram HTML of any length: split at paragraphs, buttons under the last part."""
    return await TelegramChannel(bot).send(str(chat_id), Outgoing(html=html, keyboard=keyboard))


async def send_screen(
    bot: Bot, renderer: Renderer, chat_id: int, screen: Screen, lang: str, user: User | None = None
) -> Sent:
    return await TelegramChannel(bot).send(str(chat_id), outgoing(renderer, screen, lang, user))
