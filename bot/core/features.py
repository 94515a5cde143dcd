"""One feature contract: what a feature brings, declared in one place, and the registry of an app.

A feature declares its routes (what it answers, for every channel), the
Telegram-only handlers of staff, its outbox kinds and their senders, the
awaited answers it takes, the commands it puts in the command menu, the staff
commands and buttons it owns, jobs and CLI subcommands. The app walks one
ordered list of features (``bot/features.py``) and builds a :class:`Registry`
kept on its ``Services``, not in module globals: tests run many bots in one
process, each with its own features.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core.routes import Route

if TYPE_CHECKING:
    from bot.core.awaiting import Awaiting
    from bot.core.services import Services
    from bot.core.turns import Turn
    from bot.delivery.outbox import Sender
    from bot.people.users import User

AwaitedHandler = Callable[["Services", "Turn", "User", "Awaiting"], Awaitable[None]]
"""Takes the next message of a person who was asked for one (``bot/core/awaiting.py``)."""


@dataclass(frozen=True)
class Job:
    """Work the app runs on its own: once soon after the start, or every ``every`` from the start."""

    name: str
    run: Callable[["Services"], Awaitable[None]]
    every: timedelta | None = None


@dataclass(frozen=True)
class Feature:
    """Everything one feature plugs into the app.

    ``telegram`` adds the feature's Telegram-only handlers (the klantmanager's
    work, which stays in Telegram) to the PTB Application, before its
    ``routes``; ``staff_awaited`` are the awaited answers of those handlers, in
    PTB's terms. ``commands`` go into the command menu, each with the label
    ``command.<name>``, by their place (lower first; features share one menu).
    """

    name: str
    routes: tuple[Route, ...] = ()
    telegram: Callable[[Any], None] | None = None
    senders: Mapping[str, "Sender"] = field(default_factory=dict)
    awaited: Mapping[str, AwaitedHandler] = field(default_factory=dict)
    staff_awaited: Mapping[str, Callable[..., Awaitable[None]]] = field(default_factory=dict)
    commands: Mapping[str, int] = field(default_factory=dict)
    """Command name → its place in the command menu."""
    staff_commands: tuple[str, ...] = ()
    staff_buttons: tuple[str, ...] = ()
    """Prefixes of the staff's button data."""
    jobs: tuple[Job, ...] = ()
    cli: Callable[[argparse._SubParsersAction], None] | None = None  # type: ignore[type-arg]
    """Adds the feature's ``wegwijs`` subcommands."""


def _joined(features: Iterable[Feature], part: str) -> dict[str, Any]:
    joined: dict[str, Any] = {}
    for feature in features:
        for name, value in getattr(feature, part).items():
            if name in joined:
                raise ValueError(f"{part} {name!r} is declared twice (feature {feature.name!r})")
            joined[name] = value
    return joined


@dataclass(frozen=True)
class Registry:
    """What the features of one app declared, joined in their order."""

    features: tuple[Feature, ...]
    routes: tuple[Route, ...]
    senders: Mapping[str, "Sender"]
    awaited: Mapping[str, AwaitedHandler]
    staff_awaited: Mapping[str, Callable[..., Awaitable[None]]]
    commands: tuple[str, ...]
    staff_commands: frozenset[str]
    staff_buttons: frozenset[str]
    jobs: tuple[Job, ...]

    @classmethod
    def of(cls, features: Iterable[Feature]) -> Registry:
        features = tuple(features)
        names = [f.name for f in features]
        if len(set(names)) != len(names):
            raise ValueError(f"a feature is listed twice: {names}")
        menu: dict[str, int] = _joined(features, "commands")
        return cls(
            features=features,
            routes=tuple(route for f in features for route in f.routes),
            senders=_joined(features, "senders"),
            awaited=_joined(features, "awaited"),
            staff_awaited=_joined(features, "staff_awaited"),
            commands=tuple(sorted(menu, key=menu.__getitem__)),
            staff_commands=frozenset(command for f in features for command in f.staff_commands),
            staff_buttons=frozenset(prefix for f in features for prefix in f.staff_buttons),
            jobs=tuple(job for f in features for job in f.jobs),
        )
