"""Rendering the dashboard's pages: Jinja2 templates with autoescape, labels from ``ui.yaml``.

Every label is a ``dashboard.*`` (or ``km.*``) ui text in the source language
(Dutch: staff work in Dutch), fetched through ``t(key, **values)`` in the
templates as plain text, so autoescape makes it safe like any other value.
"""

from __future__ import annotations

from typing import Any

import jinja2

from bot.dashboard.tables import Link
from bot.texts.render import Renderer

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.dashboard", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.tests["link"] = lambda value: isinstance(value, Link)
"""``{% if cell is link %}``: a table's cell that links (asking a text or a number for ``.href`` costs an exception)."""


def render(renderer: Renderer, template: str, **values: Any) -> str:
    """A whole page; ``values`` are what the template names (``member`` is the signed-in staff, or None)."""
    lang = renderer.journey.source_language

    def t(key: str, **label_values: Any) -> str:
        return renderer.button(lang, key, **label_values)

    values.setdefault("member", None)
    return TEMPLATES.get_template(template).render(t=t, lang=lang, **values)
