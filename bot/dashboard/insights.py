"""The admin (team lead) overview: the gemeente as a whole, without names.

``section`` is what one admin page shows and ``table`` one CSV (``admin_overview``, all
sections at once, is for the checks and the benchmark); each
``Table`` carries its Dutch title, columns, rows, an optional chart (SVG) and
note. Counts below 5 are shown as "<5" everywhere, CSV and charts included
(``bot/dashboard/tables.py``); what each section counts is in
``bot/dashboard/sections.py``.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.dashboard.sections import SECTIONS, TABLES, View
from bot.dashboard.tables import Link, Table, as_csv
from bot.texts.render import Renderer

__all__ = ["SECTION_NAMES", "Link", "Table", "admin_overview", "as_csv", "section", "table"]

SECTION_NAMES: tuple[str, ...] = tuple(SECTIONS)
"""The sections in the order shown; the admin's pages are one section each, the first at ``/admin``."""


def admin_overview(db: sqlite_utils.Database, renderer: Renderer, now: datetime) -> list[Table]:
    """Every table of the overview, section after section."""
    view = View(db, renderer, now)
    return [table for build in SECTIONS.values() for table in build(view)]


def section(db: sqlite_utils.Database, renderer: Renderer, now: datetime, name: str) -> list[Table]:
    """The tables of one section (``SECTIONS``: path, understanding, appointments, questions, delivery, content)."""
    return SECTIONS[name](View(db, renderer, now))


def table(db: sqlite_utils.Database, renderer: Renderer, now: datetime, key: str) -> Table | None:
    """One table by its key (for its CSV), building only its section; None for an unknown key."""
    name = TABLES.get(key)
    if name is None:
        return None
    return next(t for t in section(db, renderer, now, name) if t.key == key)
