"""Rendering content into Telegram HTML for one reader.

Every text is a Jinja2 template run in a sandbox (editors write them, so they
must not reach Python internals) with autoescaping on (every value a user gave
is escaped). Babel filters format dates, times and numbers for the reader's
locale. A missing text falls back along the path file's chain (user's
language, English, Dutch); a raw key never reaches a user.
"""

from __future__ import annotations

import functools

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

from bot.texts.bidi import right_to_left, right_to_left_plain
from bot.core.config import TIMEZONE
from bot.texts.content import Content
from bot.texts.periods import Period

if TYPE_CHECKING:  # Jinja2 is imported when the first text is rendered, not at start (about 25 ms)
    from jinja2 import Template
    from jinja2.runtime import Context
    from jinja2.sandbox import SandboxedEnvironment

log = logging.getLogger(__name__)

GENERIC_ERROR_KEY = "errors.generic"


def _moment(value: Any) -> datetime | date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(TIMEZONE)
    return value


def _date(ctx: Context, value: Any, fmt: str = "full") -> str:
    return format_date(_moment(value), fmt, locale=ctx["_locale"])


CLOCK_SKELETON = "Hm"
"""Hours 0-23 and minutes: letters in Dutch say 14:30, so every language shows the 24-hour clock
(CLDR's short time for ar_SY and ti_ER is 12-hour with a day-half word)."""


def clock(moment: datetime, locale: str) -> str:
    """A time of day on the 24-hour clock, in the locale's own pattern (13:45)."""
    return format_skeleton(CLOCK_SKELETON, moment, locale=locale)


def _time(ctx: Context, value: Any, fmt: str = "short") -> str:
    moment = _moment(value)
    if fmt == "short" and isinstance(moment, datetime):
        return clock(moment, ctx["_locale"])
    return format_time(moment, fmt, locale=ctx["_locale"])


def _datetime(ctx: Context, value: Any) -> str:
    locale = ctx["_locale"]
    moment = _moment(value)
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    return pattern.replace("{1}", format_date(moment, "full", locale=locale)).replace(
        "{0}", clock(moment, locale) if isinstance(moment, datetime) else format_time(moment, "short", locale=locale)
    )


def _number(ctx: Context, value: Any) -> str:
    return format_decimal(value, locale=ctx["_locale"])


def _money(ctx: Context, value: Any) -> str:
    return format_currency(value, "EUR", locale=ctx["_locale"])


def _duration(ctx: Context, value: Any) -> str:
    """A period (``Period`` or text such as ``30d``) in words: "30 dagen", "1 jaar"."""
    period = value if isinstance(value, Period) else Period.parse(value)
    return period.spelled(ctx["_locale"])


def make_environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined, pass_context
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
    filters = {"date": _date, "time": _time, "datetime": _datetime, "number": _number, "money": _money, "duration": _duration}
    env.filters.update({name: pass_context(function) for name, function in filters.items()})  # each reads the locale
    return env


@dataclass(frozen=True)
class RenderedItem:
    id: str
    lang: str
    """The language the text was found in (after fallback)."""
    title: str
    """Plain text, for buttons."""
    html: str
    """Title in bold and the body, as Telegram HTML."""
    body: str
    summary: str


@dataclass(frozen=True)
class ItemParts:
    """An item for sending: the short part first, the rest behind a "Read more" button."""

    whole: RenderedItem
    short: str
    """Title in bold and the part before the marker (the whole body when there is none), as Telegram HTML."""
    more: str
    """The part after the marker as Telegram HTML; empty when the item has none."""


@functools.cache
def is_right_to_left(locale: str) -> bool:
    """Whether a locale writes right-to-left (CLDR's character order: ar, fa, ...).

    Asked when a language is first rendered, not when content is loaded:
    reading a locale's CLDR data takes about 8 ms, on the bot's start path
    five times over.
    """
    try:
        return Locale.parse(locale).character_order == "right-to-left"
    except (ValueError, TypeError):
        return False


