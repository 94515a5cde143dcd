"""The "Read more" split of a long text: what to do first, the background behind a button.

In an item's body a line holding only ``<!-- more -->`` separates the short
part (what to do or not do, and by when) from the background. The bot sends
the short part with a "Read more" button (``views.item_text``); the preview,
the "Where am I?" card, search and everything else that shows the whole text
simply leave the marker out.
"""

from __future__ import annotations

import re

MORE_MARKER = "<!-- more -->"
_MARKER_LINE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.M)


def split_body(body: str) -> tuple[str, str]:
    """The short part and the rest; the rest is empty when the body has no marker.

    Only the first marker counts; a second one is left to the checker to report.
    """
    parts = _MARKER_LINE.split(body, maxsplit=1)
    if len(parts) == 1:
        return body.strip(), ""
    return parts[0].strip(), parts[1].strip()


def marker_count(body: str) -> int:
    return len(_MARKER_LINE.findall(body))


def whole_body(body: str) -> str:
    """The body without the marker: the short part and the rest as one text."""
    short, rest = split_body(body)
    return f"{short}\n\n{rest}" if rest else short
