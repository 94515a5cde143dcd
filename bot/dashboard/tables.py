"""The admin overview's tables, and the rule that hides small counts.

Every count of people (or of their messages, questions, appointments) below
``THRESHOLD`` is shown as ``SUPPRESSED`` ("<5"), zero included: a table must
not let a team lead pick out one person. A total over cells of which some are
hidden would give them away by subtraction, so such a total is rounded to
ten and marked ``≈`` (unless the hidden cells are all zero: that names no one). Charts draw the values as the table shows them and
leave hidden ones out (``bot/dashboard/charts.py``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

THRESHOLD = 5
SUPPRESSED = f"<{THRESHOLD}"
NOT_SHOWN = "–"
"""A figure (a time, a share) left out because the count it is computed from is hidden."""
ROUGHLY = "≈"


class Link(NamedTuple):
    """A cell that links somewhere: the dashboard shows ``text`` as a link to ``href``."""

    text: str
    href: str


Cell = str | int | Link


@dataclass(frozen=True)
class Table:
    """One table of the admin overview (the interface the dashboard's pages render).

    ``key``: stable name (the CSV file name, an anchor). ``title``, ``columns``
    and ``note`` are Dutch texts from ``content/nl/ui.yaml``. A cell is an
    ``int`` (a count of 5 or more), a ``str`` (``"<5"``, ``"≈150"``, a label, a
    time) or a ``Link`` ((text, href) tuple; in the understanding table, the
    item's text in that language at ``/content/<lang>/<item id>``).
    ``chart_svg``: a complete, self-contained ``<svg>`` (no script, nothing
    loaded) with ``<title>`` and ``<desc>``, or None.
    """

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart_svg: str | None = None
    note: str | None = None


def shown(count: int) -> int | str:
    """A count as the overview may show it."""
    return count if count >= THRESHOLD else SUPPRESSED


def is_hidden(count: int) -> bool:
    return count < THRESHOLD


def total_shown(parts: Iterable[int]) -> int | str:
    """The sum of ``parts`` as shown beside the parts: rounded when some part is hidden."""
    parts = list(parts)
    total = sum(parts)
    if is_hidden(total):
        return SUPPRESSED
    if any(0 < part < THRESHOLD for part in parts):  # hidden zeros give no one away
        return f"{ROUGHLY}{round(total, -1)}"
    return total


def chart_value(cell: Cell) -> int | None:
    """The number a chart may draw for a shown cell: hidden ones none, rounded ones rounded."""
    if isinstance(cell, int):
        return cell
    if isinstance(cell, str) and cell.startswith(ROUGHLY):
        return int(cell[len(ROUGHLY):])
    return None


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage, only when neither count is hidden."""
    if is_hidden(part) or is_hidden(whole):
        return NOT_SHOWN
    return f"{round(100 * part / whole)}%"


def as_csv(table: Table) -> str:
    """The table as CSV (header row first), cells exactly as shown; a ``Link`` gives its text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([cell.text if isinstance(cell, Link) else cell for cell in row])
    return out.getvalue()
