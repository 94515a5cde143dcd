"""``wegwijs content check`` and ``status``: each class of error, on a copy of the fixture broken in one way."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.editors.checker import ERROR, WARNING, Finding, check_content
from bot.cli.main import main
from bot.core.config import DEFAULT_CONTENT_DIR
from bot.texts.content import load_content
from bot.editors.editing import stamp
from bot.editors.status import content_status
from tests.content_fixture import fixture_content
from tests.oggopus import silent_ogg_opus


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return fixture_content(tmp_path)


def test_the_shipped_content_has_no_errors() -> None:
    """What CI runs: the real content must pass (warnings are allowed)."""
    problems = errors(check_content(DEFAULT_CONTENT_DIR))
    assert not problems, "\n".join(f.format(DEFAULT_CONTENT_DIR.parent) for f in problems)


def test_the_fixture_passes_with_a_stale_warning(root: Path) -> None:
    findings = check_content(root)
    assert not errors(findings)
    stale = [f for f in findings if f.message.startswith("stale")]
    assert [(f.severity, f.file, f.line) for f in stale] == [(WARNING, root / "ar/items/woning.md", 8)]
    # ti lacks 'uitkering' and 'digid', but journey.yaml allows them to fall back.
    assert not any(f.file.parent == root / "ti/items" for f in findings)


Break = Callable[[Path], None]
CASES: dict[str, tuple[Break, list[tuple[str, int | None, str]]]] = {
    # every item of the path exists in every enabled language, or may fall back
    "missing translation": (
        lambda r: (r / "fa/items/woning.md").unlink(),
        [("fa/items/woning.md", 0, "not translated into fa")],
    ),
    "fallback no longer allowed": (
        lambda r: edit(r / "journey.yaml", "allow_fallback: {ti: [uitkering, digid]}", "allow_fallback: {ti: [digid]}"),
        [("ti/items/uitkering.md", 0, "not translated into ti")],
    ),
    "allow_fallback names an unknown item": (
        lambda r: edit(r / "journey.yaml", "[uitkering, digid]", "[uitkering, digid, uitkerin]"),
        [("journey.yaml", 9, "'uitkerin', which is no item")],
    ),
    # templates compile in the sandbox and use only declared variables
    "template syntax": (
        lambda r: edit(r / "nl/items/uitkering.md", "Geef veranderingen", "Geef {{ veranderingen door."),
        [("nl/items/uitkering.md", 13, "cannot be read as a template")],
    ),
    "undeclared variable": (
        lambda r: edit(r / "nl/items/woning.md", "Begrijpt u", "{{ naam }}, begrijpt u"),
        [("nl/items/woning.md", 13, "{{ naam }}, which is not available")],
    ),
    "sandbox violation": (
        lambda r: append(r / "nl/ui.yaml", "\nevil: \"{{ ''.__class__.__mro__ }}\"\n"),
        [("nl/ui.yaml", None, "templates may not do")],
    ),
    # placeholders in a translation match the Dutch source
    "placeholder renamed in a translation": (
        lambda r: edit(r / "ar/ui.yaml", "{{ n }}. {{ title }}", "{{ n }}. {{ titel }}"),
        [("ar/ui.yaml", 6, "uses {{ titel }}")],
    ),
    "placeholder added in a translated item": (
        lambda r: edit(r / "en/items/digid.md", "Apply for it", "Dear {{ name }}, apply for it"),
        [("en/items/digid.md", 14, "uses {{ name }}, which the Dutch text does not have")],
    ),
    "item variables differ from Dutch": (
        lambda r: edit(r / "fa/items/digid.md", "variables: []", "variables: [naam]"),
        [("fa/items/digid.md", 6, "'variables:' differs")],
    ),
    # valid Telegram HTML after rendering, within Telegram's limits
    "tag Telegram does not know": (
        lambda r: edit(r / "fa/ui.yaml", "<i>به هلندی:</i>", "<div>به هلندی:</div>"),
        [("fa/ui.yaml", 8, 'Unsupported start tag "div"')],
    ),
    "unbalanced tag": (
        lambda r: edit(r / "en/items/woning.md", "Ask before you sign.", "<i>Ask before you sign."),
        [("en/items/woning.md", 16, "Can't find end tag")],
    ),
    "unescaped ampersand": (
        lambda r: edit(r / "ti/ui.yaml", "menu.main: ☰ ዝርዝር", "menu.main: ☰ ዝርዝር & ሓገዝ"),
        [("ti/ui.yaml", 7, "character reference")],
    ),
    "value not escaped": (
        lambda r: edit(r / "ar/ui.yaml", "{{ n }}. {{ title }}", "{{ n }}. {{ title | safe }}"),
        [("ar/ui.yaml", 6, "Telegram would refuse")],
    ),
    "paragraph too long for one message": (
        lambda r: edit(r / "nl/items/stap-intake.md", "Neem uw", "Lang " * 900 + "Neem uw"),
        [("nl/items/stap-intake.md", 12, "one message holds 4096")],
    ),
    "short text too long after rendering": (
        lambda r: append(r / "nl/ui.yaml", '\nlong.text: "' + "{{ name }} " * 110 + '"\n'),
        [("nl/ui.yaml", None, "characters long with sample values")],
    ),
    # links, front matter, ids, the path file
    "malformed link": (
        lambda r: edit(r / "nl/items/digid.md", "(https://www.digid.nl)", "(www.digid.nl)"),
        [("nl/items/digid.md", 11, "link address is not well-formed: www.digid.nl")],
    ),
    "malformed link in a short text": (
        lambda r: append(r / "ar/ui.yaml", "\nmenu.header: '<a href=\"digid nl\">DigiD</a>'\n"),
        [("ar/ui.yaml", 10, "link address is not well-formed")],
    ),
    "front matter without summary": (
        lambda r: edit(r / "en/items/woning.md", "summary: You sign the rental contract.\n", ""),
        [("en/items/woning.md", 1, "no 'summary:'")],
    ),
    "unknown status": (
        lambda r: edit(r / "nl/items/woning.md", "status: reviewed", "status: klaar"),
        [("nl/items/woning.md", 7, "unknown status 'klaar'")],
    ),
    "title too long for a button": (
        lambda r: edit(r / "fa/items/woning.md", "title: خانه شما", "title: " + "خانه " * 15),
        [("fa/items/woning.md", 3, "at most 60")],
    ),
    "translation without source_hash": (
        lambda r: edit(r / "en/items/digid.md", "source_hash:", "old_hash:"),
        [("en/items/digid.md", 1, "source_hash")],
    ),
    "no front matter": (
        lambda r: (r / "en/items/digid.md").write_text("DigiD\n", encoding="utf-8"),
        [("en/items/digid.md", 1, "front matter")],
    ),
    "step disagrees with the path": (
        lambda r: edit(r / "ar/items/woning.md", "step: aankomst", "step: intake"),
        [("ar/items/woning.md", 9, "disagrees with journey.yaml (aankomst)")],
    ),
    "duplicate id": (
        lambda r: (r / "nl/items/woning-kopie.md").write_text(
            (r / "nl/items/woning.md").read_text(encoding="utf-8"), encoding="utf-8"
        ),
        [
            ("nl/items/woning-kopie.md", 2, "is not the file name"),
            ("nl/items/woning.md", 2, "also used by woning-kopie.md"),
        ],
    ),
    "duplicate key in a short text file": (
        lambda r: append(r / "fa/ui.yaml", "menu.main: منو\n"),
        [("fa/ui.yaml", 9, "appears more than once")],
    ),
    "path refers to a missing item": (
        lambda r: edit(r / "journey.yaml", "topics: [digid]", "topics: [digid, belastingen]"),
        [("journey.yaml", 23, "no nl/items/belastingen.md")],
    ),
    "item listed twice in the path": (
        lambda r: edit(r / "journey.yaml", "topics: [digid]", "topics: [digid, woning]"),
        [("journey.yaml", 23, "listed twice")],
    ),
    "unreadable path file": (
        lambda r: (r / "journey.yaml").write_text("gemeente: Teststad\n", encoding="utf-8"),
        [("journey.yaml", 1, "needs a list of steps")],
    ),
    # short texts
    "language name missing": (
        lambda r: edit(r / "ti/ui.yaml", "language.name: ትግርኛ\n", ""),
        [("ti/ui.yaml", 0, "'language.name' is missing")],
    ),
    "yes read as a boolean": (
        lambda r: append(r / "en/ui.yaml", "\nextra.yes: Yes\n"),
        [("en/ui.yaml", None, "YAML reads it as True")],
    ),
    # recordings
    "recording is not Ogg/Opus": (
        lambda r: (r / "ar/audio").mkdir() or (r / "ar/audio/woning.ogg").write_bytes(b"ID3\x03" + b"\0" * 64),
        [("ar/audio/woning.ogg", 0, "not an Ogg/Opus recording")],
    ),
    "recording for no text": (
        lambda r: (r / "ar/audio").mkdir() or (r / "ar/audio/wonen.ogg").write_bytes(silent_ogg_opus()),
        [("ar/audio/wonen.ogg", 0, "no text 'wonen'")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_catches(root: Path, case: str) -> None:
    breaks, expected = CASES[case]
    breaks(root)
    found = errors(check_content(root))
    for file, line, fragment in expected:
        matches = [f for f in found if f.file == root / file and fragment in f.message]
        assert matches, f"no error {fragment!r} in {file}; got:\n" + "\n".join(f.format(root) for f in found)
        if line is not None:
            assert matches[0].line == line, matches[0].format(root)
        assert matches[0].fix
    assert {f.file for f in found} == {root / file for file, _, _ in expected}, "\n".join(f.format(root) for f in found)


def test_a_good_recording_passes(root: Path) -> None:
    (root / "ar/audio").mkdir()
    (root / "ar/audio/woning.ogg").write_bytes(silent_ogg_opus())
    assert not errors(check_content(root))


def test_a_dutch_change_makes_translations_stale_but_is_no_error(root: Path) -> None:
    edit(root / "nl/items/stap-intake.md", "Neem uw verblijfsdocument mee.", "Neem uw paspoort mee.")
    findings = check_content(root)
    assert not errors(findings)
    stale = {
        f.file.parent.parent.name for f in findings if f.message.startswith("stale") and "stap-intake" in f.file.name
    }
    assert stale == {"en", "ar", "fa", "ti"}


def test_a_new_dutch_placeholder_ships_at_once_but_a_translation_may_not_drop_it(root: Path) -> None:
    edit(root / "nl/items/digid.md", "variables: []", "variables: [naam]")
    edit(root / "nl/items/digid.md", "Vraag het aan", "{{ naam }}, vraag het aan")
    findings = check_content(root)
    assert not errors(findings)  # the translations are stale: warnings only
    assert any(f.file == root / "en/items/digid.md" and "lacks {{ naam }}" in f.message for f in findings)

    stamp(load_content(root), "en", ["digid"])  # someone claims the English is up to date, without {{ naam }}
    found = {(f.file, f.message) for f in errors(check_content(root))}
    assert found == {
        (root / "en/items/digid.md", "'variables:' differs from the Dutch text (naam)"),
        (root / "en/items/digid.md", "the translation lacks {{ naam }}, which the Dutch text has"),
    }


def test_cli_lists_errors_with_file_line_and_fix_and_fails(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "check", "--content", str(root)]) == 0
    edit(root / "en/items/woning.md", "Ask before you sign.", "<i>Ask before you sign.")
    assert main(["content", "check", "--content", str(root)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"en/items/woning\.md:16: error: Telegram would refuse this text: .*\n    how to fix: ", out)
    assert "1 error(s)" in out


def test_status_figures_on_the_fixture(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = load_content(root)
    figures = {s.lang: (s.total, s.complete, s.missing, s.stale, s.draft, s.reviewed) for s in content_status(content)}
    assert figures == {
        "nl": (6, 6, 0, 0, 4, 2),
        "en": (6, 6, 0, 0, 0, 6),
        "ar": (6, 5, 0, 1, 4, 2),
        "fa": (6, 6, 0, 0, 6, 0),
        "ti": (6, 4, 2, 0, 4, 0),
    }
    assert main(["content", "status", "--content", str(root), "--format", "json"]) == 0
    report = {entry["lang"]: entry for entry in json.loads(capsys.readouterr().out)["languages"]}
    assert report["ti"]["percent"] == {"complete": 66.7, "missing": 33.3, "stale": 0.0, "draft": 66.7, "reviewed": 0.0}
    assert report["ar"]["ui_missing"] == report["ar"]["ui_total"] - 7
    assert main(["content", "status", "--content", str(root)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:6] == ["language", "complete", "missing", "stale", "draft", "reviewed"]
    assert table[3].split()[:4] == ["ar", "5/6", "(83%)", "0/6"]


# ------------------------------------------------------------- short, action first (issue 13)


def shape_warnings(findings: list[Finding]) -> list[tuple[str, str]]:
    """(file, message start) of the warnings about a critical text's shape."""
    keys = ("a critical text must start", "does not start with a bold line", "holds none of the action words", "lines; only")
    return [
        (f.file.parent.parent.name + "/" + f.file.name, f.message)
        for f in findings
        if f.severity == WARNING and any(k in f.message for k in keys)
    ]


