"""A YAML mistake as an editor needs it: the line it is on, and what is wrong, in one line.

PyYAML's own message quotes the whole input as ``"<unicode string>"`` and
often names the start of the enclosing block first (line 5 for a mistake on
line 51); the problem mark is where the mistake is.
"""

from __future__ import annotations

import yaml


def describe(exc: yaml.YAMLError, first_line: int = 1) -> tuple[int, str]:
    """The file line of the mistake and what it is.

    ``first_line`` is the line of the file the parsed text starts on (a front
    matter block is parsed from the ``---`` line on).
    """
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    if mark is None or problem is None:
        return first_line, " ".join(str(exc).split())
    return mark.line + first_line, f"{problem} (column {mark.column + 1})"
