"""The glossary's spellings and everyday words in the search index (bot/search/search_glossary.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.config import DEFAULT_CONTENT_DIR
from bot.texts.content import load_content
from bot.search.ranking import SearchIndex
from bot.texts.glossary import GLOSSARY_FILE as FILE
from bot.search.search_glossary import GlossaryWords
from tests.content_fixture import onboard
from tests.harness import bot_under_test
from tests.test_reload import FAST, until

FIXTURE = Path(__file__).parent / "data" / "glossary_fixture.yaml"


@pytest.fixture(scope="module")
def content_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped content without a glossary, and the same with the fixture glossary."""
    base = tmp_path_factory.mktemp("glossary")
    without, with_ = base / "without", base / "with"
    for root in (without, with_):
        shutil.copytree(DEFAULT_CONTENT_DIR, root)
        (root / FILE).unlink(missing_ok=True)
    shutil.copy(FIXTURE, with_ / FILE)
    return without, with_


@pytest.fixture(scope="module")
def indexes(content_dirs: tuple[Path, Path]) -> tuple[SearchIndex, SearchIndex]:
    return SearchIndex(load_content(content_dirs[0])), SearchIndex(load_content(content_dirs[1]))


@pytest.mark.parametrize(
    ("lang", "typed", "item"),
    [
        ("ar", "زمبرك فلتو", "klantmanager"),  # the Dutch word in Arabic letters
        ("ar", "الزمبركفلتو", "klantmanager"),  # written as one word, with the article
        ("fa", "دیناری ندارم", "uitkering"),
        ("fa", "ديناري", "uitkering"),  # typed on an Arabic keyboard
        ("fa", "اوتکرینگ", "uitkering"),
        ("ti", "ዝምብርኽፍልቶ", "klantmanager"),
        ("ti", "ሳንቲም የብለይን", "uitkering"),
        ("nl", "kaemee", "klantmanager"),
        ("en", "dole", "uitkering"),
    ],
)
def test_glossary_words_find_the_item_that_is_about_the_term(
    indexes: tuple[SearchIndex, SearchIndex], lang: str, typed: str, item: str
) -> None:
    without, with_ = indexes
    assert item not in without.search(lang, typed).item_ids
    # Found at all only through the glossary; "Werk en uw uitkering" may rank first for a word for uitkering.
    assert item in with_.search(lang, typed).item_ids[:2]


def test_glossary_words_stand_in_the_field_where_the_dutch_text_has_the_term(content_dirs: tuple[Path, Path]) -> None:
    content = load_content(content_dirs[1])
    sources = [content.source_item(i) for i in ("klantmanager", "werk-en-uitkering", "digid")]
    glossary = GlossaryWords(content.glossary.terms, sources)
    assert {"زمبرك فلتو", "زمبركفلتو", "klantmanager"} <= set(glossary.usage("klantmanager", "ar")["title"])
    # Its Dutch summary is the first place with "klantmanager": "Vertel het eerst aan uw klantmanager."
    mention = glossary.usage("werk-en-uitkering", "ar")
    assert "زمبرك فلتو" in mention["summary"] and "زمبرك فلتو" not in mention.get("keywords", ())
    assert "دیناری" in glossary.usage("werk-en-uitkering", "fa")["title"]  # "Werk en uw uitkering"
    digid = glossary.usage("digid", "fa")  # says nothing about an uitkering
    assert "دیناری" not in [w for words in digid.values() for w in words]


def test_without_a_glossary_search_uses_the_texts_alone(indexes: tuple[SearchIndex, SearchIndex]) -> None:
    without, _ = indexes
    assert without.search("nl", "huurcontract").item_ids[0] == "woning"


async def test_a_running_bot_searches_with_the_edited_glossary(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=content, reload_seconds=FAST) as bot:
        person = bot.person(720_001)
        await onboard(person, bot.services.renderer, "fa")
        assert (await person.say("اوتکرینگ"))[-1]["html"] == bot.services.renderer.ui("fa", "search.results")
        assert (await person.say("زوزول"))[-1]["html"] == bot.services.renderer.ui("fa", "search.nothing")
        before = bot.services.renderer
        glossary = content / FILE
        text = glossary.read_text(encoding="utf-8")
        glossary.write_text(text.replace('words: ["کمک‌هزینه",', 'words: ["زوزول", "کمک‌هزینه",', 1), encoding="utf-8")
        await until(lambda: bot.services.renderer is not before)  # the bot's own file-change check
        answer = await person.say("زوزول")
    found = [b["callback_data"] for row in answer[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert "item:uitkering" in found
