"""Search: free text and ``/search <words>`` answered with the matching items.

Up to three items as buttons, best first, each opening the item in the
person's language, and a button that hands the person's own text to their
klantmanager (the handoff feature answers ``ask:draft:<id>``). A search that
found nothing, or after which the person asked their klantmanager, is kept
for the editors, who see it without the name (``bot.search.search_misses``).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackContext, CommandHandler, ContextTypes, filters

from bot.core.channel import Button, as_keyboard
from bot.casework import drafts
from bot.people import retention
from bot.search import search_misses, textnorm
from bot.screens import views
from bot.channels.telegram.handlers.common import onboarded, show
from bot.screens.messaging import Screen
from bot.texts.periods import Period
from bot.texts.render import Renderer
from bot.search.ranking import Found, index_for
from bot.core.services import Services, services
from bot.people.users import User

COMMAND = "search"
# ask:draft:<id> is handled by the handoff feature (handlers/ask.py).
DRAFT = "draft"
EXPIRY_JOB = "search-misses-expiry"
INDEX_JOB = "search-index"


def results_screen(r: Renderer, lang: str, found: Found, draft_id: int) -> Screen:
    ask = Button(
        r.button(lang, "search.ask_other" if found.item_ids else "search.ask"),
        views.data(views.ASK, DRAFT, str(draft_id)),
    )
    items = [[Button(r.title(lang, i), views.data(views.ITEM, i))] for i in found.item_ids]
    keyboard = as_keyboard([*items, [ask], views.back_to_menu(r, lang)])
    key = "search.results" if found.item_ids else "search.nothing"
    return Screen(text=lambda lg: r.ui(lg, key), keyboard=keyboard)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User, text: str) -> None:
    """Search the content for a person's text and show what matched."""
    if not textnorm.words(text, user.lang):
        await show(update, context, views.text_screen(s.renderer, user.lang, "search.empty", with_menu=True), user)
        return
    found = index_for(s.renderer.content).search(user.lang, text)
    draft_id = drafts.save(s.db, user.id, text, s.clock.now())
    if not found.item_ids:
        search_misses.record(s.db, user.id, user.lang, text, search_misses.NOTHING, _keep(s), s.clock.now())
    await show(update, context, results_screen(s.renderer, user.lang, found, draft_id), user)


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


async def expire_misses(context: CallbackContext) -> None:  # type: ignore[type-arg]
    s = services(context)
    search_misses.prune(s.db, _keep(s), s.clock.now())


@onboarded
async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, user: User) -> None:
    # The words as typed, not context.args, so the draft keeps the person's own spacing.
    parts = (update.effective_message.text or "").split(None, 1)
    await answer(update, context, s, user, parts[1] if len(parts) > 1 else "")


async def _build_index(context: ContextTypes.DEFAULT_TYPE) -> None:
    index_for(services(context).renderer.content)


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMAND, search_command, filters=filters.ChatType.PRIVATE))
    if app.job_queue is not None:
        # Build the index as soon as the bot runs rather than on the first question,
        # and not before it listens: it is the largest part of the start (issue 11).
        app.job_queue.run_once(_build_index, when=0, name=INDEX_JOB, job_kwargs={"misfire_grace_time": None})
        app.job_queue.run_repeating(expire_misses, interval=timedelta(days=1), first=0, name=EXPIRY_JOB)
