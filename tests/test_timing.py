"""The timing rules in journey.yaml: defaults, and bad values found by ``wegwijs content check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.editors.checker import ERROR, check_content
from bot.texts.content import load_content
from bot.texts.timing import load_timing
from tests.content_fixture import fixture_content


def test_a_path_file_without_timing_gets_the_defaults(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    timing = load_timing(load_content(root).journey)
    assert [d.text for d in timing.leads("tov")] == ["7d", "1d", "2h"]
    assert [d.text for d in timing.critical_repeats] == ["1d", "3d", "7d"]
    assert (timing.quiet.start.isoformat(), timing.quiet.end.isoformat()) == ("21:00:00", "08:00:00")
    assert timing.good_to_know_every.text == "1d" and timing.pause.text == "7d"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("quiet_hours: {from: 21:00, until: \"08:00\"}", "quiet_hours.from: 1260 is not a time such as \"21:00\" (write it in quotes)"),
        ("repetition: {critical: [1d, soon]}", "repetition.critical: 'soon' is not a duration such as 7d, 2h or 30m"),
        ("appointments: {kinds: [{id: tov, reminders: 2h}]}", "appointments.kinds.tov.reminders: must be a list such as [7d, 1d, 2h]"),
        ("repetition: {good_to_know_rounds: -1}", "repetition.good_to_know_rounds: must be a whole number, 0 or more"),
    ],
)
def test_content_check_finds_bad_timing(tmp_path: Path, block: str, message: str) -> None:
    root = fixture_content(tmp_path)
    journey = root / "journey.yaml"
    journey.write_text(journey.read_text(encoding="utf-8") + f"\n{block}\n", encoding="utf-8")
    found = [f for f in check_content(root) if f.severity == ERROR]
    assert [(f.file, f.message) for f in found] == [(journey, message)]
    assert found[0].line == journey.read_text(encoding="utf-8").count("\n")
