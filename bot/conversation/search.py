"""Search: free text and ``/search <words>`` answered with the matching items.

Up to three items as buttons, best first, each opening the item in the
person's language, and a button that hands the person's own text to their
klantmanager (the handoff feature answers ``ask:draft:<id>``). A search that
found nothing, or after which the person asked their klantmanager, is kept
for the editors, who see it without the name (``bot.search.search_misses``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.casework import drafts
from bot.conversation.common import onboarded, reply
from bot.core.channel import Button
from bot.core.features import Feature, Job
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people import retention
from bot.people.users import User
from bot.screens import views
from bot.screens.messaging import Screen
from bot.search import search_misses, textnorm
from bot.search.ranking import Found, index_for
from bot.texts.periods import Period
from bot.texts.render import Renderer

COMMAND = "search"
# ask:draft:<id> is handled by the handoff feature (conversation/ask.py).
DRAFT = "draft"
EXPIRY_JOB = "search-misses-expiry"
INDEX_JOB = "search-index"


def results_screen(r: Renderer, lang: str, found: Found, draft_id: int) -> Screen:
    ask = Button(
        r.button(lang, "search.ask_other" if found.item_ids else "search.ask"),
        views.data(views.ASK, DRAFT, str(draft_id)),
    )
    items = [(Button(r.title(lang, i), views.data(views.ITEM, i)),) for i in found.item_ids]
    keyboard = (*items, (ask,), tuple(views.back_to_menu(r, lang)))
    key = "search.results" if found.item_ids else "search.nothing"
    return Screen(text=lambda lg: r.ui(lg, key), keyboard=keyboard)


async def answer(s: Services, turn: Turn, user: User, text: str) -> None:
    """Search the content for a person's text and show what matched."""
    if not textnorm.words(text, user.lang):
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "search.empty", with_menu=True), user)
        return
    found = index_for(s.renderer.content).search(user.lang, text)
    draft_id = drafts.save(s.db, user.id, text, s.clock.now())
    if not found.item_ids:
        search_misses.record(s.db, user.id, user.lang, text, search_misses.NOTHING, _keep(s), s.clock.now())
    await reply(s, turn, results_screen(s.renderer, user.lang, found, draft_id), user)


def _keep(s: Services) -> Period:
    """How long a question search did not answer is kept (``retention.search_misses``)."""
    return retention.load_rules(s.renderer.journey).search_misses


def asked_after_search(s: Services, user: User, text: str) -> None:
    """The person pressed "ask my klantmanager" under the results for this text.

    Kept when search had shown items that did not help; a search that found
    nothing was kept when it was made.
    """
    if index_for(s.renderer.content).search(user.lang, text).item_ids:
        search_misses.record(s.db, user.id, user.lang, text, search_misses.ASKED, _keep(s), s.clock.now())


async def expire_misses(s: Services) -> None:
    search_misses.prune(s.db, _keep(s), s.clock.now())


@onboarded
async def search_command(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    # The words as typed, not the split arguments, so the draft keeps the person's own spacing.
    if turn.text is not None:
        parts = turn.text.split(None, 1)
        words = parts[1] if len(parts) > 1 else ""
    else:
        words = " ".join(turn.args)
    await answer(s, turn, user, words)


async def build_index(s: Services) -> None:
    index_for(s.renderer.content)


FEATURE = Feature(
    name="search",
    routes=(Route(search_command, command=COMMAND),),
    commands={COMMAND: 50},
    # Build the index as soon as the bot runs rather than on the first question,
    # and not before it listens: it is the largest part of the start (issue 11).
    jobs=(Job(INDEX_JOB, build_index), Job(EXPIRY_JOB, expire_misses, every=timedelta(days=1))),
)
