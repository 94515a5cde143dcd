"""``wegwijs content preview``: one static HTML page to review every text.

Every item of every step, every topic and every other text, in every
language, drawn as the bot's chat message with its buttons, built with the
bot's own screens and renderer. Each message carries ``lang`` and ``dir``
(right-to-left from the CLDR data of the language). Marks show what an
editor must look at: missing (and which language is shown instead), stale,
draft, reviewed, a recording. The page needs no server and no internet.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.core.channel import Keyboard
from bot.screens import views
from bot.editors.checker import allowed_fallbacks
from bot.texts.content import Content
from bot.channels.telegram.telegram_html import (
    TelegramHTMLError,
    parse_telegram_html_entities,
    utf16_len,
)
from bot.screens.messaging import Screen
from bot.texts.render import Renderer
from bot.editors.textcheck import is_well_formed_url
from bot.people.users import User

_TAGS = {
    "bold": ("b", ""),
    "italic": ("i", ""),
    "underline": ("u", ""),
    "strikethrough": ("s", ""),
    "code": ("code", ""),
    "pre": ("pre", ""),
    "blockquote": ("blockquote", ""),
    "expandable_blockquote": ("blockquote", ""),
    "spoiler": ("span", ' class="spoiler"'),
    "text_link": ("a", ""),
}
PRIVACY_ITEM = "privacy"
"""Shown by the bot with its own screen (accept or decline)."""
STYLE = """
body { font-family: system-ui, sans-serif; background: #eef1f5; margin: 0; padding: 1rem 2rem; color: #1b1f24; }
h1 { margin-top: 0; } h2 { border-bottom: 2px solid #9aa7b8; padding-top: 1rem; }
nav a { margin-right: 1em; }
.legend span { margin-right: 1em; }
.item { margin: 1rem 0 2rem; }
.item h3 { font-family: ui-monospace, monospace; font-size: 1rem; }
.chats { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1rem; }
.chat { background: #c8d7c0; border-radius: 12px; padding: .6rem; margin: 0; }
.chat figcaption { font-size: .8rem; margin-bottom: .4rem; direction: ltr; text-align: left; }
.message { background: #fff; border-radius: 10px; padding: .5rem .7rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.message + .message { margin-top: .4rem; }
.keyboard { margin-top: .3rem; }
.row { display: flex; gap: .3rem; margin-top: .3rem; }
.button { flex: 1; background: rgba(255,255,255,.75); border-radius: 8px; text-align: center; padding: .35rem; font-size: .9rem; }
.voice { margin-top: .3rem; font-size: .85rem; background: #fff; border-radius: 10px; padding: .3rem .7rem; }
details { margin-top: .4rem; font-size: .85rem; }
.mark { border-radius: 4px; padding: 0 .3em; margin-left: .3em; font-weight: bold; }
.mark.missing, .mark.broken { background: #d93025; color: #fff; }
.mark.stale { background: #f29900; color: #fff; }
.mark.draft { background: #5f6368; color: #fff; }
.mark.reviewed { background: #188038; color: #fff; }
.mark.fallback { background: #1a73e8; color: #fff; }
.mark.critical { background: #a142f4; color: #fff; }
.spoiler { background: #9aa7b8; }
:lang(ar) { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Geeza Pro", "Segoe UI", serif; }
:lang(fa) { font-family: "Vazirmatn", "Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", serif; }
:lang(ti) { font-family: "Noto Sans Ethiopic", "Abyssinica SIL", "Nyala", "Kefa", sans-serif; }
table { border-collapse: collapse; background: #fff; }
td, th { border: 1px solid #ccd; padding: .3rem .5rem; vertical-align: top; }
"""


def text_direction(lang: str) -> str:
    """``rtl`` or ``ltr``, from the language's CLDR data."""
    try:
        return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def chat_html(telegram_html: str) -> str:
    """Telegram HTML redrawn from what Telegram parses out of it: its formatting and nothing else.

    Raises ``TelegramHTMLError`` for text Telegram would refuse.
    """
    text, entities = parse_telegram_html_entities(telegram_html)
    opening: dict[int, list[dict]] = {}
    for entity in entities:  # sorted by offset, longest first: properly nested
        opening.setdefault(entity["offset"], []).append(entity)
    out: list[str] = []
    open_ends: list[tuple[int, str]] = []
    position = 0  # in UTF-16 units, like the offsets
    for char in [*text, ""]:
        while open_ends and open_ends[-1][0] == position:
            out.append(f"</{open_ends.pop()[1]}>")
        for entity in opening.get(position, []):
            tag, attributes = _TAGS.get(entity["type"], ("span", ""))
            if tag == "a":
                url = entity.get("url", "")
                tag, attributes = ("a", f' href="{_e(url)}"') if is_well_formed_url(url) else ("u", "")
            out.append(f"<{tag}{attributes}>")
            open_ends.append((position + entity["length"], tag))
        out.append(_e(char))
        position += utf16_len(char)
    return "".join(out)


def render_preview(content: Content) -> str:
    renderer = Renderer(content)
    journey = content.journey
    source = journey.source_language
    sections = [
        (f"step-{step.id}", f"{step.number}. {renderer.title(source, step.overview)}", [r.id for r in step.items])
        for step in journey.steps
    ]
    sections.append(("topics", "Topics", list(journey.topics)))
    referenced = set(journey.referenced_items())
    sections.append(("other", "Other texts", [i for i in content.items.get(source, {}) if i not in referenced]))
    page = _Page(content, renderer)
    body = "\n".join(page.section(anchor, heading, item_ids) for anchor, heading, item_ids in sections)
    nav = " ".join(f'<a href="#{anchor}">{_e(heading)}</a>' for anchor, heading, _ in sections)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wegwijs content preview – {_e(journey.gemeente)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Wegwijs content preview – {_e(journey.gemeente)}</h1>
<p>Made {stamp} from <code>{_e(str(content.root))}</code>. Languages: {_e(", ".join(journey.languages))}.</p>
<p class="legend"><span class="mark missing">missing</span>no translation: readers get another language
<span class="mark stale">stale</span>the Dutch text changed after translation
<span class="mark draft">draft</span><span class="mark reviewed">reviewed</span>
<span class="mark broken">broken</span>Telegram would refuse it: run <code>wegwijs content check</code></p>
<nav>{nav} <a href="#ui">Short texts</a></nav>
{body}
{page.ui_table()}
</body>
</html>
"""


class _Page:
    def __init__(self, content: Content, renderer: Renderer) -> None:
        self.content = content
        self.r = renderer
        self.journey = content.journey
        self.allowed = allowed_fallbacks(content.journey)

    def screen(self, lang: str, item_id: str) -> Screen:
        """The screen the bot sends when this item is shown, as in the bot."""
        step = self.journey.item_step(item_id)
        if item_id == PRIVACY_ITEM:
            return views.privacy_screen(self.r, lang, accepted=False)
        if step is not None and step.overview == item_id:
            reader = User(
                id=0,
                lang=lang,
                privacy_accepted_at="",
                step=step.id,
                bilingual=False,
                start_code=None,
                confirm_token=None,
                active=True,
            )
            return views.where_screen(self.r, reader)
        return views.item_screen(self.r, lang, item_id)

    def section(self, anchor: str, heading: str, item_ids: list[str]) -> str:
        items = "\n".join(self.item(item_id) for item_id in item_ids)
        return f'<section id="{_e(anchor)}">\n<h2>{_e(heading)}</h2>\n{items}\n</section>'

    def item(self, item_id: str) -> str:
        critical = ' <span class="mark critical">critical</span>' if self.journey.is_critical(item_id) else ""
        chats = "\n".join(self.chat(lang, item_id) for lang in self.journey.languages)
        return (
            f'<article class="item" id="item-{_e(item_id)}" data-item="{_e(item_id)}">\n'
            f'<h3>{_e(item_id)}{critical}</h3>\n<div class="chats">\n{chats}\n</div>\n</article>'
        )

    def marks(self, lang: str, item_id: str) -> str:
        item = self.content.item(lang, item_id)
        if item is None:
            rendered = self.r.item(lang, item_id)
            shown = rendered.lang if rendered else "none"
            allowed = " (allowed)" if item_id in self.allowed.get(lang, ()) else ""
            return (
                f'<span class="mark missing">missing{allowed}</span><span class="mark fallback">shown in {shown}</span>'
            )
        marks = f'<span class="mark {_e(item.status)}">{_e(item.status)}</span>'
        if self.content.is_stale(item):
            marks += '<span class="mark stale">stale</span>'
        return marks

    def chat(self, lang: str, item_id: str) -> str:
        direction = text_direction(lang)
        screen = self.screen(lang, item_id)
        name = self.r.button(lang, "language.name")
        own = screen.text(lang)
        message = self.message(own, lang, direction)
        voice = screen.voice
        voice_note = f'<div class="voice" lang="en" dir="ltr">🔊 voice message: {_e(voice.name)}</div>' if voice else ""
        bilingual = ""
        source = self.journey.source_language
        if lang != source and screen.bilingual:  # as bot.messaging.compose: own text, the label, then Dutch
            own_and_label = f"{own}\n\n{self.r.ui(lang, 'bilingual.dutch_label')}"
            bilingual = (
                "<details><summary>bilingual view</summary>"
                f"{self.message(own_and_label, lang, direction)}"
                f"{self.message(screen.text(source), source, text_direction(source))}</details>"
            )
        return (
            f'<figure class="chat" data-lang="{_e(lang)}">\n'
            f"<figcaption>{_e(name)} · {_e(lang)} {self.marks(lang, item_id)}</figcaption>\n"
            f"{message}{self.keyboard(screen.keyboard, lang, direction)}{voice_note}{bilingual}\n</figure>"
        )

    def message(self, telegram_html: str, lang: str, direction: str) -> str:
        """A chat bubble: the text as Telegram would show it, or the raw text marked broken."""
        try:
            inner = chat_html(telegram_html)
        except TelegramHTMLError as exc:
            inner = f'<span class="mark broken">broken: {_e(exc.description)}</span>\n{_e(telegram_html)}'
        return f'<div class="message" lang="{_e(lang)}" dir="{direction}">{inner}</div>'

    def keyboard(self, keyboard: Keyboard, lang: str, direction: str) -> str:
        if not keyboard:
            return ""
        rows = "".join(
            '<div class="row">' + "".join(f'<span class="button">{_e(b.label)}</span>' for b in row) + "</div>"
            for row in keyboard
        )
        return f'<div class="keyboard" lang="{_e(lang)}" dir="{direction}">{rows}</div>'

    def ui_table(self) -> str:
        languages = self.journey.languages
        source = self.content.ui.get(self.journey.source_language, {})
        head = "".join(f"<th>{_e(lang)}</th>" for lang in languages)
        rows = []
        for key in source:
            cells = []
            for lang in languages:
                text = self.content.ui.get(lang, {}).get(key)
                direction = text_direction(lang)
                if text is None:
                    cells.append('<td><span class="mark missing">missing</span></td>')
                else:
                    cells.append(f'<td lang="{_e(lang)}" dir="{direction}">{_e(text)}</td>')
            rows.append(f"<tr><th>{_e(key)}</th>{''.join(cells)}</tr>")
        return (
            f'<section id="ui"><h2>Short texts</h2>\n<table><tr><th>key</th>{head}</tr>\n'
            + "\n".join(rows)
            + "</table></section>"
        )


def write_preview(content: Content, path: Path) -> None:
    path.write_text(render_preview(content), encoding="utf-8")
