"""Checks of a critical item's shape: short, and the action first.

A critical item is sent with its short part first (the text before the
``<!-- more -->`` line, or the whole text when there is none). That part must
fit on about two phone screens (``SHORT_LIMIT`` characters as the reader sees
them, title included), and its first paragraph must be the action:

- it starts with a bold line: the editor marks the action that way;
- and, for a language listed in ``content/action_words.yaml``, it holds one of
  that language's action words (imperatives such as "Ga", "Teken", "Vraag").

The word list is a heuristic and says so: it catches a first paragraph that
only explains ("De instemmingsverklaring is een formulier."), not one that
names a wrong action. ``bot.editors.checker`` reports what this module finds as
warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from bot.texts.content import Item
from bot.texts.readmore import MORE_MARKER, marker_count, split_body
from bot.editors.textcheck import Problem, render_sample, visible_length

SHORT_LIMIT = 600
ACTION_WORDS_FILE = "action_words.yaml"
_BOLD_LINE = re.compile(r"\*\*[^*\n].*\*\*[ \t]*")


class ActionWordsError(ValueError):
    """``action_words.yaml`` cannot be read as ``<lang>: [word, word]``."""


def load_action_words(root: Path) -> dict[str, frozenset[str]]:
    """Per language, the words that mark an action; no file means no lists."""
    path = root / ACTION_WORDS_FILE
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ActionWordsError(str(exc)) from exc
    if not isinstance(raw, dict) or not all(isinstance(words, list) for words in raw.values()):
        raise ActionWordsError("write one line per language: nl: [ga, teken, vraag]")
    return {str(lang): frozenset(str(w).casefold() for w in words) for lang, words in raw.items()}


def first_paragraph(body: str) -> str:
    short, _ = split_body(body)
    return re.split(r"\n[ \t]*\n", short, maxsplit=1)[0].strip()


def has_action_word(paragraph: str, words: frozenset[str]) -> bool:
    found = {w.casefold() for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", paragraph)}
    return bool(found & words)


def shape_problems(item: Item, locale: str, action_words: Mapping[str, frozenset[str]]) -> list[Problem]:
    """What is wrong with the shape of one critical item (line numbers count from its body)."""
    problems: list[Problem] = []
    if marker_count(item.body) > 1:
        problems.append(
            Problem(
                f"the text has {marker_count(item.body)} '{MORE_MARKER}' lines; only the first one counts",
                f"keep one '{MORE_MARKER}' line, after what the reader must do",
            )
        )
    rendered, _ = render_sample(item.short_template, locale, item.variables)
    if rendered is not None:
        length = visible_length(rendered) + len(item.title) + 2
        if length > SHORT_LIMIT:
            where = "before the 'Read more' line" if split_body(item.body)[1] else "(there is no 'Read more' line)"
            problems.append(
                Problem(
                    f"a critical text must start with at most {SHORT_LIMIT} characters (title included) of what to "
                    f"do; the part {where} is {length}",
                    f"keep what the reader must do (or not do) and by when, then put a line '{MORE_MARKER}' "
                    "before the background",
                )
            )
    paragraph = first_paragraph(item.body)
    if not _BOLD_LINE.fullmatch(paragraph.splitlines()[0] if paragraph else ""):
        problems.append(
            Problem(
                "the first paragraph of a critical text does not start with a bold line: the action",
                "start with what the reader must do (or not do) and by when, in bold: **Teken ... voor 1 mei.**",
            )
        )
    words = action_words.get(item.lang)
    if words and not has_action_word(paragraph, words):
        problems.append(
            Problem(
                f"the first paragraph of a critical text holds none of the action words of {item.lang} "
                f"(content/{ACTION_WORDS_FILE}): it seems to explain, not to say what to do",
                "start with what the reader must do; or, if it does, add its verb to the list",
            )
        )
    return problems
