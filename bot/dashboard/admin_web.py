"""The admin's (team lead's) pages: the overview of the gemeente without names, one page per
section (``/admin`` is the first, ``/admin/<section>`` each of them, with a menu between them:
together they are the gemeente as a whole), ``/admin/<key>.csv``, each table as CSV (the data:
``insights.section`` and ``insights.table``), and ``/content/<lang>/<item>``, a text as a reader
gets it, where the understanding table links.

One page builds one section only, so each stays within issue 16's 200 ms on 100,000 people
(``bench/dashboard_pages.py``)."""

from __future__ import annotations

import re

from aiohttp import web
from markupsafe import Markup

from bot.casework.staff import Staff
from bot.casework.staff_text import language_name
from bot.dashboard import access, insights, tables
from bot.dashboard.respond import SECURITY_HEADERS, for_staff, message, page, services
from bot.editors.preview import chat_html, text_direction

CSV_NAME = re.compile(r"([a-z0-9_-]{1,64})\.csv")
FIGURE = re.compile(r"[<≈]?[0-9][0-9.,:]*( ?[%a-z]+)?|–")
"""A cell that is a figure as the overview shows it: 12, "<5", "≈150", "40%", "3,5 u", "–" (not shown)."""


def numeric_columns(table: tables.Table) -> set[int]:
    """Columns of figures only, aligned right with their headers (the first column names the row)."""

    def figure(cell: object) -> bool:
        return isinstance(cell, int) or (isinstance(cell, str) and FIGURE.fullmatch(cell) is not None)

    return {i for i in range(1, len(table.columns)) if table.rows and all(figure(row[i]) for row in table.rows)}


@for_staff(access.may_see_admin)
async def admin(request: web.Request, member: Staff) -> web.Response:
    """The first section's page (``/admin``)."""
    return _section_page(request, member, insights.SECTION_NAMES[0])


@for_staff(access.may_see_admin)
async def admin_page(request: web.Request, member: Staff) -> web.Response:
    """``/admin/<section>`` (a section's page) or ``/admin/<key>.csv`` (one table); else not found."""
    name = request.match_info["name"]
    if name in insights.SECTION_NAMES:
        return _section_page(request, member, name)
    return _csv(request, member, name)


def _section_page(request: web.Request, member: Staff, name: str) -> web.Response:
    s = services(request)
    shown = insights.section(s.db, s.renderer, s.clock.now(), name)
    numeric = {table.key: numeric_columns(table) for table in shown}
    return page(request, "admin.html", member=member, tables=shown, numeric=numeric,
                sections=insights.SECTION_NAMES, current=name)


def _csv(request: web.Request, member: Staff, file_name: str) -> web.Response:
    """One table of the overview as CSV (the same rows, "<5" and all), built from its own section only."""
    name = CSV_NAME.fullmatch(file_name)
    s = services(request)
    table = insights.table(s.db, s.renderer, s.clock.now(), name.group(1)) if name else None
    if table is None:
        return message(request, 404, "dashboard.not_found_title", "dashboard.not_found", member)
    return web.Response(
        text=tables.as_csv(table),
        content_type="text/csv",
        charset="utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="wegwijs-{table.key}.csv"'},
    )


@for_staff(lambda member: True)
async def content_item(request: web.Request, member: Staff) -> web.Response:
    """One item's whole text in one language, drawn as the chat shows it (any staff member may read it)."""
    s = services(request)
    lang, item_id = request.match_info["lang"], request.match_info["item"]
    journey = s.renderer.journey
    known = lang in journey.languages and any(item_id in s.renderer.content.items.get(lg, {}) for lg in journey.languages)
    rendered = s.renderer.item(lang, item_id) if known else None
    if rendered is None:
        return message(request, 404, "dashboard.not_found_title", "dashboard.not_found", member)
    return page(
        request,
        "item.html",
        member=member,
        item=rendered,
        body=Markup(chat_html(rendered.html)),  # rebuilt from Telegram's entities, every character escaped
        reader_lang=lang,
        language=language_name(s.renderer, journey.source_language, lang),
        shown_language=language_name(s.renderer, journey.source_language, rendered.lang),
        direction=text_direction(rendered.lang),
    )


ROUTES = [
    web.get("/admin", admin),
    web.get("/admin/{name}", admin_page),
    web.get("/content/{lang}/{item}", content_item),
]
