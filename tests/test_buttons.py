"""The button patterns (bot/screens/buttons.py) fit every button the content can make, and no forged number."""

from __future__ import annotations

import re

import pytest

from bot.screens import buttons
from bot.texts.render import Renderer
from bot.texts.timing import load_timing

MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit


def all_patterns() -> list[re.Pattern[str]]:
    return [value for value in vars(buttons).values() if isinstance(value, re.Pattern)]


def test_every_content_id_fits_its_pattern_and_telegrams_limit(renderer: Renderer) -> None:
    journey = renderer.journey
    made = [f"lang:{code}" for code in journey.languages]
    made += [f"step:{step.id}" for step in journey.steps] + ["step:?"]
    made += [f"item:{item_id}" for item_id in journey.referenced_items()]
    made += [f"ask:item:{item_id}" for item_id in journey.referenced_items()]
    made += [f"more:{item_id}" for item_id in journey.referenced_items()]
    made += [f"kb:item:{step.id}:{item.id}" for step in journey.steps for item in step.items]
    made += [f"kap:new:{2**52}:{kind}" for kind in load_timing(journey).appointment_kinds]
    patterns = all_patterns()
    for data in made:
        assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES, data
        assert any(pattern.match(data) for pattern in patterns), data


@pytest.mark.parametrize(
    "data",
    ["appt:yes:²", "appt:yes:١٢", "kq:call:" + "9" * 13, "ka:1:" + "9" * 11, "kc:card:" + "1" * 17, "appt:yes:1\n",
     "kap:drop:1:" + "9" * 10],
)
def test_numbers_are_ascii_digits_of_bounded_length(data: str) -> None:
    patterns = all_patterns()
    assert not any(pattern.match(data) for pattern in patterns)
