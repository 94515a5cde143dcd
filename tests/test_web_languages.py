"""The web chat as a person uses it, in each of the five languages, beside the same person in Telegram.

For each language one person in Telegram (through the emulator) and one in the
web chat (``tests/web_harness.py``) do the same things, one after the other:
onboarding from the klantmanager's invitation, choosing a step, the important
item that comes on its own and "did you understand?" answered yes and "not
clear" (on to the klantmanager), an item from the step, the bilingual view, a
search that finds items and one that finds nothing. After each action both
must have been shown the same texts and buttons; each web message carries the
person's language and its direction.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.texts.bidi import strip_marks
from tests.harness import Person
from tests.test_handoff import START, Team, label, link_code, team_at
from tests.test_spine import LANGUAGES, OWN_NAMES, first_paragraph_line, item_file
from tests.test_web_core import plain, web_chat
from tests.timeline import settle
from tests.web_harness import Event, WebPerson, web_person

QUESTIONS = yaml.safe_load((Path(__file__).parent / "data" / "search_questions.yaml").read_text(encoding="utf-8"))
NOTHING = "xyzzy plugh"
"""Words no item in any language has: the search finds nothing."""
RIGHT_TO_LEFT = {"ar", "fa"}
DUTCH_PART = '<div lang="nl" dir="ltr">'
TELEGRAM_ID = 880_200

Shown = tuple[str, list[list[str]]]
"""What a person saw of one action: the texts one after the other, and the button labels of each message with buttons."""


def telegram_shown(messages: list[dict]) -> Shown:
    """Telegram splits a long text in parts and sends a recording as a message of its own; the page does neither."""
    texts = [plain(m["html"]) for m in messages if m.get("html") and m["kind"] != "voice"]
    keyboards = [[strip_marks(b["text"]) for row in m["reply_markup"]["inline_keyboard"] for b in row]
                 for m in messages if (m.get("reply_markup") or {}).get("inline_keyboard")]
    return "\n\n".join(texts), keyboards


def web_shown(events: list[Event]) -> Shown:
    texts = [plain(e.data["html"]) for e in events]
    keyboards = [[strip_marks(b["label"]) for row in e.data["buttons"] for b in row] for e in events if e.data["buttons"]]
    return "\n\n".join(texts), keyboards


@dataclass
class Side:
    """The same person twice: in Telegram and in the web chat, doing the same things."""

    team: Team
    lang: str
    telegram: Person
    web: WebPerson

    async def _telegram(self, act: Callable[[], Awaitable[list[dict]]]) -> list[dict]:
        since = self.telegram.seen
        await act()
        await settle(self.team.bot)  # what the action started in the outbox (an important item) comes too
        messages = [m for m in await self.team.bot.client.messages(self.telegram.user_id, after=since) if m["from_bot"]]
        if messages:
            self.telegram.seen = max(m["message_id"] for m in messages)
        return messages

    async def _web(self, body: dict) -> list[Event]:
        before = len(self.web.shown)
        status, answer = await self.web.post(body)
        assert status == 200, answer
        await settle(self.team.bot)
        db = self.team.bot.services.db
        stored = db.execute("SELECT count(*) FROM web_messages WHERE address = ?", [self.address]).fetchone()[0]
        return (await self.web.wait_for(stored))[before:]

    async def both(
        self, telegram: Callable[[], Awaitable[list[dict]]], web: dict, own_language: bool = True
    ) -> list[Event]:
        """One action on both sides; the web chat must show what Telegram shows. Returns the web messages.

        ``own_language``: the messages are in the person's language (not before they chose it)."""
        in_telegram = await self._telegram(telegram)
        on_page = await self._web(web)
        assert web_shown(on_page) == telegram_shown(in_telegram)
        voices = [m for m in in_telegram if m["kind"] == "voice"]
        assert len([e for e in on_page if e.data.get("voice")]) == len(voices)  # the recording, under its text
        for event in on_page if own_language else ():
            self.assert_language(event)
        return on_page

    async def say(self, text: str) -> list[Event]:
        return await self.both(lambda: self.telegram.say(text), {"text": text})

    async def press(self, label_text: str) -> list[Event]:
        """Press the button with this label on the newest message that has it, on both sides."""
        return await self.both(lambda: self.telegram.press(label_text), {"button": self.web_action(label_text)})

    @property
    def address(self) -> str:
        (session,) = self.team.bot.services.db["web_sessions"].rows
        return session["address"]

    def web_action(self, label_text: str) -> str:
        wanted = strip_marks(label_text)
        for event in reversed(self.web.shown):
            for row in event.data["buttons"]:
                for button in row:
                    if strip_marks(button["label"]) == wanted:
                        return button["action"]
        raise AssertionError(f"no button {label_text!r} in the web chat")

    def assert_language(self, event: Event) -> None:
        direction = "rtl" if self.lang in RIGHT_TO_LEFT else "ltr"
        assert (event.data["lang"], event.data["dir"]) == (self.lang, direction), plain(event.data["html"])[:80]

    def labels(self, events: list[Event]) -> list[str]:
        return [strip_marks(b["label"]) for e in events for row in e.data["buttons"] for b in row]


