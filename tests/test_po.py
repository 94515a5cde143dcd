"""The translators' round trip: export a PO catalog, translate in it, import it back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.editors.checker import check_content
from bot.cli.main import main
from bot.texts.content import load_content
from bot.texts.render import Renderer
from tests.content_fixture import fixture_content, onboard
from tests.harness import bot_under_test


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return fixture_content(tmp_path)


def export(root: Path, lang: str, tmp_path: Path) -> Path:
    po = tmp_path / f"{lang}.po"
    assert main(["content", "export-po", "--content", str(root), "--lang", lang, "-o", str(po)]) == 0
    return po


def read(po: Path) -> Catalog:
    with po.open("rb") as file:
        return read_po(file)


def write(catalog: Catalog, po: Path) -> None:
    with po.open("wb") as file:
        write_po(file, catalog)


def notes(message: Message) -> str:
    """The notes for translators, as one text (Babel wraps long ones over several lines)."""
    return " ".join(message.auto_comments)


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def test_export_gives_context_source_translation_notes_and_fuzzy(root: Path, tmp_path: Path) -> None:
    exported = export(root, "ar", tmp_path)
    catalog = read(exported)
    assert str(catalog.locale) == "ar"
    title = catalog.get("Uw woning", context="item:woning:title")
    assert title.string == "سكنكم"
    assert title.fuzzy  # the Dutch text changed after the Arabic was made
    assert "At most 60 characters" in notes(title)
    assert title.locations == [("nl/items/woning.md", 3)]
    body = catalog.get(load_content(root).source_item("uitkering").body.strip(), context="item:uitkering:body")
    assert body.string.startswith("**تحصلون على مساعدة مالية") and not body.fuzzy
    assert "Critical" in notes(body)
    assert catalog.get("uitkering, geld, bijstand", context="item:uitkering:keywords").string == "مساعدة, مال"
    button = catalog.get("{{ n }}. {{ title }}", context="ui:step.button")
    assert button.string == "{{ n }}. {{ title }}"
    assert "Placeholders: {{ n }}, {{ title }}. Copy them exactly" in notes(button)
    assert catalog.get("Wat wilt u doen?", context="ui:menu.header").string == ""
    # Not written to the file. (Babel guesses the flag again on reading a text with "{% if": "% i" looks like Python's.)
    assert "python-format" not in exported.read_text(encoding="utf-8")

    ti = read(export(root, "ti", tmp_path))
    assert ti.get("Uw uitkering", context="item:uitkering:title").string == ""  # not translated yet


def test_an_unchanged_catalog_changes_nothing(root: Path, tmp_path: Path) -> None:
    po = export(root, "fa", tmp_path)
    before = snapshot(root)
    assert main(["content", "import-po", "--content", str(root), "--lang", "fa", str(po)]) == 0
    assert snapshot(root) == before


async def test_round_trip_edit_import_check_and_the_bot_shows_it(root: Path, tmp_path: Path) -> None:
    po = export(root, "ar", tmp_path)
    catalog = read(po)
    intake = load_content(root).source_item("stap-intake")
    entry = catalog.get(intake.body.strip(), context="item:stap-intake:body")
    entry.string = "مسؤول الحالة يساعدكم في المال واللغة والعمل.\n\nخذوا **جواز السفر** ووثيقة الإقامة معكم."
    catalog.get("Wat wilt u doen?", context="ui:menu.header").string = "ماذا تريدون أن تفعلوا؟"
    write(catalog, po)
    path = root / "ar/items/stap-intake.md"
    meta_before = front_matter(path)

    assert main(["content", "import-po", "--content", str(root), "--lang", "ar", str(po)]) == 0

    meta = front_matter(path)
    assert meta == {**meta_before, "status": "draft"}  # front matter kept, hash still current
    assert meta["source_hash"] == intake.content_hash
    assert not [f for f in check_content(root) if f.is_error]
    renderer = Renderer(load_content(root))
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=root) as bot:
        person = bot.person(701)
        card = await onboard(person, renderer, "ar", step_number=2)
        assert "خذوا <b>جواز السفر</b> ووثيقة الإقامة معكم." in card[-1]["html"]
        menu = await person.say("/menu")
        assert menu[-1]["html"] == "ماذا تريدون أن تفعلوا؟"


def test_confirming_a_stale_translation_records_the_new_dutch_text(root: Path, tmp_path: Path) -> None:
    po = export(root, "ar", tmp_path)
    catalog = read(po)
    for message in catalog:
        if message.context and message.context.startswith("item:woning:"):
            message.flags.discard("fuzzy")
    catalog.get("Uw woning", context="item:woning:title").string = "بيتكم"
    write(catalog, po)
    main(["content", "import-po", "--content", str(root), "--lang", "ar", str(po)])
    meta = front_matter(root / "ar/items/woning.md")
    assert meta["title"] == "بيتكم"
    assert meta["source_hash"] == load_content(root).source_item("woning").content_hash
    assert not any(f.message.startswith("stale") for f in check_content(root))


def test_fuzzy_entries_wait_for_the_translator(root: Path, tmp_path: Path) -> None:
    po = export(root, "ar", tmp_path)
    catalog = read(po)
    catalog.get("Uw woning", context="item:woning:title").string = "بيتكم"  # still fuzzy
    write(catalog, po)
    before = snapshot(root)
    main(["content", "import-po", "--content", str(root), "--lang", "ar", str(po)])
    assert snapshot(root) == before


def test_a_new_translation_becomes_a_new_file(root: Path, tmp_path: Path) -> None:
    po = export(root, "ti", tmp_path)
    catalog = read(po)
    for part, text in {
        "title": "ሓገዝ ገንዘብ",
        "summary": "ገንዘብ ንመነባብሮ።",
        "body": "ካብ ምምሕዳር ከተማ **ሓገዝ ገንዘብ** ትረኽቡ።\n\nኩሉ ለውጢ ኩሉ ግዜ ሓብሩ።",
        "keywords": "ሓገዝ፣ ገንዘብ, uitkering",
    }.items():
        entry = next(m for m in catalog if m.context == f"item:uitkering:{part}")
        entry.string = text
    write(catalog, po)
    main(["content", "import-po", "--content", str(root), "--lang", "ti", str(po)])
    meta = front_matter(root / "ti/items/uitkering.md")
    assert meta == {
        "id": "uitkering",
        "title": "ሓገዝ ገንዘብ",
        "summary": "ገንዘብ ንመነባብሮ።",
        "keywords": ["ሓገዝ", "ገንዘብ", "uitkering"],
        "variables": [],
        "status": "draft",
        "source_hash": load_content(root).source_item("uitkering").content_hash,
        "step": "intake",
        "critical": True,
    }
    assert not [f for f in check_content(root) if f.is_error]
    assert Renderer(load_content(root)).item("ti", "uitkering").lang == "ti"


def test_a_catalog_with_broken_placeholders_or_markup_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = export(root, "fa", tmp_path)
    catalog = read(po)
    catalog.get("{{ n }}. {{ title }}", context="ui:step.button").string = "{{ n }}. {{ onderwerp }}"
    body = load_content(root).source_item("digid").body.strip()
    catalog.get(body, context="item:digid:body").string = "با DigiD وارد <b>سایت‌های دولتی می‌شوید."
    write(catalog, po)
    before = snapshot(root)
    capsys.readouterr()
    assert main(["content", "import-po", "--content", str(root), "--lang", "fa", str(po)]) == 1
    assert snapshot(root) == before
    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert "ui:step.button: the translation uses {{ onderwerp }}, which the Dutch text does not have" in err
    assert "ui:step.button: the translation lacks {{ title }}" in err
    assert "item:digid:body: Telegram would refuse this text" in err
    assert f"{po.name}:" in err  # each problem says where in the catalog it is


def test_a_catalog_for_another_language_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = export(root, "fa", tmp_path)
    assert main(["content", "import-po", "--content", str(root), "--lang", "ar", str(po)]) == 1
    assert "for fa, not for ar" in capsys.readouterr().err


def test_a_body_with_the_read_more_line_imports(root: Path, tmp_path: Path) -> None:
    """The translator keeps the '<!-- more -->' line of the Dutch text; it is no markup Telegram refuses."""
    nl = root / "nl/items/uitkering.md"
    nl.write_text(nl.read_text(encoding="utf-8") + "\n<!-- more -->\n\nMeer uitleg.\n", encoding="utf-8")
    po = export(root, "ar", tmp_path)
    catalog = read(po)
    body = next(m for m in catalog if m.context == "item:uitkering:body")
    assert "<!-- more -->" in body.id and "Keep the line <!-- more --> where it is" in notes(body)
    body.string = "**تحصلون على مساعدة مالية من البلدية: أخبروها عندما يتغيّر شيء.**\n\n<!-- more -->\n\nشرح أكثر."
    body.flags.discard("fuzzy")
    write(catalog, po)
    main(["content", "import-po", "--content", str(root), "--lang", "ar", str(po)])
    item = load_content(root).item("ar", "uitkering")
    assert item is not None and item.more_template == "شرح أكثر."
