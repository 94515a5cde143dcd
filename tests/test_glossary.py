"""The glossary and the language checks: Dutch terms kept, explanations apart, letters, numbers, Amharic.

Fixture tests break a copy of ``tests/fixtures/content`` in one way (with a
small glossary written into it); the real content must pass with 0 errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.editors.checker import ERROR, WARNING, Finding, check_content
from bot.core.config import DEFAULT_CONTENT_DIR
from bot.texts.content import load_content
from bot.editors.editing import stamp, stamp_ui
from bot.texts.glossary import load_glossary
from bot.editors.langcheck import amharic_words, number_mismatch, numbers, wrong_letters
from bot.editors.po import export_catalog
from tests.content_fixture import fixture_content

REQUIRED_TERMS = (
    "klantmanager casemanager uitkering rechtmatigheidsgesprek participatieverklaring inburgering "
    "voorinburgering taalschool opstartklas TOV gemeente DigiD COA Vluchtelingenwerk instemmingsverklaring "
    "klantprofiel azc huisarts zorgverzekering BSN"
).split() + ["plan van aanpak"]

FIXTURE_GLOSSARY = {
    "terms": [
        {
            "term": "huurcontract",
            "nl": {"explain": "Het contract waarmee u een woning huurt.", "say": ["huurcontract"], "words": []},
            "en": {"explain": "The contract to rent a home.", "say": ["huurcontract"], "words": ["lease"]},
            "ar": {"explain": "عقد استئجار البيت.", "say": ["هيوركونتراكت"], "words": ["عقد الإيجار"]},
            "fa": {"explain": "قرارداد اجاره خانه.", "say": ["هیورکنترکت"], "words": ["اجاره‌نامه"]},
            "ti": {"explain": "ውዕል ክራይ ገዛ።", "say": ["ሁዩርኮንትራክት"], "words": ["ውዕል ክራይ"]},
        },
        {
            "term": "uitkering",
            "nl": {"explain": "Geld van de gemeente om van te leven.", "say": ["uitkering"], "words": []},
            "en": {"explain": "Money from the gemeente to live on.", "say": ["uitkering"], "words": ["benefit"]},
            "ar": {"explain": "مال من البلدية للعيش.", "say": ["أوتكيرينغ"], "words": ["المعونة"]},
            "fa": {"explain": "پول شهرداری برای زندگی.", "say": ["اوتکرینگ"], "words": ["کمک‌هزینه"]},
            "ti": {"explain": "ገንዘብ ካብ gemeente ንናብራ።", "say": ["ኣውትከሪንግ"], "words": ["ሓገዝ ገንዘብ"]},
        },
    ]
}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def keep_term(path: Path, term: str) -> None:
    """Add the Dutch word to a translation's summary line, in brackets."""
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("summary: "))
    path.write_text(text.replace(line, f"{line} ({term})", 1), encoding="utf-8")


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def about(findings: list[Finding], file: Path, fragment: str) -> list[Finding]:
    return [f for f in findings if f.file == file and fragment in f.message]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = fixture_content(tmp_path)
    (root / "glossary.yaml").write_text(yaml.safe_dump(FIXTURE_GLOSSARY, allow_unicode=True), encoding="utf-8")
    # The fixture's texts keep the Dutch word where they use a term:
    for lang, item_id, term in [
        ("en", "woning", "huurcontract"),
        ("ar", "woning", "huurcontract"),
        ("fa", "woning", "huurcontract"),
        ("ti", "woning", "huurcontract"),
        ("ar", "uitkering", "uitkering"),
        ("fa", "uitkering", "uitkering"),
    ]:
        keep_term(root / lang / "items" / f"{item_id}.md", term)
    return root


def test_the_shipped_glossary_has_every_term_in_every_language() -> None:
    content = load_content(DEFAULT_CONTENT_DIR)
    glossary = content.glossary
    assert glossary is not None
    terms = {term.term.casefold(): term for term in glossary.terms}
    assert set(t.casefold() for t in REQUIRED_TERMS) <= set(terms)
    for term in glossary.terms:
        for lang in content.journey.languages:
            entry = term.entry(lang)
            assert entry is not None and entry.explain and entry.say, (term.term, lang)
    # casemanager (COA) and klantmanager (gemeente) are different people
    assert terms["casemanager"].entry("en").explain != terms["klantmanager"].entry("en").explain
    assert "COA" in terms["casemanager"].entry("nl").explain and "gemeente" in terms["klantmanager"].entry("nl").explain


def test_the_fixture_with_a_glossary_passes(root: Path) -> None:
    assert not errors(check_content(root))


def test_a_translation_that_drops_the_dutch_term_is_an_error(root: Path) -> None:
    edit(root / "ar/items/uitkering.md", " (uitkering)", "")  # as the fixture had it
    found = about(errors(check_content(root)), root / "ar/items/uitkering.md", "'uitkering'")
    assert found and "keep 'uitkering'" in found[0].fix


def test_dropping_a_term_in_a_stale_translation_is_a_warning(root: Path) -> None:
    # ar/woning is stale in the fixture: its Dutch text changed, so a fix in Dutch can ship at once.
    edit(root / "ar/items/woning.md", " (huurcontract)", "")
    findings = about(check_content(root), root / "ar/items/woning.md", "'huurcontract'")
    assert [f.severity for f in findings] == [WARNING]