def title(lang: str, item_id: str) -> str:
    return strip_marks(html.unescape(item_file(lang, item_id)[0]["title"]))


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    async with team_at(tmp_path, START) as team:
        yield team


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_web_chat_shows_what_telegram_shows_in_each_language(team: Team, lang: str) -> None:
    telegram = team.bot.person(TELEGRAM_ID, language_code=lang)
    codes = [link_code((await team.sanne.say(f"/newclient {name}"))[0]) for name in ("Telegram Persoon", "Web Persoon")]
    ui = team.bot.services.renderer.ui
    async with web_chat(team) as url, web_person(url, lang) as page:
        await page.hello()
        await page.open_page()
        side = Side(team, lang, telegram, page)

        # Onboarding, from the klantmanager's invitation.
        welcome = await side.both(lambda: telegram.say(f"/start {codes[0]}"), {"text": f"/start {codes[1]}"}, own_language=False)
        assert side.labels(welcome) == [OWN_NAMES[code] for code in LANGUAGES]
        notice = await side.press(OWN_NAMES[lang])
        assert title(lang, "privacy") in plain(notice[-1].data["html"])
        prompt = await side.press(label(lang, "privacy.accept"))
        assert plain(prompt[-1].data["html"]) == plain(ui(lang, "step.prompt"))

        # A step; its first important item comes on its own, with "did you understand?".
        step = await side.press(next(b for b in side.labels(prompt[-1:]) if title(lang, "stap-intake") in b))
        assert title(lang, "stap-intake") in plain(step[0].data["html"])
        assert title(lang, "woning") in plain(step[-1].data["html"])
        assert {label(lang, "check.yes"), label(lang, "check.unclear")} <= set(side.labels(step[-1:]))

        # "Yes": thanks, and the next important item.
        understood = await side.press(label(lang, "check.yes"))
        assert plain(ui(lang, "check.thanks")) in plain(understood[0].data["html"])
        assert title(lang, "rechtmatigheidsgesprek") in plain(understood[-1].data["html"])
        # "Not clear": the item again, then on to the klantmanager, as in Telegram.
        unclear = await side.press(label(lang, "check.unclear"))
        assert plain(ui(lang, "check.unclear_intro")) in plain(unclear[-1].data["html"])
        assert label(lang, "check.ask") in side.labels(unclear)
        await side.press(label(lang, "check.ask"))
        await side.press(label(lang, "ask.yes"))
        item_title = title("nl", "rechtmatigheidsgesprek")  # the klantmanager reads which item, in Dutch
        relayed = await team.sanne.receive_until(lambda m: "Web Persoon" in (m["html"] or "") and item_title in m["html"])
        assert relayed

        # An item of the step.
        await side.say("/menu")
        card = await side.press(label(lang, "menu.where"))
        item = await side.press(title(lang, "woning"))
        assert first_paragraph_line(item_file(lang, "woning")[1]) in plain(item[0].data["html"])
        assert label(lang, "check.yes") in side.labels(item)
        back = await side.press(side.labels(item)[-2])  # back to its step
        assert plain(back[0].data["html"]).startswith(title(lang, "stap-intake"))
        assert card

        # The bilingual view: the Dutch text below the person's own (not offered in Dutch).
        menu = await side.say("/menu")
        if lang == "nl":
            assert label(lang, "menu.bilingual_on") not in side.labels(menu)
        else:
            await side.press(label(lang, "menu.bilingual_on"))
            card = await side.press(label(lang, "menu.where"))
            text = plain(card[0].data["html"])
            own, dutch_label, dutch = (
                text.index(title(lang, "stap-intake")),
                text.index(plain(ui(lang, "bilingual.dutch_label"))),
                text.index(first_paragraph_line(item_file("nl", "stap-intake")[1])),
            )
            assert own < dutch_label < dutch
            # The Dutch part is marked as Dutch, so a screen reader reads it in a Dutch voice.
            own_part, dutch_part = card[0].data["html"].split(DUTCH_PART)
            assert plain(ui(lang, "bilingual.dutch_label")) in plain(own_part)
            assert dutch_part.endswith("</div>") and first_paragraph_line(item_file("nl", "stap-intake")[1]) in dutch_part

        # A search in the person's language that finds items, then one that finds nothing.
        question = QUESTIONS[lang][0]
        found = await side.say(question["q"])
        titles = [title(lang, i) for i in question["expect"] if title(lang, i) in side.labels(found)]
        assert titles, side.labels(found)
        opened = await side.press(titles[0])
        assert titles[0] in plain(opened[0].data["html"])
        nothing = await side.say(NOTHING)
        assert plain(nothing[-1].data["html"]).startswith(plain(ui(lang, "search.nothing")))  # Dutch below it, bilingual
        await side.press(label(lang, "search.ask"))
        await side.press(label(lang, "ask.yes"))
        relayed = await team.sanne.receive_until(lambda m: NOTHING in (m["html"] or "") and "Web Persoon" in m["html"])
        assert relayed
