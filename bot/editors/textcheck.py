"""Checking one text the way the bot will use it.

A text is a Jinja template (in the same sandbox the bot renders in) that
becomes Telegram HTML. This module answers, for one text: does it compile,
which placeholders does it use, does it render with sample values, is the
result HTML Telegram accepts, are its links well-formed, does it fit
Telegram's limits. ``bot.editors.checker`` runs it over the whole content tree and
``bot.editors.po`` over a translator's catalog before importing it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SecurityError

from bot.channels.telegram.telegram_html import (
    TelegramHTMLError,
    parse_telegram_html_entities,
    utf16_len,
)
from bot.channels.telegram.markup import TELEGRAM_LIMIT
from bot.texts.render import make_environment

SAMPLE_MOMENT = datetime(2027, 9, 29, 13, 45, tzinfo=UTC)
"""A Wednesday in September: long day and month names, to test lengths."""
SAMPLE_NUMBER = 1234567
SAMPLE_TEXT = ("Sample <&> value " * 3)[:40]
"""40 characters with the characters that must be escaped, to prove escaping."""
SAMPLE_URL = "https://example.org/sample?a=<1>&b=2"
SAMPLE_PERIOD = "18mo"
"""Shown as a number of months: the longest way a period is written."""

_ENV = make_environment()
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")
_BYTE_OFFSET = re.compile(r"at byte offset (\d+)$")
_UNCLOSED = re.compile(r'start tag "([a-z-]+)"')
_DATE_WORDS = ("date", "when", "time", "_at")
_URL_WORDS = ("url", "link", "href")
_NUMBER_NAMES = {"n", "total", "count", "number", "amount"}
_DATE_FILTERS = {"date", "time", "datetime"}
_NUMBER_FILTERS = {"number", "money"}


@dataclass(frozen=True)
class Problem:
    message: str
    fix: str
    line: int = 1
    """Line within the text, counting from 1."""


def sample_value(name: str, filters: Collection[str] = ()) -> Any:
    """A value to render a placeholder with, chosen by the filters applied to it, else by its name."""
    lowered = name.lower()
    if "duration" in filters:
        return SAMPLE_PERIOD
    if _DATE_FILTERS & set(filters) or any(word in lowered for word in _DATE_WORDS):
        return SAMPLE_MOMENT
    if _NUMBER_FILTERS & set(filters) or lowered in _NUMBER_NAMES or lowered.endswith(("_count", "_number", "_total")):
        return SAMPLE_NUMBER
    if any(word in lowered for word in _URL_WORDS):
        return SAMPLE_URL
    return SAMPLE_TEXT


@dataclass(frozen=True)
class _Compiled:
    template: Template
    used: frozenset[str]
    filters: dict[str, frozenset[str]]
    """Per placeholder, the filters applied directly to it (``{{ due | date }}``)."""


@lru_cache(maxsize=4096)
def _compile(source: str) -> _Compiled:
    """The compiled template and what it uses (cached: texts rarely change)."""
    template = _ENV.from_string(source)
    tree = _ENV.parse(source)
    filters: dict[str, set[str]] = {}
    for node in tree.find_all(nodes.Filter):
        if isinstance(node.node, nodes.Name):
            filters.setdefault(node.node.name, set()).add(node.name)
    return _Compiled(
        template=template,
        used=frozenset(meta.find_undeclared_variables(tree)),
        filters={name: frozenset(names) for name, names in filters.items()},
    )


def placeholders(source: str) -> frozenset[str]:
    """The ``{{ names }}`` a text uses. Raises ``TemplateSyntaxError``."""
    if "{" not in source:
        return frozenset()
    return _compile(source).used


def line_of(text: str, needle: str) -> int:
    """The line (from 1) where ``needle`` first occurs in ``text``, or 1."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def render_sample(source: str, locale: str, allowed: Collection[str]) -> tuple[str | None, list[Problem]]:
    """Compile and render a text with sample values for the placeholders it may use.

    Returns the rendered Telegram HTML (None when it cannot be rendered) and
    the problems found: a syntax error, a placeholder that is not allowed, a
    failure while rendering.
    """
    if "{" not in source:
        return source.strip(), []
    try:
        compiled = _compile(source)
    except TemplateSyntaxError as exc:
        return None, [
            Problem(
                f"the text cannot be read as a template: {exc.message}",
                "check the {{ }} and {% %} marks around this line: every {{ needs a }}",
                exc.lineno or 1,
            )
        ]
    except TemplateError as exc:
        return None, [Problem(f"the text cannot be read as a template: {exc}", "check the {{ }} marks")]
    unknown = sorted(compiled.used - set(allowed))
    if unknown:
        return None, [
            Problem(
                f"the text uses {{{{ {name} }}}}, which is not available here",
                f"remove {{{{ {name} }}}} or, in a long text, add {name} to 'variables:' in the front matter",
                line_of(source, name),
            )
            for name in unknown
        ]
    values = {name: sample_value(name, compiled.filters.get(name, ())) for name in compiled.used}
    try:
        return compiled.template.render(_locale=locale, **values).strip(), []
    except SecurityError as exc:
        fix = "use only {{ name }} and the filters in content/README.md"
        return None, [Problem(f"the text does something templates may not do: {exc}", fix)]
    except (TemplateError, ValueError, TypeError, AttributeError) as exc:
        fix = "use the filters in content/README.md on values of the right kind"
        return None, [Problem(f"the text cannot be filled in with sample values: {exc}", fix)]