class Renderer:
    """Renders UI strings and items from one loaded ``Content``."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.journey = content.journey
        self._cache: dict[tuple[str, str, str], Template] = {}

    @functools.cached_property
    def env(self) -> SandboxedEnvironment:
        """Made when the first text is rendered, so that a start does without it."""
        return make_environment()

    def _right_to_left(self, lang: str) -> bool:
        return lang in self.journey.languages and is_right_to_left(self.journey.locale(lang))

    def directed(self, lang: str, markup: str) -> str:
        """Telegram HTML in ``lang`` with the direction marks it needs (see ``bot.texts.bidi``)."""
        return right_to_left(markup) if self._right_to_left(lang) else markup

    def directed_plain(self, lang: str, text: str) -> str:
        """Plain text (a button label, a title) in ``lang`` with the direction marks it needs."""
        return right_to_left_plain(text) if self._right_to_left(lang) else text

    def _template(self, kind: str, lang: str, key: str, source: str) -> Template:
        cache_key = (kind, lang, key)
        if cache_key not in self._cache:
            self._cache[cache_key] = self.env.from_string(source)
        return self._cache[cache_key]

    def _render(self, kind: str, lang: str, key: str, source: str, values: dict[str, Any]) -> str | None:
        from jinja2 import TemplateError

        try:
            template = self._template(kind, lang, key, source)
            return template.render(_locale=self.journey.locale(lang), **values).strip()
        except (TemplateError, ValueError, TypeError) as exc:
            log.error("cannot render %s %r in %s: %s", kind, key, lang, exc)
            return None

    def ui(self, lang: str, key: str, **values: Any) -> str:
        """A short text as Telegram HTML, in the first language that has it."""
        for candidate in self.journey.fallback_chain(lang):
            source = self.content.ui.get(candidate, {}).get(key)
            if source is None:
                continue
            rendered = self._render("ui", candidate, key, source, values)
            if rendered is not None:
                return self.directed(candidate, rendered)
        log.error("ui text %r missing in every language", key)
        if key == GENERIC_ERROR_KEY:
            return "…"
        return self.ui(lang, GENERIC_ERROR_KEY)

    def button(self, lang: str, key: str, **values: Any) -> str:
        """A short text as plain text, for a button label."""
        return html.unescape(self.ui(lang, key, **values))

    def item(self, lang: str, item_id: str, **values: Any) -> RenderedItem | None:
        for candidate in self.journey.fallback_chain(lang):
            item = self.content.item(candidate, item_id)
            if item is None:
                continue
            body = self._render("item", candidate, item_id, item.html_template, values)
            if body is None:
                continue
            title = html.escape(item.title, quote=False)
            return RenderedItem(
                id=item_id,
                lang=candidate,
                title=self.directed_plain(candidate, item.title),
                html=self.directed(candidate, f"<b>{title}</b>\n\n{body}"),
                body=self.directed(candidate, body),
                summary=self.directed_plain(candidate, item.summary),
            )
        log.error("item %r missing in every language", item_id)
        return None

    def item_parts(self, lang: str, item_id: str, **values: Any) -> ItemParts | None:
        """An item split at its "Read more" marker, in the first language that has it.

        ``short`` is the whole text when the item has no marker; ``more`` is then empty.
        """
        whole = self.item(lang, item_id, **values)
        if whole is None:
            return None
        item = self.content.item(whole.lang, item_id)
        if item is None or not item.more_template:
            return ItemParts(whole=whole, short=whole.html, more="")
        short = self._render("item.short", whole.lang, item_id, item.short_template, values)
        more = self._render("item.more", whole.lang, item_id, item.more_template, values)
        if short is None or more is None:
            return ItemParts(whole=whole, short=whole.html, more="")
        title = html.escape(whole.title, quote=False)
        return ItemParts(
            whole=whole,
            short=self.directed(whole.lang, f"<b>{title}</b>\n\n{short}"),
            more=self.directed(whole.lang, more),
        )

    def title(self, lang: str, item_id: str) -> str:
        for candidate in self.journey.fallback_chain(lang):
            item = self.content.item(candidate, item_id)
            if item is not None and item.title:
                return self.directed_plain(candidate, item.title)
        log.error("item %r has no title in any language", item_id)
        return self.button(lang, "item.untitled")
