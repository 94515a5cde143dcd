"""The editors' light Markdown as the core's rich text (Telegram's HTML subset, ``bot/core/channel.py``).

Editors write plain text with ``**bold**``, ``[text](url)`` and ``- `` bullets.
The conversion runs on the template *source*, once at load time, so Jinja's
autoescaping still escapes every value inserted at render time.
"""

from __future__ import annotations

import re

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BARE_AMP = re.compile(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)")
_BULLET = re.compile(r"^- ", re.M)


def markdown_to_html(source: str) -> str:
    text = _BARE_AMP.sub("&amp;", source.strip())
    text = _BULLET.sub("• ", text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    return _LINK.sub(r'<a href="\2">\1</a>', text)
