"""Issue 14 for the people who run Wegwijs and keep its texts: the admin CLI, the run log, editors' tools."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.casework import staff, staff_admin
from bot.editors.checker import Finding, check_content
from bot.cli.main import PIPE_CLOSED
from bot.cli.main import main as cli
from bot.core.config import DEFAULT_CONTENT_DIR
from bot.core.db import open_db
from bot.emulator import running_emulator
from bot.people.users import accept_privacy, choose_language
from tests.content_fixture import fixture_content
from tests.harness import TOKEN

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SANNE, DAAN = 1, 2
PROJECT = DEFAULT_CONTENT_DIR.parent


# ---------------------------------------------------------------- wegwijs admin


def test_admin_cli_lists_reassigns_some_and_all_and_removes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "w.db"
    db = open_db(db_path)
    staff.add_klantmanager(db, SANNE, "Sanne", NOW)
    staff.add_klantmanager(db, DAAN, "Daan", NOW)
    for user_id, name in ((11, "Amal"), (12, "Bilal"), (13, "Chaya")):
        choose_language(db, user_id, "en")
        accept_privacy(db, user_id, NOW)
        staff.link_client(db, user_id, SANNE, name, NOW)
    staff_admin.touch(db, SANNE, NOW)
    db.close()
    db_arg = ["--db", str(db_path)]

    assert cli(["admin", "list", *db_arg]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[1:] == [["2", "Daan", "0", "never"], ["1", "Sanne", "3", "2026-12-01T09:00:00+00:00"]]

    assert cli(["admin", "remove", str(SANNE), *db_arg]) == 1
    assert "Sanne heeft nog 3 klanten" in capsys.readouterr().err
    assert cli(["admin", "reassign", str(SANNE), str(DAAN), "--client", "99", *db_arg]) == 1
    assert "99 is geen klant van Sanne." in capsys.readouterr().err

    assert cli(["admin", "reassign", str(SANNE), str(DAAN), "--client", "11", *db_arg]) == 0
    assert "11 Amal: now with 2" in capsys.readouterr().out
    assert cli(["admin", "reassign", str(SANNE), str(DAAN), *db_arg]) == 0
    assert "2 client(s) moved" in capsys.readouterr().out
    assert cli(["admin", "remove", str(SANNE), *db_arg]) == 0
    assert "no longer a klantmanager" in capsys.readouterr().out
    assert cli(["admin", "list", *db_arg]) == 0
    assert [line.split()[:3] for line in capsys.readouterr().out.splitlines()[1:]] == [["2", "Daan", "3"]]

    db = open_db(db_path)
    notices = [(r["chat_id"], r["params"]) for r in db["outbox"].rows_where("kind = 'notice'", order_by="id")]
    assert sorted(chat for chat, _ in notices) == [2, 2, 2, 11, 12, 13]  # the clients and the new klantmanager
    assert db["audit"].count_where("action = 'klantmanager_removed'") == 1


# ---------------------------------------------------------------- wegwijs run


async def _line(stream: asyncio.StreamReader, pattern: str, timeout: float = 30.0) -> re.Match[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = []
    while (left := deadline - loop.time()) > 0:
        raw = await asyncio.wait_for(stream.readline(), left)
        if not raw:
            break
        line = raw.decode()
        seen.append(line)
        if match := re.search(pattern, line):
            return match
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(seen)}")


async def test_run_logs_one_line_at_start_and_one_per_content_reload(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    db_path = tmp_path / "w.db"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "WEGWIJS_RELOAD_SECONDS": "0.2", "WEGWIJS_DISPATCH_SECONDS": "5", "WEGWIJS_HTTP_PORT": "0"}
    async with running_emulator(limits=False) as emu:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--api-url", emu.api_url, "--db", str(db_path),
            "--content", str(content), env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        try:
            started = await _line(process.stderr, r"wegwijs started: (.*)")
            text = started.group(1)
            assert "bot @wegwijs_bot" in text and f"database {db_path.resolve()}" in text
            assert f"content {content.resolve()}" in text and "dispatch every 5 s" in text
            first = re.search(r"version ([0-9a-f]{12})", text).group(1)

            ui = content / "nl" / "ui.yaml"
            ui.write_text(ui.read_text(encoding="utf-8").replace("Er is niets gedaan.", "Niets gedaan."), encoding="utf-8")
            reloaded = await _line(process.stderr, r"content reloaded \(content files changed\): content version (\w+)")
            assert reloaded.group(1) != first
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)


# ---------------------------------------------------------------- editors


def test_content_status_into_a_closed_pipe_ends_without_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has stopped reading
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "content", "status"], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert done.returncode == PIPE_CLOSED
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr


def test_export_po_without_output_says_where_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_content(tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cli(["content", "export-po", "--lang", "ar", "--content", str(root)]) == 0
    written = work / "wegwijs-ar.po"
    assert written.exists() and f"wrote {written.resolve()}:" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("git") is None or not (PROJECT / ".git").exists(), reason="not a git checkout")
def test_catalogs_in_the_repository_root_are_ignored_by_git() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "wegwijs-ar.po"], cwd=PROJECT, check=False)
    assert ignored.returncode == 0


def _insert_line(path: Path, after: int, line: str) -> int:
    """Insert ``line`` after line ``after``; returns its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(after, line)
    path.write_text("\n".join(lines), encoding="utf-8")
    return after + 1


def _new_findings(root: Path, before: list[Finding]) -> list[Finding]:
    known = {(f.file, f.message) for f in before}
    return [f for f in check_content(root) if (f.file, f.message) not in known]


@pytest.mark.parametrize("file", ["nl/ui.yaml", "en/ui.yaml", "nl/items/woning.md", "journey.yaml"])
def test_a_yaml_error_is_reported_once_at_its_line(tmp_path: Path, file: str) -> None:
    root = fixture_content(tmp_path)
    before = check_content(root)
    line = _insert_line(root / file, 3, "broken: a colon: inside an unquoted text")
    findings = _new_findings(root, before)
    assert [(f.file, f.line) for f in findings] == [(root / file, line)], "\n".join(f.format(root) for f in findings)
    assert "not valid YAML" in findings[0].message and "<unicode string>" not in findings[0].message
