"""Operations: /healthz, /metrics and ``wegwijs backup``, against the real bot through the emulator."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli.main import main as cli
from bot.core.clock import FakeClock, iso
from bot.channels.telegram import jobs as telegram_jobs
from bot.delivery import outbox
from bot.delivery.outbox import Planned
from bot.texts.render import Renderer
from bot.emulator import running_emulator
from tests.content_fixture import fixture_content
from tests.harness import TOKEN, BotUnderTest, bot_under_test
from tests.test_operator_tools import _line
from tests.test_outbox import add_appointment, onboard_without_repetition
from tests.test_reload import FAST, edit, refusals, until
from tests.timeline import DISPATCH_SECONDS, MONDAY, settle

FILL_ROWS = 20_000
HEALTH_DISPATCH_SECONDS = 0.2
"""Short, so that a stopped dispatcher shows within 3 intervals + 1 s."""


async def get(bot: BotUnderTest, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(await bot.http_url() + path) as response:
        return response.status, await response.text()


async def health_until(bot: BotUnderTest, status: int, timeout: float = 10.0) -> str:
    """Ask /healthz until it answers ``status``; returns that answer's text."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found, text = await get(bot, "/healthz")
        if found == status:
            return text
        if loop.time() > deadline:
            raise AssertionError(f"/healthz stayed {found}:\n{text}")
        await asyncio.sleep(0.05)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, labels) -> value, from the Prometheus text format."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def metrics(bot: BotUnderTest) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text = await get(bot, "/metrics")
    assert status == 200
    return samples(text)


async def test_healthz_is_ok_while_running_and_503_when_the_dispatcher_stops_ticking(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "w.db", dispatch_seconds=HEALTH_DISPATCH_SECONDS, http_port=0) as bot:
        text = await health_until(bot, 200)
        lines = text.splitlines()
        assert lines[0] == "ok"
        assert [line.split(":")[0] for line in lines[1:]] == ["database", "dispatcher", "content"]
        assert all(": ok (" in line for line in lines[1:])

        jobs = bot.app.job_queue.get_jobs_by_name(telegram_jobs.OUTBOX_JOB)
        assert jobs
        for job in jobs:
            job.enabled = False  # the scheduler no longer wakes the dispatcher
        text = await health_until(bot, 503)
        assert text.splitlines()[0] == "unhealthy"
        assert "dispatcher: FAIL (last tick" in text and "database: ok" in text and "content: ok" in text
        for job in jobs:
            job.enabled = True
        await health_until(bot, 200)


