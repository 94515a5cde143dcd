"""Translators' catalogs: gettext PO files for Poedit and Weblate, via Babel.

One catalog per language. In each entry ``msgctxt`` says where the text
lives (``item:<id>:<part>`` with part title, summary, body or keywords;
``ui:<key>`` for a short text), ``msgid`` is the Dutch source and ``msgstr``
the translation. Translations made from an older Dutch text are marked
fuzzy. On import, empty and fuzzy entries are left alone (gettext's rule: a
fuzzy entry still waits for the translator), and a catalog whose
placeholders or markup would break the bot is refused as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2 import TemplateSyntaxError

from bot.editors.checker import TITLE_LIMIT, field_line, key_lines
from bot.texts.content import Content, Item, text_hash
from bot.texts.glossary import Glossary
from bot.editors.ui_sources import load_sources, sources_path, stale_keys
from bot.editors.ui_sources import record as record_ui_sources
from bot.editors.editing import (
    set_body,
    set_front_matter_field,
    set_ui_text,
    write_item,
    yaml_scalar,
)
from bot.channels.telegram.markup import TELEGRAM_LIMIT
from bot.texts.markdown import markdown_to_html
from bot.texts.readmore import MORE_MARKER, marker_count, whole_body
from bot.editors.textcheck import (
    Problem,
    markdown_link_problems,
    paragraph_problems,
    placeholder_mismatch,
    placeholders,
    render_sample,
    telegram_html_problems,
    too_long,
)

ITEM_PARTS = ("title", "summary", "body", "keywords")
HASHED_PARTS = ("title", "summary", "body")
"""The parts a translation's ``source_hash`` covers."""
ONE_LINE_PARTS = ("title", "summary")
FUZZY = "fuzzy"
KEYWORD_SEPARATOR = re.compile(r"[,،፣]")
"""Comma, Arabic comma, Ethiopic comma."""

PART_NOTES = {
    "title": f"Title: the label of a button and the heading of the text. At most {TITLE_LIMIT} characters.",
    "summary": "Summary: one short sentence, shown with search results and reminders.",
    "body": (
        "Text: keep **bold**, [words](https://address) links and lines starting with '- ' as they are. "
        "An empty line separates paragraphs. Short sentences, plain words. "
        f"At most {TELEGRAM_LIMIT} characters per paragraph after the values are filled in."
    ),
    "keywords": (
        "Search words, separated by commas: the everyday words people type when they look for this. "
        "They need not match the Dutch words one by one; add synonyms."
    ),
}


