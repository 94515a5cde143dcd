"""Validator and parser for Telegram's HTML parse mode.

Telegram accepts only a small subset of HTML and rejects anything else with
``Bad Request: can't parse entities: ...``. This module mirrors those rules so
that both the emulator and the project's content checker can catch broken
markup before it reaches the real API. It is deliberately a little stricter
than Telegram in one place: a bare ``&`` that does not start one of the
supported character references is an error instead of a literal ampersand.

Everything here is pure: no I/O, no global state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "TelegramHTMLError",
    "parse_telegram_html",
    "parse_telegram_html_entities",
    "strip_formatted_text",
    "utf16_len",
]

# Tag name -> Bot API MessageEntity type.
_TAG_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_REFERENCE_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_:.-]*")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s\"'<>=`]+")


class TelegramHTMLError(ValueError):
    """Markup Telegram would reject; ``description`` is the text after "can't parse entities: "."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of all Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the visible text where the tag's content starts
    language: str | None = None  # set on <pre> by a nested <code class="language-x">


class _Parser:
    def __init__(self, html: str) -> None:
        self.html = html
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 length of the text emitted so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def fail(self, message: str, at: int | None = None) -> TelegramHTMLError:
        if at is None:
            return TelegramHTMLError(message)
        byte_offset = len(self.html[:at].encode("utf-8"))
        return TelegramHTMLError(f"{message} at byte offset {byte_offset}")

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    def run(self) -> tuple[str, list[dict]]:
        html = self.html
        while self.pos < len(html):
            char = html[self.pos]
            if char == "&":
                self.emit(self.read_reference())
            elif char == "<":
                if html.startswith("</", self.pos):
                    self.read_end_tag()
                else:
                    self.read_start_tag()
            else:
                next_special = _next_special(html, self.pos)
                self.emit(html[self.pos:next_special])
                self.pos = next_special
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def read_reference(self) -> str:
        decoded = _decode_reference(self.html, self.pos)
        if decoded is None:
            raise self.fail("Invalid or unterminated character reference", self.pos)
        value, self.pos = decoded
        return value

    def read_name(self, start: int) -> str:
        match = _TAG_NAME_RE.match(self.html, self.pos)
        if match is None:
            if self.pos >= len(self.html):
                raise self.fail("Unexpected end of name token", start)
            raise self.fail(f'Unexpected character "{self.html[self.pos]}" after "<"', start)
        self.pos = match.end()
        return match.group().lower()

    def skip_spaces(self) -> None:
        while self.pos < len(self.html) and self.html[self.pos].isspace():
            self.pos += 1

    def read_start_tag(self) -> None:
        start = self.pos
        self.pos += 1
        name = self.read_name(start)
        if name not in _TAG_ENTITY_TYPES:
            raise self.fail(f'Unsupported start tag "{name}"', start)
        attrs = self.read_attributes(name, start)
        self.validate_attributes(name, attrs, start)
        self.stack.append(_OpenTag(name=name, attrs=attrs, offset=self.out_len))

    def read_attributes(self, tag: str, start: int) -> dict[str, str]:
        html = self.html
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= len(html):
                raise self.fail("Unclosed start tag", start)
            if html[self.pos] == ">":
                self.pos += 1
                return attrs
            match = _ATTR_NAME_RE.match(html, self.pos)
            if match is None:
                raise self.fail(f'Unexpected character in start tag "{tag}"', self.pos)
            name = match.group().lower()
            self.pos = match.end()
            self.skip_spaces()
            if self.pos < len(html) and html[self.pos] == "=":
                self.pos += 1
                self.skip_spaces()
                attrs[name] = self.read_attribute_value(tag, start)
            else:
                attrs[name] = ""

    def read_attribute_value(self, tag: str, start: int) -> str:
        html = self.html
        if self.pos >= len(html):
            raise self.fail("Unclosed start tag", start)
        quote = html[self.pos]
        if quote not in "\"'":
            match = _UNQUOTED_VALUE_RE.match(html, self.pos)
            if match is None:
                raise self.fail(f'Expected attribute value in start tag "{tag}"', self.pos)
            self.pos = match.end()
            return match.group()
        end = html.find(quote, self.pos + 1)
        if end == -1:
            raise self.fail("Unclosed start tag", start)
        value = _decode_attribute_value(html[self.pos + 1:end])
        if value is None:
            raise self.fail(f'Invalid character reference in an attribute of the tag "{tag}"', self.pos)
        self.pos = end + 1
        return value

    def validate_attributes(self, name: str, attrs: dict[str, str], start: int) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', start)
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail('Tag "tg-emoji" must have a numeric attribute "emoji-id"', start)

    def read_end_tag(self) -> None:
        start = self.pos
        self.pos += 2
        name = self.read_name(start)
        self.skip_spaces()
        if self.pos >= len(self.html) or self.html[self.pos] != ">":
            raise self.fail("Unclosed end tag", start)
        self.pos += 1
        if not self.stack:
            raise self.fail("Unexpected end tag", start)
        tag = self.stack[-1]
        if tag.name != name:
            raise self.fail(f'Unmatched end tag, expected "</{tag.name}>", found "</{name}>"', start)
        self.stack.pop()
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        parent = self.stack[-1] if self.stack else None
        if tag.name == "code" and parent is not None and parent.name == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            css_class = tag.attrs.get("class", "")
            if css_class.startswith("language-") and len(css_class) > len("language-"):
                parent.language = css_class[len("language-"):]
            return
        length = self.out_len - tag.offset
        if length <= 0:
            return  # Telegram silently drops empty entities.
        entity: dict = {"type": _TAG_ENTITY_TYPES[tag.name], "offset": tag.offset, "length": length}
        if tag.name == "a":
            href = tag.attrs.get("href", "")
            if not href:
                return
            entity["url"] = href
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        self.entities.append(entity)


def _next_special(html: str, pos: int) -> int:
    """Index of the next '<' or '&' at or after ``pos`` (or the end of the string)."""
    candidates = [i for i in (html.find("<", pos), html.find("&", pos)) if i != -1]
    return min(candidates) if candidates else len(html)


def _decode_reference(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference starting at ``text[pos] == '&'``.

    Returns the character and the index after the reference, or None if there is no
    supported, well-formed reference at ``pos``.
    """
    match = _REFERENCE_RE.match(text, pos)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_REFERENCES[named], match.end()
    code_point = int(decimal, 10) if decimal else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point), match.end()


def _decode_attribute_value(raw: str) -> str | None:
    """Decode the references in a quoted attribute value (None if one is invalid)."""
    parts: list[str] = []
    pos = 0
    while (amp := raw.find("&", pos)) != -1:
        decoded = _decode_reference(raw, amp)
        if decoded is None:
            return None
        parts.append(raw[pos:amp])
        parts.append(decoded[0])
        pos = decoded[1]
    parts.append(raw[pos:])
    return "".join(parts)


def parse_telegram_html_entities(html: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into visible text and Bot API ``MessageEntity`` dicts.

    Offsets and lengths are in UTF-16 code units, like Telegram's. Raises
    :class:`TelegramHTMLError` for markup Telegram would refuse.
    """
    return _Parser(html).run()


def parse_telegram_html(html: str) -> str:
    """Return the visible text of Telegram HTML, or raise :class:`TelegramHTMLError`."""
    return parse_telegram_html_entities(html)[0]


def strip_formatted_text(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace as Telegram does for message texts and captions.

    Entities are shifted and clipped to the trimmed text; ones left empty are dropped.
    """
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    new_len = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, new_len)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