def test_the_shipped_critical_texts_are_short_and_action_first() -> None:
    shapes = shape_warnings(check_content(DEFAULT_CONTENT_DIR))
    assert not [s for s in shapes if s[0].split("/")[0] in ("nl", "en")], shapes


def test_a_long_critical_text_is_warned_until_the_background_goes_behind_read_more(root: Path) -> None:
    woning = root / "nl/items/woning.md"
    append(woning, "\n" + "Hier staat lange uitleg over het huurcontract. " * 14 + "\n")
    found = shape_warnings(check_content(root))
    assert len(found) == 1 and found[0][0] == "nl/woning.md"
    assert "at most 600 characters" in found[0][1] and "(there is no 'Read more' line)" in found[0][1]

    edit(woning, "Hier staat lange", "<!-- more -->\n\nHier staat lange")
    assert shape_warnings(check_content(root)) == []
    append(woning, "\n<!-- more -->\n\nNog meer.\n")
    assert [m for _, m in shape_warnings(check_content(root))] == [
        "the text has 2 '<!-- more -->' lines; only the first one counts"
    ]


def test_a_critical_text_that_starts_by_explaining_is_warned(root: Path) -> None:
    (root / "action_words.yaml").write_bytes((DEFAULT_CONTENT_DIR / "action_words.yaml").read_bytes())
    assert shape_warnings(check_content(root)) == []
    woning = root / "nl/items/woning.md"
    edit(woning, "**Lees het huurcontract goed: daarmee huurt u de woning.**", "Met het huurcontract huurt u de woning.")
    found = shape_warnings(check_content(root))
    assert [f for f, _ in found] == ["nl/woning.md", "nl/woning.md"]  # not bold, and no action word
    assert "bold line" in found[0][1] + found[1][1] and "action words of nl" in found[0][1] + found[1][1]

    edit(woning, "Met het huurcontract huurt u de woning.", "**Het huurcontract is een papier.**")
    assert [m.split(":")[0] for _, m in shape_warnings(check_content(root))] == [
        "the first paragraph of a critical text holds none of the action words of nl (content/action_words.yaml)"
    ]
    # Translations made from the old Dutch are stale now: they are redone, not shape-checked.
    assert not any(f.startswith(("en/", "fa/", "ti/")) for f, _ in shape_warnings(check_content(root)))


def test_a_non_critical_text_may_start_by_explaining(root: Path) -> None:
    (root / "action_words.yaml").write_bytes((DEFAULT_CONTENT_DIR / "action_words.yaml").read_bytes())
    first_line = (root / "nl/items/stap-aankomst.md").read_text(encoding="utf-8").split("---\n", 2)[2].splitlines()[0]
    assert not first_line.startswith("**")
    assert not any(f.endswith("stap-aankomst.md") for f, _ in shape_warnings(check_content(root)))


def test_an_unreadable_action_word_list_is_an_error(root: Path) -> None:
    (root / "action_words.yaml").write_text("nl: ga, teken\n", encoding="utf-8")
    found = [f for f in errors(check_content(root)) if f.file.name == "action_words.yaml"]
    assert len(found) == 1 and "nl: [ga, teken]" in found[0].fix
