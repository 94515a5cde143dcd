"""``wegwijs admin list | reassign | remove``: the admin's tools on the server.

They do what ``/klantmanagers`` does in Telegram (``bot/casework/staff_admin.py``), for
when the admin cannot use Telegram, or a klantmanager has blocked the bot.
Notices to the clients and the new klantmanager go through the outbox, so the
running bot sends them. A refusal is the same Dutch text the admin would read
in Telegram.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.clock import SystemClock
from bot.core.config import Settings

if TYPE_CHECKING:
    from bot.casework.staff_admin import AdminError

ACTOR = 0
"""The audit trail's actor for the command line (as ``wegwijs admin add``)."""


def _refusal(exc: AdminError, settings: Settings) -> str:
    from bot.texts.content import load_content
    from bot.texts.render import Renderer
    from bot.casework.staff_text import plural_key

    renderer = Renderer(load_content(settings.content_dir))
    lang = renderer.journey.source_language
    count = exc.values.get("count")
    key = plural_key(renderer, lang, exc.key, count) if isinstance(count, int) else exc.key
    return renderer.button(lang, key, **exc.values)


def _list(args: argparse.Namespace) -> int:
    from bot.casework import staff_admin
    from bot.core.db import open_db

    db = open_db(Settings.from_env(db_path=args.db).db_path)
    team = staff_admin.overview(db)
    if not team:
        print("no klantmanagers yet; an admin invites one with /invite in Telegram")
        return 0
    rows = [("id", "name", "clients", "last active (UTC)")]
    rows += [(str(e.person.id), e.person.name, str(e.clients), e.last_active_at or "never") for e in team]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _reassign(args: argparse.Namespace) -> int:
    from bot.casework import staff_admin
    from bot.core.db import open_db
    from bot.casework.staff_admin import AdminError

    settings = Settings.from_env(db_path=args.db)
    db = open_db(settings.db_path)
    try:
        moved = staff_admin.reassign(
            db,
            from_id=args.from_id,
            to_id=args.to_id,
            now=SystemClock().now(),
            actor_id=ACTOR,
            user_ids=args.client or None,
        )
    except AdminError as exc:
        print(f"wegwijs admin reassign: {_refusal(exc, settings)}", file=sys.stderr)
        return 1
    for linked in moved:
        print(f"{linked.user_id} {linked.name}: now with {args.to_id}")
    print(f"{len(moved)} client(s) moved; they and the new klantmanager are told by the running bot")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from bot.casework import staff_admin
    from bot.core.db import open_db
    from bot.casework.staff_admin import AdminError

    settings = Settings.from_env(db_path=args.db)
    db = open_db(settings.db_path)
    try:
        removed = staff_admin.remove(db, args.id, SystemClock().now(), ACTOR)
    except AdminError as exc:
        print(f"wegwijs admin remove: {_refusal(exc, settings)}", file=sys.stderr)
        return 1
    print(f"{removed.id} {removed.name} is no longer a klantmanager")
    return 0


def add_commands(admin_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add list, reassign and remove to ``wegwijs admin``."""

    def command(
        name: str, help_text: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        parser = admin_sub.add_parser(name, help=help_text)
        parser.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
        parser.set_defaults(func=func)
        return parser

    command("list", "klantmanagers with their number of clients and last activity", _list)
    reassign = command("reassign", "move a klantmanager's clients (all, or those given with --client) to another", _reassign)
    reassign.add_argument("from_id", type=int, help="id of the klantmanager whose clients move (as `wegwijs admin list` shows it)")
    reassign.add_argument("to_id", type=int, help="id of the klantmanager who takes them")
    reassign.add_argument("--client", type=int, action="append", help="a client's id (as this command prints it; repeat for more)")
    remove = command("remove", "stop someone being a klantmanager (move their clients first)", _remove)
    remove.add_argument("id", type=int, help="id of the klantmanager (as `wegwijs admin list` shows it)")
