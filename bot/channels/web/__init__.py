"""The web chat: a page in the browser as a second channel beside Telegram.

``store`` keeps sessions and messages, ``sanitize`` makes the core's HTML safe
for the page, ``channel`` is the ``WebChannel`` the core sends through, and
``server`` is the aiohttp application that serves the page, takes what the
person does and streams messages to the page (server-sent events).
"""
