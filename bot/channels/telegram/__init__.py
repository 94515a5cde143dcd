"""Telegram: the python-telegram-bot application, its handlers, and Telegram's rules."""
