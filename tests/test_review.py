"""The review gate: who reviewed what, per item and per short text, and what a reader gets meanwhile."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from bot.texts.bidi import strip_marks
from bot.editors.checker import ERROR, WARNING, Finding, check_content
from bot.cli.main import main
from bot.core.config import DEFAULT_CONTENT_DIR, TIMEZONE
from bot.texts.content import load_content
from bot.texts.render import Renderer
from bot.editors.ui_sources import load_sources, ui_hash
from bot.texts.unchecked import NOTE_KEY, needs_original
from tests.content_fixture import fixture_content, onboard
from tests.harness import bot_under_test


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def about(findings: list[Finding], file: Path, fragment: str) -> list[Finding]:
    return [f for f in findings if f.file == file and fragment in f.message]


def stamp(root: Path, *args: str) -> int:
    return main(["content", "stamp", "--content", str(root), *args])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return fixture_content(tmp_path)


def test_reviewed_needs_a_reviewer_and_a_date(root: Path) -> None:
    path = root / "en/items/digid.md"
    edit(path, "reviewer: Fixture Reviewer\n", "")
    edit(path, "reviewed_at: 2026-11-02", "reviewed_at: soon")
    found = [f for f in check_content(root) if f.file == path and f.severity == ERROR]
    assert {f.message for f in found} == {
        "'status: reviewed' without 'reviewer:': who checked it?",
        "'status: reviewed' without a date 'reviewed_at: YYYY-MM-DD'",
    }
    assert all(f.line == 7 and "--item digid --reviewer" in f.fix for f in found)  # the 'status:' line


def test_stamp_one_item_with_its_reviewer(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (root / "ar/items/stap-aankomst.md").read_text(encoding="utf-8")
    assert stamp(root, "--lang", "ar", "--item", "woning", "--reviewer", "Amal Haddad") == 0
    assert "woning.md: reviewed by Amal Haddad" in capsys.readouterr().out
    meta = front_matter(root / "ar/items/woning.md")
    content = load_content(root)
    assert meta["status"] == "reviewed" and meta["reviewer"] == "Amal Haddad"
    assert meta["reviewed_at"] == datetime.now(TIMEZONE).date()  # the editors' calendar day, not the machine's
    assert meta["source_hash"] == content.source_item("woning").content_hash
    assert (root / "ar/items/stap-aankomst.md").read_text(encoding="utf-8") == before  # only the item asked for
    assert not about(check_content(root), root / "ar/items/woning.md", "stale")


def test_stamp_without_a_reviewer_records_the_source_but_is_no_review(root: Path) -> None:
    assert stamp(root, "--lang", "ar", "woning") == 0  # stdin is no terminal: nobody is asked
    meta = front_matter(root / "ar/items/woning.md")
    assert meta["status"] == "draft" and "reviewer" not in meta
    assert meta["source_hash"] == load_content(root).source_item("woning").content_hash


def test_a_review_of_an_older_dutch_text_is_no_review(root: Path) -> None:
    assert stamp(root, "--lang", "en", "--item", "woning", "--reviewer", "Sanne") == 0
    renderer = Renderer(load_content(root))
    assert not needs_original(renderer, "en", "woning")
    edit(root / "nl/items/woning.md", "Begrijpt u", "Leest u alles? Begrijpt u")
    findings = about(check_content(root), root / "en/items/woning.md", "review was of an older Dutch text")
    assert [f.severity for f in findings] == [WARNING]  # a Dutch fix still ships at once
    assert needs_original(Renderer(load_content(root)), "en", "woning")  # ...and readers are told
    # A stamp without a reviewer takes the old review away.
    assert stamp(root, "--lang", "en", "--item", "woning") == 0
    assert front_matter(root / "en/items/woning.md")["status"] == "draft"


def test_short_texts_are_tracked_per_key(root: Path, tmp_path: Path) -> None:
    sources = load_sources(root, "ar")
    assert sources["menu.main"] == ui_hash("☰ Menu")
    assert not about(check_content(root), root / "ar/ui.yaml", "is stale")
    edit(root / "nl/ui.yaml", "menu.main: ☰ Menu", "menu.main: ☰ Hoofdmenu")
    stale = about(check_content(root), root / "ar/ui.yaml", "is stale")
    assert [(f.severity, f.message.split(" ")[0]) for f in stale] == [(WARNING, "'menu.main'")]

    po = tmp_path / "ar.po"
    assert main(["content", "export-po", "--content", str(root), "--lang", "ar", "-o", str(po)]) == 0
    with po.open("rb") as file:
        catalog = read_po(file)
    entry = catalog.get("☰ Hoofdmenu", context="ui:menu.main")
    assert entry.fuzzy and entry.string == "☰ القائمة"
    assert not catalog.get("Nederlands", context="ui:language.name").fuzzy

    entry.string, entry.flags = "☰ القائمة الرئيسية", set()
    with po.open("wb") as file:
        write_po(file, catalog)
    assert main(["content", "import-po", "--content", str(root), "--lang", "ar", str(po)]) == 0
    assert load_sources(root, "ar")["menu.main"] == ui_hash("☰ Hoofdmenu")
    assert not about(check_content(root), root / "ar/ui.yaml", "is stale")


def test_stamp_one_short_text(root: Path) -> None:
    edit(root / "nl/ui.yaml", "menu.main: ☰ Menu", "menu.main: ☰ Hoofdmenu")
    edit(root / "nl/ui.yaml", "privacy.accept: Ik ga akkoord", "privacy.accept: Akkoord")
    assert stamp(root, "--lang", "fa", "--key", "menu.main") == 0
    stale = about(check_content(root), root / "fa/ui.yaml", "is stale")
    assert [f.message.split(" ")[0] for f in stale] == ["'privacy.accept'"]


async def test_an_unchecked_critical_translation_comes_with_the_dutch_original(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    renderer = Renderer(load_content(root))
    assert renderer.content.item("ar", "woning").status == "draft"
    note = strip_marks(renderer.ui("ar", NOTE_KEY))
    dutch_title = renderer.content.item("nl", "woning").title
    async with bot_under_test(tmp_path / "w.db", content_dir=root) as bot:
        person = bot.person(3401)
        await onboard(person, bot.services.renderer, "ar", step_number=3)  # intake: woning is critical
        shown = strip_marks((await person.press(renderer.title("ar", "woning")))[-1]["html"])
        short = strip_marks(renderer.item_parts("ar", "woning").short)  # a critical item comes short first
        assert shown.index(short) < shown.index(note) < shown.index(dutch_title)
        await person.say("/bilingual")  # the Dutch is already there: not twice
        again = strip_marks((await person.press(renderer.title("ar", "woning")))[-1]["html"])
        assert again.count(dutch_title) == 1

        # Once a reviewer checked the Arabic against the current Dutch text: the Arabic alone.
        assert stamp(root, "--lang", "ar", "--item", "woning", "--reviewer", "Amal Haddad") == 0
        await bot.restart()
        await person.say("/bilingual")
        reviewed = strip_marks((await person.press(renderer.title("ar", "woning")))[-1]["html"])
        assert note not in reviewed and dutch_title not in reviewed
        # A text that is not critical never gets the note.
        assert not needs_original(bot.services.renderer, "ar", "stap-intake")