@dataclass(frozen=True)
class Mismatch:
    """How a translation's placeholders differ from the Dutch text's."""

    unknown: list[Problem]
    """Placeholders the Dutch text does not have: the bot has no value for them."""
    lacking: list[Problem]
    """Placeholders of the Dutch text the translation leaves out: the reader misses a value."""

    @property
    def problems(self) -> list[Problem]:
        return [*self.unknown, *self.lacking]


def placeholder_mismatch(translation: str, source: str) -> Mismatch:
    """Compare the placeholders of a translation with those of its Dutch source."""
    try:
        theirs = placeholders(translation)
    except TemplateSyntaxError as exc:
        message = f"the translation cannot be read as a template: {exc.message}"
        return Mismatch([Problem(message, "check the {{ }} marks", exc.lineno or 1)], [])
    try:
        ours = placeholders(source)
    except TemplateSyntaxError:
        return Mismatch([], [])  # reported on the Dutch file itself
    unknown = [
        Problem(
            f"the translation uses {{{{ {name} }}}}, which the Dutch text does not have",
            f"use only the placeholders of the Dutch text, unchanged: {_names(ours)}",
            line_of(translation, name),
        )
        for name in sorted(theirs - ours)
    ]
    lacking = [
        Problem(
            f"the translation lacks {{{{ {name} }}}}, which the Dutch text has",
            f"copy {{{{ {name} }}}} into the translation exactly as in Dutch (do not translate the name)",
        )
        for name in sorted(ours - theirs)
    ]
    return Mismatch(unknown, lacking)


def _names(names: Collection[str]) -> str:
    return ", ".join(f"{{{{ {n} }}}}" for n in sorted(names)) or "none"


def telegram_html_problems(html: str) -> list[Problem]:
    """Is this what Telegram accepts: its tags only, balanced, escaped, with well-formed links."""
    try:
        _, entities = parse_telegram_html_entities(html)
    except TelegramHTMLError as exc:
        return [
            Problem(
                f"Telegram would refuse this text: {exc.description}",
                "use only <b>, <i>, <u>, <s>, <a href>, <code>, <pre>, <blockquote>, close every tag you open, "
                "and write & < > as &amp; &lt; &gt;",
                _line_at(html, exc.description),
            )
        ]
    return [
        Problem(f"link address is not well-formed: {e['url']}", "use a full address such as https://www.amsterdam.nl")
        for e in entities
        if e["type"] == "text_link" and not is_well_formed_url(e["url"])
    ]


def visible_length(html: str) -> int:
    """Length as Telegram counts it: the text without tags, in UTF-16 units (0 if the HTML is invalid)."""
    try:
        return utf16_len(parse_telegram_html_entities(html)[0])
    except TelegramHTMLError:
        return 0


def too_long(html: str) -> list[Problem]:
    """A message longer than Telegram allows."""
    length = visible_length(html)
    if length <= TELEGRAM_LIMIT:
        return []
    return [
        Problem(
            f"the text is {length} characters long with sample values; one Telegram message holds {TELEGRAM_LIMIT}",
            "make it shorter",
        )
    ]


def _line_at(html: str, description: str) -> int:
    """The line an error is on: at its byte offset, or, for a tag never closed, where the tag opens."""
    offset = _BYTE_OFFSET.search(description)
    if offset is not None:
        prefix = html.encode("utf-8")[: int(offset.group(1))].decode("utf-8", errors="ignore")
        return prefix.count("\n") + 1
    unclosed = _UNCLOSED.search(description)
    if unclosed is not None:
        at = html.lower().rfind(f"<{unclosed.group(1)}")
        return html.count("\n", 0, at) + 1 if at >= 0 else 1
    return 1


def is_well_formed_url(url: str) -> bool:
    """A full web address (or a tg: or mailto: link), as Telegram needs in a link."""
    parts = urlsplit(url)
    if parts.scheme == "tg":
        return bool(parts.netloc or parts.path)
    if parts.scheme == "mailto":
        return "@" in parts.path
    host = parts.hostname or ""
    return parts.scheme in ("https", "http") and "." in host and not any(c.isspace() for c in url)


def markdown_link_problems(source: str) -> list[Problem]:
    """Links written as ``[text](address)`` that the bot could not turn into a link."""
    problems = []
    for match in _MARKDOWN_LINK.finditer(source):
        text, url = match.group(1).strip(), match.group(2)
        line = source.count("\n", 0, match.start()) + 1
        if not text:
            problems.append(
                Problem(f"link without text: {match.group(0)}", "write the words to click between [ ]", line)
            )
        elif not url.startswith(("https://", "http://")) or not is_well_formed_url(url):
            problems.append(
                Problem(
                    f"link address is not well-formed: {url or '(empty)'}",
                    "write a full address starting with https://, without spaces, e.g. [Amsterdam](https://www.amsterdam.nl)",
                    line,
                )
            )
    return problems


def paragraph_problems(html: str) -> list[Problem]:
    """A long message is split between paragraphs; one paragraph must fit in one message."""
    return [
        Problem(
            f"a paragraph is {len(paragraph)} characters long with sample values; one message holds {TELEGRAM_LIMIT}",
            "split it with an empty line into shorter paragraphs",
            html.count("\n", 0, html.find(paragraph)) + 1,
        )
        for paragraph in html.split("\n\n")
        if len(paragraph) > TELEGRAM_LIMIT
    ]
