"""Telegram HTML in Telegram's sizes: splitting a long message into parts that fit."""

from __future__ import annotations

TELEGRAM_LIMIT = 4096


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
