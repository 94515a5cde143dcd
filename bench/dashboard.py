"""The admin overview's data on a database of 100,000 people and 1,000,000 outbox rows.

    .venv/bin/python -m bench.dashboard [--db big.db] [--people 100000] [--outbox 1000000] [--repeat 50]

Without ``--db`` (or when that file does not exist yet) the database is made
first with ``bench/bigdb.py``. Each section of the overview
(``bot/dashboard/sections.py``: its queries, its rows and its chart; one admin
page each, ``/admin/<section>``) is built ``--repeat`` times; printed are p50
and p99 per section against the target of issue 16 (p99 ≤ 200 ms per page),
then all sections at once (for comparison), each table's CSV as its route
makes it (``insights.table``: its own section only), and the query plan of
every statement the overview runs (a SCAN of a table that grows with people
is marked). ``bench/dashboard_pages.py`` times the pages over HTTP.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from bench.bigdb import NOW, generate
from bot.core.config import DEFAULT_CONTENT_DIR
from bot.core.db import open_db
from bot.dashboard import insights
from bot.dashboard.counters import COUNTERS, REMINDERS_SENT
from bot.dashboard.sections import SECTIONS, TABLES, View
from bot.texts.content import load_content
from bot.texts.render import Renderer

TARGET_MS = 200
SMALL_TABLES = {"staff", "meta", "outbox_counts", REMINDERS_SENT, *(counter.table for counter in COUNTERS)}


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def timed(build: Callable[[], object], repeat: int) -> list[float]:
    build()  # warm: the first run reads the pages from disk
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        build()
        times.append((time.perf_counter() - started) * 1000)
    return times


def plans(db: sqlite_utils.Database, renderer: Renderer) -> list[tuple[str, list[str]]]:
    """Each distinct statement the overview runs, with its query plan."""
    seen: dict[str, None] = {}

    def trace(sql: str) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "sqlite_master" not in sql:
            seen.setdefault(" ".join(sql.split()), None)

    db.conn.set_trace_callback(trace)
    try:
        insights.admin_overview(db, renderer, NOW)
    finally:
        db.conn.set_trace_callback(None)
    return [(sql, [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]) for sql in seen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--outbox", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="wegwijs-dashboard-")) / "big.db"
    if not path.exists():
        print(f"making {path}: {args.people:,} people, {args.outbox:,} outbox rows ...", flush=True)
        started = time.perf_counter()
        generate(path, args.people, args.outbox)
        print(f"  {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    db = open_db(path)
    print(f"opened (and brought up to date) in {time.perf_counter() - started:.2f} s")
    renderer = Renderer(load_content(DEFAULT_CONTENT_DIR))

    print(f"\n{'section (a page)':<18}{'p50':>10}{'p99':>10}   (ms, {args.repeat} runs each; target p99 ≤ {TARGET_MS} ms)")
    over = False
    for name, build in SECTIONS.items():
        times = timed(lambda build=build: build(View(db, renderer, NOW)), args.repeat)
        over |= p99(times) > TARGET_MS
        print(f"{name:<18}{statistics.median(times):>10.1f}{p99(times):>10.1f}   {'OVER' if p99(times) > TARGET_MS else 'met'}")
    print(f"every section within the target: {'no' if over else 'yes'}")
    times = timed(lambda: insights.admin_overview(db, renderer, NOW), args.repeat)
    print(f"{'all six at once':<18}{statistics.median(times):>10.1f}{p99(times):>10.1f}   (no page asks for this)")
    print(f"\n{'one CSV (table)':<18}{'p50':>10}{'p99':>10}")
    for key in TABLES:
        csv_times = timed(lambda key=key: insights.as_csv(insights.table(db, renderer, NOW, key)), args.repeat)
        print(f"{key:<18}{statistics.median(csv_times):>10.1f}{p99(csv_times):>10.1f}")

    print("\nquery plans:")
    whole_table = False
    for sql, plan in plans(db, renderer):
        scans = [step for step in plan if step.startswith("SCAN") and step.split()[1] not in SMALL_TABLES]
        whole_table |= bool(scans)
        print(f"  {'!! ' if scans else ''}{sql[:100]}{'…' if len(sql) > 100 else ''}\n      {'; '.join(plan)}")
    print("\nevery query reads an index or a small table" if not whole_table else "\nSOME QUERY READS A WHOLE BIG TABLE")
    db.close()
    sys.exit(1 if whole_table else 0)


if __name__ == "__main__":
    main()
