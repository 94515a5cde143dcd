"""The dashboard's pages over HTTP on a database of 100,000 people and 1,000,000 outbox rows.

    .venv/bin/python -m bench.dashboard_pages [--db big.db] [--people 100000] [--outbox 1000000] [--repeat 30]

Without ``--db`` (or when that file does not exist yet) the database is made
first with ``bench/bigdb.py``. The dashboard's routes run on a real aiohttp
server, as beside the bot (no bot is polling: the pages need only its
services); a klantmanager with a caseload of 100 and an admin are signed in
through the sign-in functions, and each page is fetched ``--repeat`` times
after one warm-up: printed are p50 and p99 per page against the target of
issue 16 (p99 ≤ 200 ms per page). The admin's pages are one per section of the
overview (``/admin/<section>``), and a few of its CSVs; ``bench/dashboard.py`` times
the sections' data without HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from telegram.ext import ApplicationBuilder

from bench.bigdb import FIRST_PERSON, NOW, generate
from bot.casework import staff
from bot.core.clock import FakeClock
from bot.core.config import DEFAULT_CONTENT_DIR, Settings
from bot.core.db import open_db
from bot.core.features import Registry
from bot.core.services import KEY, Services
from bot.dashboard import signin
from bot.dashboard.insights import SECTION_NAMES
from bot.dashboard.respond import COOKIE
from bot.dashboard.web import add_routes
from bot.features import FEATURES
from bot.texts.content import load_content
from bot.texts.render import Renderer

TARGET_MS = 200
ADMIN = 9001
KLANTMANAGER = 1
"""The first klantmanager of bench/bigdb.py: clients FIRST_PERSON .. FIRST_PERSON + 99."""


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def measure(db_path: Path, repeat: int) -> list[tuple[str, list[float]]]:
    db = open_db(db_path)
    clock = FakeClock(NOW)
    staff.add_admin(db, ADMIN, "Beheer", NOW)
    sessions = {}
    for who in (KLANTMANAGER, ADMIN):
        opened = signin.open_session(db, signin.new_link_token(db, who, NOW), NOW)
        assert isinstance(opened, signin.Opened)
        sessions[who] = opened.session_id
    ptb_app = ApplicationBuilder().token("1:bench").build()
    settings = Settings(db_path=db_path, content_dir=DEFAULT_CONTENT_DIR)
    ptb_app.bot_data[KEY] = Services(settings=settings, db=db, renderer=Renderer(load_content(DEFAULT_CONTENT_DIR)), clock=clock,
                                       registry=Registry.of(FEATURES))
    web_app = web.Application()
    add_routes(web_app, ptb_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    pages = [
        ("caseload (100 clients)", KLANTMANAGER, "/dashboard/clients"),
        ("one client", KLANTMANAGER, f"/dashboard/clients/{FIRST_PERSON}"),
        *((f"admin: {name}", ADMIN, f"/admin/{name}") for name in SECTION_NAMES),
        *((f"CSV: {key}", ADMIN, f"/admin/{key}.csv") for key in ("path", "questions", "answer_weeks", "failures")),
        ("a refused link", None, "/dashboard/signin/" + "A" * 43),
    ]
    results = []
    try:
        for name, who, path in pages:
            cookies = {COOKIE: sessions[who]} if who else {}
            async with aiohttp.ClientSession(cookies=cookies) as http:
                times = []
                for n in range(repeat + 1):
                    started = time.perf_counter()
                    async with http.get(base + path) as response:
                        await response.read()
                        assert response.status == (200 if who else 403), (path, response.status)
                    if n:  # the first fetch warms the caches
                        times.append((time.perf_counter() - started) * 1000)
            results.append((name, times))
    finally:
        await runner.cleanup()
        db.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--outbox", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.db or Path(folder) / "big.db"
        if not db_path.exists():
            print(f"making {db_path}: {args.people:,} people, {args.outbox:,} outbox rows ...", flush=True)
            generate(db_path, args.people, args.outbox)
        results = asyncio.run(measure(db_path, args.repeat))
    print(f"{'page':<26} {'p50 ms':>8} {'p99 ms':>8}  target p99 ≤ {TARGET_MS} ms")
    for name, times in results:
        worst = p99(times)
        print(f"{name:<26} {statistics.median(times):8.1f} {worst:8.1f}  {'met' if worst <= TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
