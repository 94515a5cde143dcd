"""``wegwijs content preview``: one HTML file with every item in every language, as in the chat."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.texts.content import load_content
from bot.editors.preview import render_preview
from bot.texts.render import Renderer
from bot.texts.unchecked import needs_original
from tests.content_fixture import fixture_content
from tests.oggopus import silent_ogg_opus

DIRECTIONS = {"nl": "ltr", "en": "ltr", "ar": "rtl", "fa": "rtl", "ti": "ltr"}


@dataclass
class Chat:
    item: str
    lang: str
    caption: str = ""
    messages: list[tuple[str, str, str]] = field(default_factory=list)
    """(lang, dir, text) of each chat bubble, the bilingual view included."""
    buttons: list[str] = field(default_factory=list)


class ChatCollector(HTMLParser):
    """Collects, per item and language, what the preview draws: caption, bubbles, buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.chats: dict[tuple[str, str], Chat] = {}
        self.resources: list[str] = []
        self.item = ""
        self.chat: Chat | None = None
        self.open: list[str] = []
        self.capture: tuple[str, str | None, str | None, int] | None = None
        """(kind, lang, dir, depth) of the element whose text is being read."""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.open.append(tag)
        if tag in ("script", "link", "img", "iframe") and (a.get("src") or a.get("href")):
            self.resources.append(a.get("src") or a.get("href") or "")
        classes = (a.get("class") or "").split()
        if tag == "article":
            self.item = a["data-item"] or ""
        elif tag == "figure":
            self.chat = self.chats.setdefault((self.item, a["data-lang"]), Chat(self.item, a["data-lang"] or ""))
        elif self.chat is not None and self.capture is None:
            kind = next((k for k in ("message", "button") if k in classes), "caption" if tag == "figcaption" else None)
            if kind is not None:
                self.capture, self.text = (kind, a.get("lang"), a.get("dir"), len(self.open)), []

    def handle_endtag(self, tag: str) -> None:
        if self.capture is not None and self.chat is not None and self.capture[3] == len(self.open):
            kind, lang, direction, _ = self.capture
            text = "".join(self.text)
            if kind == "message":
                self.chat.messages.append((lang or "", direction or "", text))
            elif kind == "button":
                self.chat.buttons.append(text)
            else:
                self.chat.caption = text
            self.capture = None
        if tag == "figure":
            self.chat = None
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.capture is not None:
            self.text.append(data)


@pytest.fixture
def chats(tmp_path: Path) -> ChatCollector:
    root = fixture_content(tmp_path)
    collector = ChatCollector()
    collector.feed(render_preview(load_content(root)))
    return collector


def test_every_item_in_every_language_with_its_direction(chats: ChatCollector, tmp_path: Path) -> None:
    content = load_content(tmp_path / "content")
    items = content.items["nl"]
    assert set(chats.chats) == {(item, lang) for item in items for lang in DIRECTIONS}
    for (item_id, lang), chat in chats.chats.items():
        own = chat.messages[0]
        assert own[:2] == (lang, DIRECTIONS[lang]), (item_id, lang)
        title = content.item(lang, item_id).title if content.item(lang, item_id) else content.item("en", item_id).title
        assert title in own[2]
        assert chat.buttons, f"{item_id}/{lang} has no buttons"
        if lang != "nl" and not needs_original(Renderer(content), lang, item_id):
            # the bilingual view: own language, then Dutch left-to-right (an unchecked
            # critical translation has the Dutch original in the message itself)
            assert chat.messages[1][:2] == (lang, DIRECTIONS[lang])
            assert chat.messages[2][:2] == ("nl", "ltr")
            assert content.item("nl", item_id).title in chat.messages[2][2]


def test_the_page_stands_alone(chats: ChatCollector) -> None:
    assert chats.resources == []


def test_marks_and_buttons(chats: ChatCollector) -> None:
    caption = {key: chat.caption for key, chat in chats.chats.items()}
    assert "stale" in caption[("woning", "ar")] and "draft" in caption[("woning", "ar")]
    assert "reviewed" in caption[("stap-aankomst", "ar")] and "stale" not in caption[("stap-aankomst", "ar")]
    assert "missing (allowed)" in caption[("uitkering", "ti")] and "shown in en" in caption[("uitkering", "ti")]
    assert caption[("woning", "ti")].startswith("ትግርኛ · ti")
    step_card = chats.chats[("stap-aankomst", "ar")]
    assert step_card.buttons[0] == "سكنكم"  # the step's critical item, as a button
    assert "☰ القائمة" in step_card.buttons
    privacy = chats.chats[("privacy", "fa")]
    assert privacy.buttons == ["موافقم", "موافق نیستم"]


def test_a_recording_is_shown(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    (root / "ar/audio").mkdir()
    (root / "ar/audio/woning.ogg").write_bytes(silent_ogg_opus())
    page = render_preview(load_content(root))
    assert page.count("voice message: woning.ogg") == 1


def test_cli_writes_one_file(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    out = tmp_path / "preview.html"
    assert main(["content", "preview", "--content", str(root), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_only_telegrams_formatting_reaches_the_page(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    path = root / "en/items/digid.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("With DigiD", '<b onmouseover="alert(1)">With</b> DigiD'),
        encoding="utf-8",
    )
    page = render_preview(load_content(root))
    assert "<b>With</b> DigiD" in page and "onmouseover" not in page