class CatalogRefused(ValueError):
    """A catalog that would break the bot; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    changed: list[Path]
    notes: list[str] = field(default_factory=list)
    """Entries that were skipped, and why."""


# ------------------------------------------------------------------ export


def export_catalog(content: Content, lang: str) -> Catalog:
    journey = content.journey
    catalog = Catalog(
        locale=lang,
        project="Wegwijs",
        version=journey.gemeente,
        header_comment=f"# Wegwijs texts for translators: Dutch source, {lang} translation.\n"
        "# Fill in msgstr; keep {{ placeholders }}, <b>tags</b> and links exactly.\n"
        f"# Import with: wegwijs content import-po --lang {lang} <this file>",
        fuzzy=False,
    )
    source_items = content.items.get(journey.source_language, {})
    order = dict.fromkeys([*journey.referenced_items(), *sorted(source_items)])
    for item_id in order:
        source = source_items.get(item_id)
        if source is not None:
            _add_item(catalog, content, source, content.item(lang, item_id), lang)
    translations = content.ui.get(lang, {})
    ui_file = content.root / journey.source_language / "ui.yaml"
    lines = key_lines(ui_file.read_text(encoding="utf-8")) if ui_file.exists() else {}
    dutch = content.ui.get(journey.source_language, {})
    stale = stale_keys(dutch, translations, load_sources(content.root, lang))
    for key, text in journey.translatable_ui(dutch).items():
        location = (ui_file.relative_to(content.root).as_posix(), lines.get(key, [1])[0])
        notes = [*_ui_notes(text), *glossary_notes(content.glossary, text, lang)]
        _add(catalog, text, translations.get(key, ""), f"ui:{key}", location, notes, fuzzy=key in stale)
    return catalog


def _add_item(
    catalog: Catalog, content: Content, source: Item, translation: Item | None, translation_lang: str
) -> None:
    stale = translation is not None and content.is_stale(translation)
    critical = content.journey.is_critical(source.id)
    file_text = source.path.read_text(encoding="utf-8")
    location_file = source.path.relative_to(content.root).as_posix()
    for part in ITEM_PARTS:
        msgid = _part(source, part)
        if not msgid:
            continue
        msgstr = _part(translation, part) if translation is not None else ""
        if part == "body":
            line = file_text.count("\n", 0, len(file_text) - len(source.body)) + 1
            notes = [PART_NOTES[part], _placeholder_note(source.variables)]
            if marker_count(msgid):
                notes.append(f"Keep the line {MORE_MARKER} where it is: the part above it is sent first, with a 'Read more' button.")
        else:
            line = field_line(file_text, part)
            notes = [PART_NOTES[part]]
        if critical:
            notes.append("Critical: this text has consequences for the reader (money, appointments, documents).")
        notes += glossary_notes(content.glossary, msgid, translation_lang)
        fuzzy = stale and part in HASHED_PARTS and bool(msgstr)
        _add(catalog, msgid, msgstr, f"item:{source.id}:{part}", (location_file, line), notes, fuzzy)


def _add(
    catalog: Catalog,
    msgid: str,
    msgstr: str,
    context: str,
    location: tuple[str, int],
    notes: Iterable[str],
    fuzzy: bool,
) -> None:
    message = catalog.add(
        msgid, msgstr, locations=[location], flags=[FUZZY] if fuzzy else [], auto_comments=list(notes), context=context
    )
    message.flags.discard("python-format")  # Babel's guess from a '%' in the text; ours are {{ }}


def glossary_notes(glossary: Glossary | None, dutch: str, lang: str) -> list[str]:
    """The glossary entry of every term a Dutch text uses, for the translator into ``lang``."""
    if glossary is None:
        return []
    notes = []
    for term in glossary.used_in(dutch):
        entry, dutch_entry = term.entry(lang), term.entry("nl")
        explained = entry.explain if entry is not None else (dutch_entry.explain if dutch_entry else "")
        said = f" People say: {', '.join(entry.say)}." if entry is not None and entry.say else ""
        notes.append(f"Glossary: {term.term}: {explained} Keep the Dutch word '{term.term}'.{said}")
    return notes


def _part(item: Item, part: str) -> str:
    if part == "keywords":
        return ", ".join(item.keywords)
    return str(getattr(item, part)).strip()


def _placeholder_note(names: Iterable[str]) -> str:
    names = sorted(names)
    if not names:
        return "No placeholders."
    listed = ", ".join(f"{{{{ {n} }}}}" for n in names)
    return f"Placeholders: {listed}. Copy them exactly, with their filters; do not translate the names."


def _ui_notes(text: str) -> list[str]:
    notes = ["Short text: a button, question or message."]
    if "<" in text or "&" in text:
        notes.append("Telegram HTML: keep tags such as <b>…</b> exactly; write & as &amp;.")
    try:
        notes.append(_placeholder_note(placeholders(text)))
    except TemplateSyntaxError:  # a broken Dutch text is the check's business, not the catalog's
        pass
    return notes


def write_catalog(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as file:
        write_po(file, catalog, width=0)


# ------------------------------------------------------------------ import


@dataclass(frozen=True)
class _Entry:
    context: str
    source: str
    text: str
    lineno: int


def import_catalog(content: Content, lang: str, po_path: Path) -> ImportResult:
    """Write the translated, confirmed entries of a catalog into ``content/<lang>/``."""
    journey = content.journey
    if lang == journey.source_language or lang not in journey.languages:
        raise CatalogRefused([f"{lang} is not a language to translate into (see 'languages:' in journey.yaml)"])
    with po_path.open("rb") as file:
        catalog = read_po(file, ignore_obsolete=True)
    if catalog.locale_identifier and catalog.locale_identifier.split("_")[0] != lang:
        raise CatalogRefused([f"{po_path.name} is a catalog for {catalog.locale_identifier}, not for {lang}"])
    entries, notes = _confirmed_entries(content, catalog, po_path.name)
    problems = [problem for entry in entries for problem in _problems(content, lang, entry, po_path.name)]
    if problems:
        raise CatalogRefused(problems)
    items: dict[str, dict[str, _Entry]] = {}
    ui: dict[str, str] = {}
    ui_made_from: dict[str, str] = {}
    for entry in entries:
        kind, _, rest = entry.context.partition(":")
        if kind == "ui":
            ui[rest] = entry.text
            ui_made_from[rest] = entry.source
        else:
            item_id, _, part = rest.rpartition(":")
            items.setdefault(item_id, {})[part] = entry
    changed = [path for item_id, parts in items.items() if (path := _apply_item(content, lang, item_id, parts, notes))]
    if _apply_ui(content, lang, ui):
        changed.append(content.root / lang / "ui.yaml")
    if record_ui_sources(content.root, lang, ui_made_from):
        changed.append(sources_path(content.root, lang))
    return ImportResult(changed=changed, notes=notes)


def _confirmed_entries(content: Content, catalog: Catalog, name: str) -> tuple[list[_Entry], list[str]]:
    """Entries with a translation the translator confirmed, for texts that still exist."""
    source_items = content.items.get(content.journey.source_language, {})
    source_ui = content.ui.get(content.journey.source_language, {})
    entries, notes = [], []
    for message in catalog:
        if not message.id or not message.string or FUZZY in message.flags:
            continue
        context = message.context or ""
        where = f"{name}:{message.lineno}: {context}"
        kind, _, rest = context.partition(":")
        item_id, _, part = rest.rpartition(":")
        known = (kind == "ui" and rest in source_ui) or (
            kind == "item" and item_id in source_items and part in ITEM_PARTS
        )
        if not known:
            notes.append(f"{where}: skipped: no such text any more")
            continue
        entries.append(_Entry(context, _text(message.id), _text(message.string), message.lineno or 0))
    return entries, notes


def _text(value: str | tuple[str, ...]) -> str:
    return value if isinstance(value, str) else value[0]


def _problems(content: Content, lang: str, entry: _Entry, name: str) -> list[str]:
    locale = content.journey.locale(lang)
    kind, _, rest = entry.context.partition(":")
    part = rest.rpartition(":")[2] if kind == "item" else "ui"
    if part == "keywords":
        return []
    found: list[Problem] = []
    if part in ONE_LINE_PARTS and "\n" in entry.text.strip():
        found.append(Problem(f"the {part} must be one line", "remove the line breaks"))
    if part == "title" and len(entry.text.strip()) > TITLE_LIMIT:
        found.append(Problem(f"the title is longer than {TITLE_LIMIT} characters", "shorten it"))
    mismatch = placeholder_mismatch(entry.text, entry.source).problems
    found += mismatch
    if not mismatch and part in ("body", "ui"):
        # A body is checked as the whole text the bot can send: the "Read more" line is no markup.
        template = markdown_to_html(whole_body(entry.text)) if part == "body" else entry.text
        rendered, render_problems = render_sample(template, locale, placeholders(entry.text))
        found += render_problems
        if part == "body":
            found += markdown_link_problems(entry.text)
        if rendered is not None:
            found += telegram_html_problems(rendered)
            found += paragraph_problems(rendered) if part == "body" else too_long(rendered)
    return [f"{name}:{entry.lineno}: {entry.context}: {p.message}\n    how to fix: {p.fix}" for p in found]


def _keywords(text: str) -> list[str]:
    return [word.strip() for word in KEYWORD_SEPARATOR.split(text) if word.strip()]


def _apply_item(content: Content, lang: str, item_id: str, parts: dict[str, _Entry], notes: list[str]) -> Path | None:
    """Write one text's confirmed parts; returns its file if it changed."""
    source = content.source_item(item_id)
    translation = content.item(lang, item_id)
    confirmed = all(part in parts for part in HASHED_PARTS)
    made_from = text_hash(*(parts[p].source for p in HASHED_PARTS)) if confirmed else None
    if translation is None:
        if not confirmed:
            notes.append(f"item:{item_id}: skipped: a new translation needs its title, summary and text")
            return None
        path = content.root / lang / "items" / f"{item_id}.md"
        fields: dict[str, object] = {
            "id": item_id,
            "title": parts["title"].text.strip(),
            "summary": parts["summary"].text.strip(),
            "keywords": _keywords(parts["keywords"].text) if "keywords" in parts else [],
            "variables": list(source.variables),
            "status": "draft",
            "source_hash": made_from,
        }
        fields.update({k: source.meta[k] for k in ("step", "critical") if k in source.meta})
        write_item(path, fields, parts["body"].text)
        return path
    path = translation.path
    changed = False
    for part in ONE_LINE_PARTS:
        if part in parts and parts[part].text.strip() != getattr(translation, part):
            set_front_matter_field(path, part, yaml_scalar(parts[part].text.strip()))
            changed = True
    if "keywords" in parts and tuple(_keywords(parts["keywords"].text)) != translation.keywords:
        set_front_matter_field(path, "keywords", yaml_scalar(_keywords(parts["keywords"].text)))
        changed = True
    if "body" in parts and parts["body"].text.strip() != translation.body.strip():
        set_body(path, parts["body"].text)
        changed = True
    if made_from is not None and made_from != translation.source_hash:
        set_front_matter_field(path, "source_hash", yaml_scalar(made_from))
        changed = True
    if changed and translation.status != "draft":
        set_front_matter_field(path, "status", "draft")  # only a reviewer sets 'reviewed'
    return path if changed else None


def _apply_ui(content: Content, lang: str, texts: dict[str, str]) -> bool:
    path = content.root / lang / "ui.yaml"
    current = content.ui.get(lang, {})
    changed = {key: text for key, text in texts.items() if current.get(key) != text}
    for key, text in changed.items():
        set_ui_text(path, key, text)
    return bool(changed)
