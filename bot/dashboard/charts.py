"""Charts of the admin overview as server-side SVG, drawn by pygal.

pygal is pure Python and writes SVG on the server: the page needs no
script and loads nothing (its ``js`` option, which would pull its tooltip
script from a CDN, is off), so it works on a machine without internet.
Each SVG gets a ``<title>`` and ``<desc>`` (and ``role="img"``) for screen
readers; pygal's inline configuration script (read only by its tooltip
script, which is not loaded) is taken out. Values hidden in the table (counts below 5) arrive as None and are
not drawn; the table's note says so.
"""

from __future__ import annotations

import functools
import html
import re
import uuid
from collections.abc import Sequence

import pygal
from pygal.style import Style

STYLE = Style(
    font_family="system-ui, sans-serif",
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#555555",
    colors=("#1f5fa8", "#b8500f", "#2e7d32", "#6a1b9a", "#00838f"),
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
)
_OPTIONS = {"js": [], "style": STYLE, "disable_xml_declaration": True, "width": 760, "height": 420, "margin": 16}
_NOT_NEEDED = re.compile(r"<!--.*?-->|<script\b.*?</script>|<title>[^<]*</title>", re.DOTALL)


def _accessible(svg: str, title: str, description: str) -> str:
    """The SVG (without comments and script) with one title and a description a screen reader reads."""
    ident = f"chart-{uuid.uuid4().hex[:8]}"
    opening_end = svg.index(">") + 1
    head = svg[: opening_end - 1] + f' role="img" aria-labelledby="{ident}-t {ident}-d">'
    label = f'<title id="{ident}-t">{html.escape(title)}</title><desc id="{ident}-d">{html.escape(description)}</desc>'
    return head + label + svg[opening_end:]


Series = tuple[tuple[str, tuple[float | None, ...]], ...]
"""(name, values) per series: hashable, so a drawing can be kept."""


def funnel(title: str, description: str, labels: Sequence[str], values: Sequence[int | None]) -> str:
    """One band per label, widest first as given (the path's steps in order)."""
    series = tuple((label, (value,)) for label, value in zip(labels, values, strict=True) if value is not None)
    return _accessible(_drawn("funnel", title, (), series), title, description)


def bars(title: str, description: str, labels: Sequence[str], values: Sequence[float | None], unit: str = "") -> str:
    """Horizontal bars, one per label, the first on top; a None leaves its label without a bar."""
    # pygal draws the first at the bottom
    return _accessible(_drawn("bars", title, tuple(reversed(labels)), ((title, tuple(reversed(values))),), unit), title, description)


def lines(title: str, description: str, x_labels: Sequence[str], series: dict[str, Sequence[float | None]]) -> str:
    """One line per series over ``x_labels``; a None leaves a gap."""
    drawn = _drawn("lines", title, tuple(x_labels), tuple((name, tuple(values)) for name, values in series.items()))
    return _accessible(drawn, title, description)


@functools.lru_cache(maxsize=32)
def _drawn(kind: str, title: str, x_labels: tuple[str, ...], series: Series, unit: str = "") -> str:
    """pygal's SVG without comments and script, kept for the same figures: pygal takes 5-15 ms a chart,
    and the figures of a page change only now and then (the id for a screen reader is new each time)."""
    if kind == "funnel":
        chart = pygal.Funnel(
            **_OPTIONS, title=title, legend_at_bottom=True, print_values=True, show_y_labels=False, show_y_guides=False
        )
    elif kind == "bars":
        chart = pygal.HorizontalBar(
            **_OPTIONS, title=title, show_legend=False, print_values=True, value_formatter=lambda v: _dutch(v) + unit
        )
    else:
        chart = pygal.Line(
            **_OPTIONS, title=title, legend_at_bottom=True, x_label_rotation=30, allow_interruptions=True,
            value_formatter=_dutch, include_x_axis=True, margin_right=48
        )
    if x_labels:
        chart.x_labels = list(x_labels)
    for name, values in series:
        chart.add(name, list(values))
    return _NOT_NEEDED.sub("", chart.render(is_unicode=True))


def _dutch(value: float) -> str:
    """A number as a Dutch reader writes it: a decimal comma."""
    return f"{value:g}".replace(".", ",")
