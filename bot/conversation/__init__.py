"""The statushouder's conversation, for every channel: routes, handlers, and ``handle``.

Each module here is one feature (``FEATURE``); ``bot/features.py`` lists them
in order. ``await conversation.handle(s, turn)`` answers a turn from any
channel; Telegram builds its PTB handlers from the same routes.
"""

from bot.conversation.handle import handle

__all__ = ["handle"]
