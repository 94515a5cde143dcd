"""Right-to-left text with Latin inside it, the way Telegram lays it out.

A Telegram client gives each line the direction of its first strong
character: a Farsi line starting with "klantmanager" is laid out
left-to-right, and "/mydata" after Arabic text shows as "mydata/". For
right-to-left languages the renderer therefore

- wraps every Latin run (words, names, addresses) and every /command in
  LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE, so it keeps its own
  order and does not pull its neighbours along;
- starts every line whose first strong character would be Latin with a
  RIGHT-TO-LEFT MARK.

Only text between tags is touched: nothing is inserted inside a tag, its
attributes or an entity such as ``&amp;``. ``strip_marks`` removes all of
these marks again wherever text is compared (checks, search, tests).
"""

from __future__ import annotations

import html
import re
import unicodedata

RLM = "\u200f"
LRM = "\u200e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
EMBEDDINGS = "\u202a\u202b\u202c\u202d\u202e"
MARKS = RLM + LRM + LRI + RLI + FSI + PDI + EMBEDDINGS
_STRIP = str.maketrans("", "", MARKS)

_LATIN = r"A-Za-z\u00C0-\u024F"
_WORD = rf"[{_LATIN}][{_LATIN}0-9]*(?:['’.\-@_][{_LATIN}0-9]+)*"
# A run: Latin words with spaces (or numbers) between them, or a /command; a
# run already isolated is left alone, so marking twice changes nothing.
_RUN = re.compile(
    rf"(?<![{_LATIN}0-9/])/[A-Za-z][A-Za-z0-9_]*"
    rf"|(?<![{_LATIN}0-9]){_WORD}(?:[ \u00A0]+(?:{_WORD}|[0-9]+(?=[ \u00A0]+[{_LATIN}])))*"
)
_ISOLATED = re.compile(f"[{LRI}{FSI}][^{PDI}]*{PDI}")
# Tags and entities are left whole; only the text between them is changed.
_MARKUP = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def strip_marks(text: str) -> str:
    """The text without the direction marks the renderer added."""
    return text.translate(_STRIP)


def _isolate_text(text: str) -> str:
    out, at = [], 0
    for done in _ISOLATED.finditer(text):
        out.append(_RUN.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text[at : done.start()]))
        out.append(done.group(0))
        at = done.end()
    out.append(_RUN.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text[at:]))
    return "".join(out)


def isolate_latin(markup: str) -> str:
    """Wrap Latin runs and /commands in LRI … PDI, in the text between tags and entities only."""
    out, at = [], 0
    for match in _MARKUP.finditer(markup):
        out.append(_isolate_text(markup[at : match.start()]))
        out.append(match.group(0))
        at = match.end()
    out.append(_isolate_text(markup[at:]))
    return "".join(out)


def strong_direction(char: str) -> str | None:
    """'L' or 'R' for a strong character (RLM counts as R, LRM as L), None for the rest."""
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    return None


def first_strong(line: str) -> str | None:
    """The direction a client that looks only at the first strong character gives a line.

    Tags and entities are skipped; isolated runs are not (a simple client
    may not know isolates), so an isolated Latin word first still counts as L.
    """
    visible = html.unescape(_MARKUP.sub(lambda m: "" if m.group(0).startswith("<") else m.group(0), line))
    for char in visible:
        direction = strong_direction(char)
        if direction is not None:
            return direction
    return None


def start_right_to_left(markup: str) -> str:
    """Put an RLM at the start of every non-empty line that would otherwise lay out left-to-right."""
    lines = markup.split("\n")
    return "\n".join(RLM + line if line.strip() and first_strong(line) != "R" else line for line in lines)


def right_to_left(markup: str) -> str:
    """Telegram HTML (or plain text without '<') made safe to show in a right-to-left language."""
    return start_right_to_left(isolate_latin(markup))


def right_to_left_plain(text: str) -> str:
    """The same for plain text such as a button label, where '<' and '&' are just characters."""
    return html.unescape(right_to_left(html.escape(text, quote=False)))
