"""Loading the content tree: the path file, long texts and short UI strings.

Layout (see ``content/README.md``)::

    content/journey.yaml
    content/<lang>/ui.yaml
    content/<lang>/items/<id>.md      (YAML front matter + light Markdown)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.texts.glossary import Glossary, GlossaryError, load_glossary
from bot.texts.journey import YAML_LOADER, Journey, JourneyError, load_journey
from bot.texts.markdown import markdown_to_html
from bot.texts.readmore import split_body, whole_body
from bot.texts.yaml_errors import describe


class ContentError(ValueError):
    """A content file cannot be read at all."""


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    title: str
    summary: str
    body: str
    """The body as written by the editor (light Markdown, Jinja)."""
    keywords: tuple[str, ...]
    variables: tuple[str, ...]
    status: str
    source_hash: str | None
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def html_template(self) -> str:
        """The whole body (the "Read more" marker left out) as a Telegram HTML template."""
        return markdown_to_html(whole_body(self.body))

    @property
    def short_template(self) -> str:
        """The part before the "Read more" marker (the whole body when there is none)."""
        return markdown_to_html(split_body(self.body)[0])

    @property
    def more_template(self) -> str:
        """The part after the "Read more" marker; empty when there is none."""
        rest = split_body(self.body)[1]
        return markdown_to_html(rest) if rest else ""

    @property
    def content_hash(self) -> str:
        """Fingerprint of the text a translation is made from."""
        return text_hash(self.title, self.summary, self.body)


def text_hash(title: str, summary: str, body: str) -> str:
    """The ``source_hash`` a translation records for a Dutch title, summary and body."""
    digest = hashlib.sha256(f"{title}\n{summary}\n{body.strip()}".encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Content:
    root: Path
    journey: Journey
    items: dict[str, dict[str, Item]]
    ui: dict[str, dict[str, str]]
    glossary: Glossary | None = None
    """``glossary.yaml``: the Dutch terms, explained per language (None: not loaded)."""

    def item(self, lang: str, item_id: str) -> Item | None:
        return self.items.get(lang, {}).get(item_id)

    def source_item(self, item_id: str) -> Item | None:
        return self.item(self.journey.source_language, item_id)

    def is_stale(self, item: Item) -> bool:
        """A translation made from a Dutch text that has changed since."""
        source = self.source_item(item.id)
        if item.lang == self.journey.source_language or source is None:
            return False
        return item.source_hash != source.content_hash


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise ContentError(f"{path}:1: the file must start with a front matter block between '---' lines")
    _, _, rest = text.partition("---")
    front, sep, body = rest.partition("\n---")
    if not sep:
        raise ContentError(f"{path}:1: the front matter block is not closed with '---'")
    try:
        meta = yaml.load(front, Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        line, problem = describe(exc)
        raise ContentError(f"{path}:{line}: front matter is not valid YAML: {problem}") from exc
    if not isinstance(meta, dict):
        raise ContentError(f"{path}:1: front matter must be 'field: value' lines")
    return meta, body.lstrip("-").lstrip("\n")


def load_item(path: Path, lang: str) -> Item:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    meta, body = split_front_matter(text, path)
    return Item(
        id=str(meta.get("id") or path.stem),
        lang=lang,
        title=str(meta.get("title") or ""),
        summary=str(meta.get("summary") or ""),
        body=body,
        keywords=tuple(str(k) for k in meta.get("keywords") or ()),
        variables=tuple(str(v) for v in meta.get("variables") or ()),
        status=str(meta.get("status") or "draft"),
        source_hash=str(meta["source_hash"]) if meta.get("source_hash") else None,
        path=path,
        meta=meta,
    )


def load_ui(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        line, problem = describe(exc)
        raise ContentError(f"{path}:{line}: not valid YAML: {problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: must be a list of 'key: text' lines")
    return {str(k): str(v) for k, v in raw.items() if v is not None}


def load_content(root: Path) -> Content:
    try:
        journey = load_journey(root / "journey.yaml")
    except JourneyError as exc:
        raise ContentError(str(exc)) from exc
    items: dict[str, dict[str, Item]] = {}
    ui: dict[str, dict[str, str]] = {}
    for lang in journey.languages:
        folder = root / lang
        items[lang] = {}
        for path in sorted((folder / "items").glob("*.md")):
            item = load_item(path, lang)
            items[lang][item.id] = item
        ui[lang] = load_ui(folder / "ui.yaml")
    try:
        glossary = load_glossary(root)
    except GlossaryError as exc:
        raise ContentError(str(exc)) from exc
    return Content(root=root, journey=journey, items=items, ui=ui, glossary=glossary)
