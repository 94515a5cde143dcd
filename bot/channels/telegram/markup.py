"""Telegram HTML: turning editors' light Markdown into it, and splitting it.

Editors write plain text with ``**bold**``, ``[text](url)`` and ``- `` bullets.
The conversion runs on the template *source*, once at load time, so Jinja's
autoescaping still escapes every value inserted at render time.
"""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BARE_AMP = re.compile(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)")
_BULLET = re.compile(r"^- ", re.M)


def markdown_to_html(source: str) -> str:
    text = _BARE_AMP.sub("&amp;", source.strip())
    text = _BULLET.sub("• ", text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    return _LINK.sub(r'<a href="\2">\1</a>', text)


def split_message(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split a message at paragraph boundaries so each part fits Telegram.

    Paragraphs never share a tag in our content, so a split between them keeps
    the HTML balanced. A single paragraph longer than the limit (only ever
    escaped user text) is split at line ends, then at spaces.
    """
    if len(html) <= limit:
        return [html]
    parts: list[str] = []
    current = ""
    for paragraph in _pieces(html, limit):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = paragraph
    if current:
        parts.append(current)
    return parts


def _pieces(html: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for paragraph in html.split("\n\n"):
        if len(paragraph) <= limit:
            pieces.append(paragraph)
        else:
            pieces.extend(_hard_split(paragraph, limit))
    return [p for p in pieces if p.strip()]


def _hard_split(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        # Never cut inside an entity such as &amp;
        amp = text.rfind("&", max(0, cut - 8), cut)
        if amp > 0 and ";" not in text[amp:cut]:
            cut = amp
        chunks.append(text[:cut])
        text = text[cut:].lstrip(" \n")
    chunks.append(text)
    return chunks
