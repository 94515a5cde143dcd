"""The path of a statushouder, read from ``content/journey.yaml``.

Nothing about the path lives in code: steps, their order, their content items
and which items are critical all come from the file, so another gemeente can
ship its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.texts.parsed_yaml import YamlSyntaxError, parse



class JourneyError(ValueError):
    """The path file is malformed."""


@dataclass(frozen=True)
class ItemRef:
    id: str
    critical: bool = False


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    items: tuple[ItemRef, ...]

    @property
    def overview(self) -> str:
        """The item shown under "where am I"; its title is the step's name."""
        return self.items[0].id

    @property
    def critical_items(self) -> tuple[str, ...]:
        return tuple(ref.id for ref in self.items if ref.critical)

    @property
    def extra_items(self) -> tuple[str, ...]:
        return tuple(ref.id for ref in self.items[1:])


@dataclass(frozen=True)
class Journey:
    gemeente: str
    source_language: str
    languages: tuple[str, ...]
    fallback: tuple[str, ...]
    locales: dict[str, str]
    steps: tuple[Step, ...]
    topics: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    staff_text_prefixes: tuple[str, ...] = ()

    def step(self, step_id: str | None) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def next_step(self, step: Step) -> Step | None:
        return self.steps[step.number] if step.number < len(self.steps) else None

    def locale(self, lang: str) -> str:
        return self.locales.get(lang, lang)

    def fallback_chain(self, lang: str) -> tuple[str, ...]:
        """The user's language, then the fallbacks, then the source language."""
        chain = [lang, *self.fallback, self.source_language]
        return tuple(dict.fromkeys(chain))

    def item_step(self, item_id: str) -> Step | None:
        return next((s for s in self.steps if any(r.id == item_id for r in s.items)), None)

    def is_critical(self, item_id: str) -> bool:
        return any(r.id == item_id and r.critical for s in self.steps for r in s.items)

    def is_staff_text(self, key: str) -> bool:
        """Short texts only staff read (klantmanagers, admins): source language only."""
        return key.startswith(self.staff_text_prefixes)

    def translatable_ui(self, source: dict[str, str]) -> dict[str, str]:
        """The short texts every language must have: all but the staff texts."""
        return {key: text for key, text in source.items() if not self.is_staff_text(key)}

    def referenced_items(self) -> list[str]:
        return [r.id for s in self.steps for r in s.items] + list(self.topics)


def load_journey(path: Path) -> Journey:
    try:
        raw = parse(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        raise JourneyError(f"{path}:{exc.line}: not valid YAML: {exc.problem}") from exc
    except OSError as exc:
        raise JourneyError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not raw.get("steps"):
        raise JourneyError(f"{path}: needs a list of steps")
    steps = []
    for number, entry in enumerate(raw["steps"], start=1):
        items = tuple(
            ItemRef(id=str(i["id"]), critical=bool(i.get("critical", False)))
            for i in entry.get("items") or []
        )
        if not items:
            raise JourneyError(f"{path}: step {entry.get('id')!r} has no items")
        steps.append(Step(id=str(entry["id"]), number=number, items=items))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise JourneyError(f"{path}: step ids must be unique")
    source = str(raw.get("source_language", "nl"))
    languages = tuple(raw.get("languages") or [source])
    known = {"gemeente", "source_language", "languages", "fallback", "locales", "steps", "topics", "staff_texts"}
    return Journey(
        gemeente=str(raw.get("gemeente", "")),
        source_language=source,
        languages=languages,
        fallback=tuple(raw.get("fallback") or []),
        locales=dict(raw.get("locales") or {}),
        steps=tuple(steps),
        topics=tuple(raw.get("topics") or []),
        staff_text_prefixes=tuple(str(p) for p in raw.get("staff_texts") or ()),
        settings={k: v for k, v in raw.items() if k not in known},
    )


T = TypeVar("T")


def parsed_per_journey(parse: Callable[[Journey], T]) -> Callable[[Journey], T]:
    """``parse`` run once for the journey last asked for, not on every call.

    Settings parsed from the path (timing rules, retention rules) are asked
    for on hot paths (the dispatcher, every message); a journey only changes
    when content is reloaded, and then it is a new object.
    """
    last: list[Any] = []

    def load(journey: Journey) -> T:
        if not last or last[0] is not journey:
            last[:] = [journey, parse(journey)]
        return last[1]

    load.__doc__ = parse.__doc__
    return load