async def test_healthz_is_503_with_the_reason_while_the_database_is_locked_or_read_only(tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    async with bot_under_test(db_path, http_port=0) as bot:
        assert "dispatcher: ok (off in this process" in await health_until(bot, 200)
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            loop = asyncio.get_running_loop()
            asked = loop.time()
            status, text = await get(bot, "/healthz")
            assert loop.time() - asked < 2.0  # bounded by the bot's busy timeout
            assert status == 503 and "database: FAIL (not writable: database is locked)" in text
            other.execute("ROLLBACK")
        finally:
            other.close()
        await health_until(bot, 200)

        bot.services.db.execute("PRAGMA query_only = ON")  # as a read-only file or disk would
        status, text = await get(bot, "/healthz")
        assert status == 503 and "database: FAIL (not writable: attempt to write a readonly database)" in text
        bot.services.db.execute("PRAGMA query_only = OFF")
        await health_until(bot, 200)


async def test_healthz_is_503_with_the_reason_when_no_texts_are_loaded_and_200_after_a_refused_reload(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = fixture_content(tmp_path)
    async with bot_under_test(tmp_path / "w.db", content_dir=root, reload_seconds=FAST, http_port=0) as bot:
        assert "content: ok (" in await health_until(bot, 200)
        # A broken edit is refused: the bot keeps serving the last good texts, which still count as loaded.
        good = bot.services.renderer
        edit(root / "nl/ui.yaml", "menu.header: Wat wilt u doen?", "menu.header: <div>Wat wilt u doen?")
        await until(lambda: bool(refusals(caplog)))
        status, text = await get(bot, "/healthz")
        assert (status, bot.services.renderer) == (200, good) and "content: ok (" in text

        # No texts in the source language (the checker lets no such content in; set here as a broken
        # loader would leave it): unhealthy, and the reason says which language.
        loaded = good.content
        items = {lang: texts for lang, texts in loaded.items.items() if lang != "nl"}
        bot.services.renderer = Renderer(replace(loaded, items=items))
        status, text = await get(bot, "/healthz")
        assert status == 503 and text.splitlines()[0] == "unhealthy"
        assert "content: FAIL (no texts loaded for the source language nl)" in text
        assert "database: ok" in text and "dispatcher: ok" in text
        bot.services.renderer = good
        await health_until(bot, 200)


async def test_metrics_count_handled_updates_errors_and_sent_messages(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, dispatch_seconds=DISPATCH_SECONDS, http_port=0) as bot:
        before = await metrics(bot)
        assert before[("wegwijs_updates_handled_total", ())] == 0
        person = bot.person(801)
        await person.say("/start")
        after = await metrics(bot)
        assert after[("wegwijs_updates_handled_total", ())] == 1

        await onboard_without_repetition(bot, 801)  # /start, language, privacy, step
        add_appointment(bot, 801)  # its notice is due now: the dispatcher sends it
        await settle(bot)
        db = bot.services.db
        sent = db.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
        assert sent >= 1
        found = await metrics(bot)
        assert found[("wegwijs_outbox_sends_total", (("result", "sent"),))] == sent
        assert found[("wegwijs_outbox_send_seconds_count", ())] == sent
        by_status = {
            labels: value for (name, labels), value in found.items() if name == "wegwijs_outbox_rows"
        }
        assert sum(v for labels, v in by_status.items() if ("status", "sent") in labels) == sent
        assert found[("wegwijs_updates_handled_total", ())] == 5

        # A fault while handling an update is counted (and the person still hears something went wrong).
        await bot.client.inject_fault("sendMessage", 500, count=1)
        await person.say("/menu")
        found = await metrics(bot)
        assert found[("wegwijs_handler_errors_total", (("source", "update"),))] == 1


async def test_metrics_show_due_rows_waiting_and_open_questions(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY)
    async with bot_under_test(tmp_path / "w.db", clock=clock, http_port=0) as bot:  # no dispatcher: rows wait
        db = bot.services.db
        plan = {"user_id": 5, "chat_id": 5, "kind": "notice", "params": {}, "quiet": False}
        with db.atomic():
            outbox.enqueue_many(db, [
                Planned(**plan, key="a", due_at=MONDAY - timedelta(minutes=10)),
                Planned(**plan, key="b", due_at=MONDAY - timedelta(minutes=1)),
                Planned(**plan, key="c", due_at=MONDAY + timedelta(hours=1)),
            ])
            for answered in (None, None, iso(MONDAY)):
                waiting = None if answered else iso(MONDAY)  # an answer ends the wait (bot/casework/questions.py)
                db["questions"].insert({"user_id": 5, "klantmanager_id": 9, "status": "open", "created_at": iso(MONDAY),
                                        "answered_at": answered, "waiting_since": waiting})
            db["questions"].insert({"user_id": 5, "klantmanager_id": 9, "status": "done", "created_at": iso(MONDAY)})
        found = await metrics(bot)
        assert found[("wegwijs_outbox_due_rows", ())] == 2
        assert found[("wegwijs_outbox_oldest_due_seconds", ())] == 600
        assert found[("wegwijs_outbox_rows", (("kind", "notice"), ("status", "pending")))] == 3
        assert found[("wegwijs_questions_open", (("answered", "no"),))] == 2
        assert found[("wegwijs_questions_open", (("answered", "yes"),))] == 1


async def test_backup_while_the_bot_writes_is_whole_and_restores(tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    copy = tmp_path / "backup.db"
    async with bot_under_test(db_path, clock=FakeClock(MONDAY)) as bot:
        db = bot.services.db
        # Enough rows that the copy takes a moment (about 5 MB).
        with db.atomic():
            outbox.enqueue_many(db, (
                Planned(user_id=n, chat_id=n, kind="notice", params={"n": n}, due_at=MONDAY, key=f"fill:{n}", quiet=False)
                for n in range(FILL_ROWS)
            ))
        backup = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "backup", str(copy), "--db", str(db_path),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        written = 0
        waiting = asyncio.create_task(backup.communicate())
        while not waiting.done():  # the bot plans messages (one commit each) and answers while the copy is made
            outbox.enqueue(db, user_id=1, chat_id=1, kind="notice", params={}, due_at=MONDAY, key=f"w:{written}")
            written += 1
            if written % 50 == 0:
                await bot.person(10_000 + written).say("/start")
            await asyncio.sleep(0.002)
        out, err = await waiting
        assert backup.returncode == 0, err.decode()
        assert written >= 20  # writes went on during the backup
        assert f"{copy}:" in out.decode() and "integrity ok" in out.decode()

    found = sqlite3.connect(copy)
    try:
        assert found.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # One moment, not half a transaction: the trigger-kept counts match the rows.
        counted = dict(((k, s), n) for k, s, n in found.execute("SELECT kind, status, n FROM outbox_counts WHERE n > 0"))
        actual = dict(((k, s), n) for k, s, n in found.execute("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status"))
        assert counted == actual and sum(actual.values()) >= FILL_ROWS
        # The rows planned during the backup: those before some moment, none after it.
        keys = {key for (key,) in found.execute("SELECT key FROM outbox WHERE key LIKE 'w:%'")}
        assert keys == {f"w:{n}" for n in range(len(keys))} and len(keys) <= written
        rows = found.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        found.close()

    # Restore as the README says: the bot stopped, the file copied back, the WAL files of the old one removed.
    for leftover in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(copy, db_path)
    async with bot_under_test(db_path, clock=FakeClock(MONDAY)) as bot:
        assert bot.services.db["outbox"].count == rows
        assert (await bot.person(20_000).say("/start"))  # and it answers


def test_backup_refuses_to_overwrite_and_says_why(tmp_path: Path, capsys) -> None:
    db_path = tmp_path / "w.db"
    args = ["--db", str(db_path)]
    assert cli(["backup", str(tmp_path / "b.db"), *args]) == 2
    assert f"wegwijs backup: no database at {db_path}" in capsys.readouterr().err
    assert not db_path.exists()  # nothing created where there was none

    from bot.core.db import open_db
    open_db(db_path).close()
    target = tmp_path / "b.db"
    assert cli(["backup", str(target), *args]) == 0
    assert f"{target}:" in capsys.readouterr().out
    first = target.stat().st_mtime_ns
    assert cli(["backup", str(target), *args]) == 2
    assert f"{target} exists; add --force to overwrite it" in capsys.readouterr().err
    assert target.stat().st_mtime_ns == first
    assert cli(["backup", str(target), "--force", *args]) == 0
    assert cli(["backup", str(tmp_path / "no" / "b.db"), *args]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli(["backup", str(db_path), "--force", *args]) == 2
    assert "is the live database itself" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no partial file left


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_wegwijs_run_serves_healthz_on_its_port_and_stops_when_the_port_is_taken(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "WEGWIJS_DISPATCH_SECONDS": "1"}
    with socket.create_server(("127.0.0.1", 0)) as taken:  # someone else listens there
        taken_port = taken.getsockname()[1]
        async with running_emulator(limits=False) as emu:

            async def run(db: str, http_port: int) -> asyncio.subprocess.Process:
                return await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", "--api-url", emu.api_url, "--db", str(tmp_path / db),
                    "--http-port", str(http_port), env=env,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                )

            serving, refused = await run("a.db", port), await run("b.db", taken_port)
            try:
                await _line(serving.stderr, rf"wegwijs HTTP on http://127\.0\.0\.1:{port} \(/healthz, /metrics\)")
                async with aiohttp.ClientSession() as session:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200, await response.text()
                    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                        assert "wegwijs_outbox_due_rows 0.0" in await response.text()
                _, err = await asyncio.wait_for(refused.communicate(), 60)
                assert refused.returncode == 2
                assert f"wegwijs run: cannot serve /healthz and /metrics on 127.0.0.1:{taken_port}" in err.decode()
                assert "Traceback" not in err.decode()

                # A second bot on the first one's database stops at once, naming the first (bot/core/db_owner.py).
                second = await run("a.db", 0)
                _, err = await asyncio.wait_for(second.communicate(), 60)
                assert second.returncode == 2
                assert f"wegwijs run: process {serving.pid} already runs a bot on {tmp_path / 'a.db'}" in err.decode()
                demo = await asyncio.create_subprocess_exec(  # nor does the demo's emulated Telegram get its messages
                    sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "a.db"), env=env,
                    stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                )
                _, err = await asyncio.wait_for(demo.communicate(), 60)
                assert demo.returncode == 2 and "already runs a bot" in err.decode()
                async with aiohttp.ClientSession() as session:  # the first one goes on
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200, await response.text()
            finally:
                for process in (serving, refused):
                    if process.returncode is None:
                        process.terminate()
                    await asyncio.wait_for(process.wait(), 30)
