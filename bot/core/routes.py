"""What a feature answers: routes from a person's turn to a handler, for every channel.

A route names one kind of input (a command, a button pattern from
``bot/screens/buttons.py``, any command, any button, a message that is neither,
an edit, a button without data) and the handler that answers it. Routes are
matched as PTB matches its handlers, which the Telegram channel builds from
them one to one (``bot/channels/telegram/routes.py``): groups in ascending
order, in each group the first route that matches, in the order of the
features and of their routes. ``bot/conversation/handle.py`` matches the
same routes for every other channel.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.turns import EDITED, Turn

if TYPE_CHECKING:
    from bot.core.services import Services

BEFORE_ALL = -1
"""A group that runs before the main one and lets the turn go on to it (ending an awaited answer)."""
MAIN = 0
"""The group of everything else: the first route that matches answers."""

Handler = Callable[["Services", Turn, "re.Match[str] | None"], Awaitable[None]]
"""A route's handler: the turn and, for a button, its data as the route's pattern parsed it."""


@dataclass(frozen=True)
class Route:
    """One kind of input and its handler. Give exactly one of the kinds."""

    handler: Handler
    command: str | None = None
    """A command by name (``/start``)."""
    button: re.Pattern[str] | None = None
    """A button whose data matches this pattern."""
    any_command: bool = False
    any_button: bool = False
    """Any button with data (the fallback for forged and old buttons)."""
    message: bool = False
    """A new message that is no command: text, a file, a sticker..."""
    edited: bool = False
    """An edited message."""
    button_without_data: bool = False
    group: int = MAIN

    def __post_init__(self) -> None:
        kinds = (
            self.command is not None, self.button is not None, self.any_command, self.any_button,
            self.message, self.edited, self.button_without_data,
        )
        if sum(kinds) != 1:
            raise ValueError(f"a route answers exactly one kind of input: {self}")

    def match(self, turn: Turn) -> re.Match[str] | bool:
        """Does this route take the turn? For a button pattern: its match."""
        if self.edited:
            return turn.other == EDITED
        if turn.other == EDITED:
            return False
        if self.command is not None:
            return turn.command == self.command
        if self.any_command:
            return turn.command is not None
        if self.button_without_data:
            return turn.button == ""
        if self.button is not None:
            return bool(turn.button) and self.button.match(turn.button) or False
        if self.any_button:
            return bool(turn.button)
        return turn.command is None and turn.button is None


def first_match(routes: tuple[Route, ...], turn: Turn) -> list[tuple[Route, re.Match[str] | None]]:
    """The routes that answer a turn: the first match of each group, groups in ascending order."""
    chosen: dict[int, tuple[Route, re.Match[str] | None]] = {}
    for route in routes:
        if route.group in chosen:
            continue
        found = route.match(turn)
        if found:
            chosen[route.group] = (route, found if isinstance(found, re.Match) else None)
    return [chosen[group] for group in sorted(chosen)]
