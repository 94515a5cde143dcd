"""The person's rights over their data: /privacy, /mydata, /delete."""

from __future__ import annotations

import json
import re

from bot.cli import privacy as privacy_cli
from bot.conversation.common import (
    argument,
    ask_for_missing_onboarding,
    onboarded,
    reply,
    reply_document,
    stale_button,
    user_of,
)
from bot.core.clock import iso
from bot.core.db import personal_tables
from bot.core.features import Feature
from bot.core.routes import Route
from bot.core.services import Services
from bot.core.turns import Turn
from bot.people import retention, retention_job
from bot.people.leaving import erase_and_tell
from bot.people.personal_export import personal_export
from bot.people.users import User, clear_confirm_token, new_confirm_token
from bot.screens import buttons, views
from bot.screens.messaging import Screen
from bot.texts.render import Renderer

EXPORT_FILE_NAME = "wegwijs-mydata.json"


async def privacy(s: Services, turn: Turn, match: re.Match[str] | None) -> None:
    user = user_of(s, turn)
    if user is None or not user.lang:
        await ask_for_missing_onboarding(s, turn, user)
        return
    await reply(s, turn, views.privacy_screen(s.renderer, user.lang, accepted=user.onboarded), user)


def mydata_screen(r: Renderer, user: User, counts: dict[str, int], erase_at: str | None) -> Screen:
    step = r.journey.step(user.step)

    def text(lg: str) -> str:
        lines = [
            r.ui(lg, "mydata.header"),
            "",
            r.ui(lg, "mydata.language", value=r.button(user.lang, "language.name")),
            r.ui(lg, "mydata.step", value=r.title(lg, step.overview)) if step else r.ui(lg, "mydata.no_step"),
            r.ui(lg, "mydata.bilingual_on" if user.bilingual else "mydata.bilingual_off"),
            r.ui(lg, "mydata.privacy_accepted", when=user.privacy_accepted_at),
        ]
        if user.start_code:
            lines.append(r.ui(lg, "mydata.start_code", code=user.start_code))
        lines.extend(r.ui(lg, f"mydata.table.{name}", count=n) for name, n in counts.items() if n)
        if erase_at:
            lines.extend(["", r.ui(lg, "mydata.erase_at", when=erase_at)])
        lines.extend(["", r.ui(lg, "mydata.footer")])
        return "\n".join(lines)

    return Screen(text=text)


@onboarded
async def mydata(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    data = personal_export(s.db, user.id)
    counts = {name: len(data[name]) for name in personal_tables(s.db)}
    rules = retention.load_rules(s.renderer.journey)
    erase_at = iso(rules.inactive.after(s.clock.now()))  # the person is active now: the period starts anew
    await reply(s, turn, mydata_screen(s.renderer, user, counts, erase_at), user)
    document = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await reply_document(s, turn, EXPORT_FILE_NAME, document, s.renderer.ui(user.lang, "mydata.file_caption"))


@onboarded
async def delete(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    token = new_confirm_token(s.db, user.id)
    await reply(s, turn, views.delete_screen(s.renderer, user.lang, token), user)


@onboarded
async def delete_button(s: Services, turn: Turn, user: User, match: re.Match[str] | None) -> None:
    answer, _, token = argument(turn).partition(":")
    if answer == "no":
        clear_confirm_token(s.db, user.id)
        await reply(s, turn, views.text_screen(s.renderer, user.lang, "delete.cancelled", with_menu=True), user)
        return
    if answer != "yes" or not user.confirm_token or token != user.confirm_token:
        await stale_button(s, turn, user)
        return
    erase_and_tell(s.db, [user.id], s.clock.now())
    await reply(s, turn, views.text_screen(s.renderer, user.lang, "delete.done"), None, user.lang)


FEATURE = Feature(
    name="personal_data",
    routes=(
        Route(privacy, command="privacy"),
        Route(mydata, command="mydata"),
        Route(delete, command="delete"),
        Route(delete_button, button=buttons.DELETE),
    ),
    senders={retention.WARNING: retention_job.send_warning},
    commands={"privacy": 90, "mydata": 100, "delete": 110},
    cli=privacy_cli.add_parsers,
)
