"""The ``wegwijs`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli import (
    admin as admin_cli,
    content as content_cli,
    ops as ops_cli,
)
from bot.channel_list import CHANNELS
from bot.core.channels import RunCommand
from bot.core.config import Settings, http_port_setting, port_option
from bot.demo import emulator_cli
from bot.features import FEATURES

PIPE_CLOSED = 141
"""Exit status when the reader of our output went away: 128 + SIGPIPE, as a shell reports it."""


def _as_owner(db_path: Path | None, command: str, work: Callable[[], int]) -> int:
    """``work()`` while this process holds the database (``bot/core/db_owner.py``); exit status 2
    when another bot runs on it. Without a database file (a demo's temporary one) nothing to hold."""
    from bot.core import db_owner

    try:
        with db_owner.owned(db_path) if db_path else contextlib.nullcontext():
            return work()
    except db_owner.DatabaseInUse as exc:
        print(f"wegwijs {command}: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(
            db_path=args.db, content_dir=args.content, api_url=args.api_url, file_url=args.file_url,
            http_host=args.http_host,
        )
        if args.http_port is not None:
            settings = dataclasses.replace(settings, http_port=http_port_setting(args.http_port))
    except ValueError as exc:  # a malformed WEGWIJS_* variable
        print(f"wegwijs {args.command}: {exc}", file=sys.stderr)
        return 2
    if not settings.token:
        print(f"wegwijs {args.command}: set TELEGRAM_BOT_TOKEN (or use `wegwijs demo` to try it without one)", file=sys.stderr)
        return 2
    # Held before the migrations: a second bot on this file stops here.
    return _as_owner(settings.db_path, args.command, lambda: _serve(args, settings))


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Build the bot (with each channel beside Telegram its options ask for) and run it until it is stopped."""
    from bot.core import runlog
    from bot.channels.telegram.app import build_application
    from bot.core.channels import ChannelUnavailable
    from bot.core.listening import PortUnavailable

    try:
        app = build_application(settings, options=args)
        if not args.verbose:  # the start line and content reloads (bot/core/runlog.py), without PTB's chatter
            logging.getLogger(runlog.LOGGER).setLevel(logging.INFO)
        if args.webhook_url:
            app.run_webhook(listen=args.listen, port=args.port, webhook_url=args.webhook_url)
        else:
            app.run_polling()
    except (PortUnavailable, ChannelUnavailable) as exc:
        print(f"wegwijs {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


def _demo(args: argparse.Namespace) -> int:
    # The demo's dispatcher would send a running bot's due messages to the emulator.
    return _as_owner(Path(args.db) if args.db else None, "demo", lambda: _run_demo(args))


def _run_demo(args: argparse.Namespace) -> int:
    if args.web:
        from bot.demo.web import run_web_demo

        try:
            return asyncio.run(run_web_demo(port=args.port, db_path=args.db, open_browser=not args.no_open))
        except KeyboardInterrupt:  # Ctrl-C is how the browser demo ends
            return 0
    from bot.demo.terminal import run_demo

    return asyncio.run(run_demo(lang=args.lang, db_path=args.db))


def _content_stamp(args: argparse.Namespace) -> int:
    from bot.cli.content import stamp_command

    return stamp_command(args)


def _admin_add(args: argparse.Namespace) -> int:
    from bot.people import audit
    from bot.casework import staff
    from bot.core.clock import SystemClock
    from bot.core.db import open_db
    from bot.people.identities import TELEGRAM, person_for

    settings = Settings.from_env(db_path=args.db)
    db = open_db(settings.db_path)
    now = SystemClock().now()
    person_id = person_for(db, TELEGRAM, args.telegram_id, create=True, now=now)
    staff.add_admin(db, person_id, args.name, now)
    audit.record(db, now, 0, "admin_added", None, admin=person_id)
    print(
        f"Telegram user {args.telegram_id} is now an admin (id {person_id});"
        " in Telegram they can send /invite to invite a klantmanager"
    )
    return 0


def _add_bot_options(parser: argparse.ArgumentParser) -> None:
    """The options of a bot run by long polling: ``wegwijs run``'s, and a channel's own command's."""
    parser.add_argument("--api-url", help="Bot API base URL, e.g. http://127.0.0.1:8081/bot (default: Telegram)")
    parser.add_argument("--file-url", help="Bot API file base URL, e.g. http://127.0.0.1:8081/file/bot")
    parser.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
    parser.add_argument("--content", type=Path, help="content folder (default: the one in this repository)")
    parser.add_argument(
        "--http-port", type=port_option,
        help="port for /healthz, /metrics and the dashboard (default: $WEGWIJS_HTTP_PORT or 8080; 0: none)",
    )
    parser.add_argument("--http-host", help="address for /healthz, /metrics and the dashboard (default: 127.0.0.1)")
    parser.set_defaults(webhook_url=None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wegwijs", description="Wegwijs Telegram assistant")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (TELEGRAM_BOT_TOKEN), by long polling or a webhook")
    _add_bot_options(run)
    run.add_argument("--webhook-url", help="use a webhook at this public URL instead of polling")
    run.add_argument("--listen", default="127.0.0.1", help="webhook: address to listen on")
    run.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    run.set_defaults(func=_run)
    bot = RunCommand(add_options=_add_bot_options, run=_run)
    for channel in CHANNELS:  # each channel beside Telegram: its options on `wegwijs run`, its own commands
        if channel.options is not None:
            channel.options(run)
        if channel.commands is not None:
            channel.commands(sub, bot)

    emulator_cli.add_parser(sub)

    demo = sub.add_parser("demo", help="talk to the bot in this terminal, no token needed")
    demo.add_argument("--lang", help="the language your pretend Telegram app uses (nl, en, ar, fa, ti)")
    demo.add_argument("--db", type=Path, help="database file (default: a fresh temporary one)")
    demo.add_argument("--web", action="store_true", help="the browser demo: a web chat beside the klantmanager's Telegram")
    demo.add_argument("--port", type=int, default=8089, help="with --web: the port of the demo page (default 8089)")
    demo.add_argument("--no-open", action="store_true", help="with --web: print the page's address, do not open a browser")
    demo.set_defaults(func=_demo)
    admin = sub.add_parser("admin", help="manage admins")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    admin_add = admin_sub.add_parser("add", help="make a Telegram user an admin (they can invite klantmanagers)")
    admin_add.add_argument("telegram_id", type=int, help="the person's numeric Telegram user id")
    admin_add.add_argument("--name", help="their name, as klantmanagers will see it")
    admin_add.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
    admin_add.set_defaults(func=_admin_add)
    admin_cli.add_commands(admin_sub)

    content = sub.add_parser("content", help="tools for content editors and translators")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    stamp = content_sub.add_parser(
        "stamp",
        help="mark translations as made from the current Dutch text (after you updated them); "
        "with --reviewer, as reviewed",
    )
    stamp.add_argument("--lang", required=True)
    stamp.add_argument("--content", type=Path, help="content folder (default: the one in this repository)")
    stamp.add_argument("--item", action="append", default=[], help="an item id (repeat for more)")
    stamp.add_argument("--key", action="append", default=[], help="a short text's key in ui.yaml (repeat for more)")
    stamp.add_argument(
        "--reviewer",
        help="the name of the person who checked the items against the Dutch text: marks them reviewed "
        "(asked for when run in a terminal; leave empty for not reviewed)",
    )
    stamp.add_argument("ids", nargs="*", help="item ids, as --item (default: every item and short text)")
    stamp.set_defaults(func=_content_stamp)
    content_cli.add_commands(content_sub)
    for feature in FEATURES:  # appointments and the outbox, privacy: each feature's own commands
        if feature.cli is not None:
            feature.cli(sub)
    ops_cli.add_parsers(sub)  # the operator's backup: of the whole app, no feature's
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        result = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's own flush at exit
    except BrokenPipeError:
        # The reader went away (`wegwijs content status | head`): stop quietly, as Unix tools do.
        # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PIPE_CLOSED
    return result


if __name__ == "__main__":
    sys.exit(main())