def test_a_short_text_keeps_the_term_too(root: Path) -> None:
    edit(root / "ar/ui.yaml", "menu.main: ☰ القائمة", "menu.main: ☰ القائمة والمعونة")
    edit(root / "nl/ui.yaml", "menu.main: ☰ Menu", "menu.main: ☰ Menu en uitkering")
    # The Arabic records the old Dutch text: it is stale, so a warning, and marked stale.
    findings = about(check_content(root), root / "ar/ui.yaml", "'menu.main'")
    assert sorted((f.severity, f.message.split(":")[0]) for f in findings) == [
        (WARNING, "'menu.main'"),
        (WARNING, "'menu.main' is stale"),
    ]
    assert "uses the term 'uitkering'" in " ".join(f.message for f in findings)
    # Once someone claims it is translated from the new Dutch text, the missing term is an error.
    stamp_ui(load_content(root), "ar", ["menu.main"])
    assert about(errors(check_content(root)), root / "ar/ui.yaml", "'menu.main': the Dutch text uses the term")


def test_two_terms_never_share_an_explanation(root: Path) -> None:
    glossary = root / "glossary.yaml"
    data = yaml.safe_load(glossary.read_text(encoding="utf-8"))
    data["terms"][1]["fa"]["explain"] = data["terms"][0]["fa"]["explain"] + " "
    glossary.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    found = about(errors(check_content(root)), glossary, "share an explanation in fa")
    assert len(found) == 1 and "'uitkering' and 'huurcontract'" in found[0].message


def test_every_language_needs_an_entry(root: Path) -> None:
    glossary = root / "glossary.yaml"
    data = yaml.safe_load(glossary.read_text(encoding="utf-8"))
    del data["terms"][0]["ti"]
    glossary.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert about(errors(check_content(root)), glossary, "'huurcontract' has no explanation in ti")


def test_a_broken_glossary_is_one_clear_error(root: Path) -> None:
    (root / "glossary.yaml").write_text("terms: [\n", encoding="utf-8")
    found = errors(check_content(root))
    assert [f.file.name for f in found] == ["glossary.yaml"]


def test_translators_see_the_glossary_entry_in_the_catalog(root: Path) -> None:
    catalog = export_catalog(load_content(root), "fa")
    body = catalog.get(
        load_content(root).item("nl", "uitkering").body.strip(), context="item:uitkering:body"
    )
    assert body is not None
    notes = " ".join(body.auto_comments)
    assert "Glossary: uitkering: پول شهرداری برای زندگی." in notes and "Keep the Dutch word 'uitkering'" in notes
    title = catalog.get(load_content(root).item("nl", "woning").title, context="item:woning:title")
    assert not any("Glossary" in note for note in title.auto_comments)  # the title uses no term


def test_farsi_with_arabic_letters_and_arabic_with_farsi_letters(root: Path) -> None:
    edit(root / "fa/items/woning.md", "خانه", "خانه كي")  # Arabic kaf and yeh
    found = [f.message for f in errors(check_content(root)) if f.file == root / "fa/items/woning.md"]
    assert any("ك" in m for m in found) and any("ي" in m for m in found)
    assert wrong_letters("بیمه", "ar")[0].fix.startswith("write ي")
    assert wrong_letters("الكامب", "ar") == [] and wrong_letters("کمپ", "fa") == []


def test_numbers_must_match_the_dutch_text() -> None:
    assert numbers("۳ سال و ٢٫٥ ساعت، 2,5 jaar, [x](https://a.nl/12) {{ n }}") == {"3": 1, "2.5": 2}
    different, missing = number_mismatch("بعد 2 سنوات", "Na 3 jaar")
    assert different and "3" in different[0].message and not missing
    different, missing = number_mismatch("خلال أسبوعين", "Binnen 2 weken")  # Arabic dual: a word, no digit
    assert not different and missing
    assert number_mismatch("۱۲ هفته", "12 weken") == ([], [])


def test_a_changed_number_is_an_error_in_the_check(root: Path) -> None:
    edit(root / "nl/items/uitkering.md", "Geef veranderingen", "Binnen 5 dagen: geef veranderingen")
    for lang in ("en", "ar", "fa"):
        stamp(load_content(root), lang, ["uitkering"])  # claim the translations are current
    edit(root / "fa/items/uitkering.md", "\n---\n", "\n---\nدر 7 روز.\n")
    found = about(errors(check_content(root)), root / "fa/items/uitkering.md", "number 7")
    assert found
    warned = about(check_content(root), root / "en/items/uitkering.md", "the number(s) 5")
    assert [f.severity for f in warned] == [WARNING]


def test_amharic_words_in_tigrinya() -> None:
    assert [p.message for p in amharic_words("እዚ ቀጠሮ ነው።")] == ["'ቀጠሮ' is Amharic, not Tigrinya", "'ነው' is Amharic, not Tigrinya"]
    assert amharic_words("እዚ ቆጸራ እዩ። ስለ ዝሓመምኩም") == []  # ስለ ዝ... (because) is Tigrinya too


def test_the_shipped_content_keeps_its_terms() -> None:
    content = load_content(DEFAULT_CONTENT_DIR)
    findings = check_content(DEFAULT_CONTENT_DIR)
    assert not errors(findings)
    glossary = load_glossary(DEFAULT_CONTENT_DIR)
    klantmanager = glossary.term("klantmanager")
    assert klantmanager is not None
    for lang in ("ar", "fa", "ti"):
        assert klantmanager.kept_in(content.item(lang, "klantmanager").body)


def test_a_term_starts_a_word_and_an_abbreviation_is_a_word_of_its_own() -> None:
    glossary = load_glossary(DEFAULT_CONTENT_DIR)
    used = {t.term for t in glossary.used_in("De klantmanagers van de gemeente en een coach in de voorinburgering.")}
    assert used == {"klantmanager", "gemeente", "voorinburgering"}  # not inburgering, not COA
    assert {t.term for t in glossary.used_in("Uw COA-casemanager in het AZC")} == {"COA", "casemanager", "azc"}
