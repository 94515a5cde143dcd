"""The core's rich text made safe for the web page.

The core writes Telegram's HTML subset. The page shows only ``b i u s code pre
blockquote`` and links to http(s) addresses; every other tag, attribute and
link (``tg://``, ``javascript:``, ...) is shown as the text it is, escaped, so
nothing a person or an editor typed can run in the page. Line breaks stay
line breaks (the page shows messages with ``white-space: pre-wrap``).

Hand-written on the standard library's tokenizer: the rule is to *escape*
what is not allowed, where sanitising libraries (nh3, bleach) drop it.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "blockquote", "a"})
SAME_AS = {"strong": "b", "em": "i", "ins": "u", "strike": "s", "del": "s"}
"""Telegram's other names for the same markup."""
LINK_SCHEMES = frozenset({"http", "https"})


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def _allowed_link(self, attrs: list[tuple[str, str | None]]) -> str | None:
        values = dict(attrs)
        href = values.get("href") or ""
        if len(attrs) != 1 or urlsplit(href.strip()).scheme.lower() not in LINK_SCHEMES:
            return None
        return href.strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = SAME_AS.get(tag, tag)
        if name not in ALLOWED_TAGS:
            self.out.append(escape(self.get_starttag_text() or ""))
            return
        if name == "a":
            href = self._allowed_link(attrs)
            if href is None:
                self.out.append(escape(self.get_starttag_text() or ""))
                return
            self.out.append(f'<a href="{escape(href)}" rel="noopener noreferrer nofollow" target="_blank">')
        else:  # attributes (Telegram's <code class="language-x">) are dropped: the tag alone
            self.out.append(f"<{name}>")
        self.open.append(name)

    def handle_endtag(self, tag: str) -> None:
        name = SAME_AS.get(tag, tag)
        if name in self.open:
            # Close what was left open inside it, so the output is always well nested.
            while self.open:
                inner = self.open.pop()
                self.out.append(f"</{inner}>")
                if inner == name:
                    break
            return
        self.out.append(escape(f"</{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(escape(self.get_starttag_text() or ""))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(escape(f"<!--{data}-->", quote=False))

    def handle_decl(self, decl: str) -> None:
        self.out.append(escape(f"<!{decl}>", quote=False))

    def handle_pi(self, data: str) -> None:
        self.out.append(escape(f"<?{data}>", quote=False))

    def unknown_decl(self, data: str) -> None:
        self.out.append(escape(f"<![{data}]>", quote=False))

    def result(self) -> str:
        self.close()
        # Anything the tokenizer still held (a "<" with no end) is text too.
        tail = self.rawdata
        if tail:
            self.out.append(escape(tail, quote=False))
            self.rawdata = ""
        self.out.extend(f"</{name}>" for name in reversed(self.open))
        return "".join(self.out)


def safe_html(core_html: str) -> str:
    """The page's HTML for one message of the core (see the module's docstring)."""
    parser = _Sanitiser()
    parser.feed(core_html)
    return parser.result()
