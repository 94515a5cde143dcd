"""Right-to-left with Latin inside, and the 24-hour clock in every language.

Every item and short text is rendered in Arabic and Farsi the way the bot
sends it; each line must start right-to-left for a client that looks only at
the first strong character, every Latin run and /command must be isolated,
and the emulator's Telegram HTML parser must accept the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.texts.bidi import LRI, PDI, RLM, first_strong, right_to_left, strip_marks
from bot.texts.render import Renderer
from bot.editors.textcheck import placeholders, sample_value, telegram_html_problems
from bot.search.textnorm import words
from tests.content_fixture import onboard
from tests.harness import bot_under_test, seen

RTL = ("ar", "fa")
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&[#\w]+;")
_ISOLATE = re.compile(f"{LRI}[^{PDI}]*{PDI}")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


_FILTERED = re.compile(r"\{\{\s*(\w+)\s*\|\s*(\w+)")


def sample_values(source: str, names: Iterable[str]) -> dict[str, object]:
    """Sample values for a text's placeholders, a date where a date filter is applied."""
    filters: dict[str, set[str]] = {}
    for name, used in _FILTERED.findall(source):
        filters.setdefault(name, set()).add(used)
    return {name: sample_value(name, filters.get(name, ())) for name in names}


def every_text(renderer: Renderer, lang: str) -> list[tuple[str, str]]:
    """(name, Telegram HTML) of every item and short text in ``lang``, with sample values."""
    content = renderer.content
    texts = []
    for item_id, item in content.items[lang].items():
        values = sample_values(item.body, item.variables)
        rendered = renderer.item(lang, item_id, **values)
        assert rendered is not None and rendered.lang == lang, item_id
        texts += [(f"item {item_id}", rendered.html), (f"title {item_id}", renderer.title(lang, item_id))]
    for key, text in content.ui[lang].items():
        values = sample_values(text, placeholders(content.ui["nl"].get(key, text)))
        rendered = renderer.ui(lang, key, **values)
        assert rendered != renderer.ui(lang, "errors.generic") or key == "errors.generic", key
        texts.append((f"ui {key}", rendered))
    return texts


def unisolated_latin(markup: str) -> list[str]:
    """Latin letters outside tags, entities and isolates."""
    outside = _ISOLATE.sub("", _TAG_OR_ENTITY.sub("", markup))
    return _LATIN_LETTER.findall(outside)


@pytest.mark.parametrize("lang", RTL)
def test_every_rtl_text_starts_right_to_left_and_isolates_latin(renderer: Renderer, lang: str) -> None:
    texts = every_text(renderer, lang)
    assert len(texts) > 100
    latin_lines = 0
    for name, markup in texts:
        assert telegram_html_problems(markup) == [], name
        for line in markup.split("\n"):
            if not line.strip():
                continue
            assert first_strong(line) == "R", f"{name}: {line!r}"
            assert unisolated_latin(line) == [], f"{name}: {line!r}"
            latin_lines += bool(_LATIN_LETTER.search(line))
    assert latin_lines > 50  # the content does mix in Latin: klantmanager, DigiD, /mydata


def test_marks_go_between_tags_never_inside_them() -> None:
    markup = '<a href="https://www.digid.nl/Inloggen">DigiD</a> را با /mydata ببینید &amp; Team Entree'
    marked = right_to_left(markup)
    assert marked.startswith(RLM)  # the first strong character was Latin
    assert '<a href="https://www.digid.nl/Inloggen">' in marked
    assert f"{LRI}DigiD{PDI}" in marked and f"{LRI}/mydata{PDI}" in marked and f"{LRI}Team Entree{PDI}" in marked
    assert "&amp;" in marked
    assert strip_marks(marked) == markup
    assert right_to_left(marked) == marked  # marking twice changes nothing
    assert telegram_html_problems(marked) == []


def test_left_to_right_languages_get_no_marks(renderer: Renderer) -> None:
    for lang in ("nl", "en", "ti"):
        for name, markup in every_text(renderer, lang):
            assert strip_marks(markup) == markup, name


async def test_a_farsi_reader_gets_the_marks_through_telegram(tmp_path: Path) -> None:
    async with bot_under_test(tmp_path / "wegwijs.db") as bot:
        person = bot.person(3301)
        renderer = bot.services.renderer
        await onboard(person, renderer, "fa")
        await person.say("/topics")
        card = await person.press(renderer.title("fa", "klantmanager"))
    html = card[-1]["html"]
    assert html.startswith(RLM)  # the title starts with the Latin word klantmanager
    assert f"{LRI}klantmanager{PDI}" in html
    assert renderer.content.item("fa", "klantmanager").title in seen(card[-1])


MOMENT = datetime(2027, 9, 29, 12, 45, tzinfo=UTC)  # 14:45 in Amsterdam


@pytest.mark.parametrize("lang", ["nl", "en", "ar", "fa", "ti"])
def test_times_are_on_the_24_hour_clock(renderer: Renderer, lang: str) -> None:
    locale = renderer.journey.locale(lang)
    env = renderer.env
    time = env.from_string("{{ when | time }}").render(_locale=locale, when=MOMENT)
    both = env.from_string("{{ when | datetime }}").render(_locale=locale, when=MOMENT)
    assert time == "14:45"
    assert "14:45" in both
    assert not re.search(r"\b2:45\b|PM|م$|ድ\.ቀ", both)



def test_search_does_not_see_the_marks() -> None:
    """A person may paste a marked text from the bot back into a search."""
    marked = right_to_left("از klantmanager خود بپرسید: /mydata")
    assert marked != strip_marks(marked)
    assert words(marked, "fa") == words(strip_marks(marked), "fa")
    assert "klantmanager" in words(marked, "fa")
