"""The parsed-YAML cache (bot/texts/parsed_yaml.py) never serves an old or foreign value."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.config import DEFAULT_CONTENT_DIR
from bot.texts import parsed_yaml
from bot.texts.content import ContentError, load_content

LOAD_TWICE = """
import sys
from pathlib import Path
from bot.texts.content import load_content
content = load_content(Path(sys.argv[1]))
print(content.ui["nl"]["menu.header"])
print(content.item("nl", "stap-azc").title)
"""


def run_fresh_process(root: Path, cache: Path) -> list[str]:
    """Load the content in a new process, as ``wegwijs run`` does at start."""
    env = {**os.environ, parsed_yaml.CACHE_ENV: str(cache)}
    done = subprocess.run([sys.executable, "-c", LOAD_TWICE, str(root)], env=env, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    return root


def test_an_edit_between_starts_is_seen_at_once_even_with_the_same_size_and_time(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ui = tree / "nl" / "ui.yaml"
    item = tree / "nl" / "items" / "stap-azc.md"
    before = run_fresh_process(tree, cache)
    assert (cache / parsed_yaml.CACHE_FILE).exists()

    stat = ui.stat()
    header = before[0]
    changed = header[:-1] + ("X" if header[-1] != "X" else "Y")  # same length, so the same size
    ui.write_text(ui.read_text(encoding="utf-8").replace(header, changed, 1), encoding="utf-8")
    os.utime(ui, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same modification time
    item.write_text(item.read_text(encoding="utf-8").replace(before[1], "Nieuwe titel", 1), encoding="utf-8")

    assert run_fresh_process(tree, cache) == [changed, "Nieuwe titel"]


def test_a_broken_or_foreign_cache_file_is_ignored(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    expected = load_content(DEFAULT_CONTENT_DIR).ui["nl"]["menu.header"]

    (cache / parsed_yaml.CACHE_FILE).write_bytes(b"not a pickle at all")
    assert run_fresh_process(tree, cache)[0] == expected

    class RunsCode:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    (cache / parsed_yaml.CACHE_FILE).write_bytes(pickle.dumps({"x": pickle.dumps(RunsCode())}))
    assert run_fresh_process(tree, cache)[0] == expected
    assert not (tmp_path / "pwned").exists()

    (cache / parsed_yaml.CACHE_FILE).write_bytes(pickle.dumps(RunsCode()))
    assert run_fresh_process(tree, cache)[0] == expected
    assert not (tmp_path / "pwned").exists()


def test_a_cache_that_cannot_be_written_costs_only_the_parse(tree: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert run_fresh_process(tree, blocker / "cache")[0] == load_content(DEFAULT_CONTENT_DIR).ui["nl"]["menu.header"]


def test_each_caller_gets_its_own_copy_and_mistakes_keep_their_line(tree: Path) -> None:
    first = parsed_yaml.parse("a: [1, 2]\nb: 2025-06-02\n")
    first["a"].append(3)
    assert parsed_yaml.parse("a: [1, 2]\nb: 2025-06-02\n")["a"] == [1, 2]

    ui = tree / "en" / "ui.yaml"
    lines = ui.read_text(encoding="utf-8").splitlines()
    lines[4] = "broken: [unclosed"
    ui.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"ui\.yaml:[0-9]+: not valid YAML"):
        load_content(tree)
