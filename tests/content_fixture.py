"""A small, complete content tree for tests, copied fresh into each test's tmp_path.

The path, the long texts and a few short texts come from
``tests/fixtures/content``; the Dutch and English short texts are copied from
the real content, so the bot under test always has all of its buttons.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.config import DEFAULT_CONTENT_DIR
from bot.texts.render import Renderer
from tests.harness import Person

FIXTURE = Path(__file__).parent / "fixtures" / "content"
SHARED_UI = ("nl", "en")


def fixture_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    for lang in SHARED_UI:
        shutil.copy(DEFAULT_CONTENT_DIR / lang / "ui.yaml", root / lang / "ui.yaml")
    return root


async def onboard(person: Person, renderer: Renderer, lang: str, step_number: int = 1) -> list[dict]:
    """/start, choose the language, accept privacy, choose a step; returns the step card."""
    await person.say("/start")
    await person.press(renderer.button(lang, "language.name"))
    await person.press(renderer.button(lang, "privacy.accept"))
    step = renderer.journey.steps[step_number - 1]
    label = renderer.button(lang, "step.button", n=step.number, title=renderer.title(lang, step.overview))
    return await person.press(label)
