"""``wegwijs emulator``: the local Telegram Bot API emulator, for trying the bot without Telegram."""

from __future__ import annotations

import argparse
import asyncio


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    emulator = sub.add_parser("emulator", help="run the local Telegram Bot API emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8081)
    emulator.add_argument("--no-limits", action="store_true", help="switch off Telegram's rate limits")
    emulator.add_argument("--global-rate", type=float, help="messages per second for the bot (default 30)")
    emulator.add_argument("--chat-rate", type=float, help="messages per second in one chat (default 1)")
    emulator.add_argument(
        "--latency-ms", type=float, default=0.0, help="add this to every Bot API round trip (real Telegram: 50-150)"
    )
    emulator.set_defaults(func=_emulator)


def _emulator(args: argparse.Namespace) -> int:
    from bot.emulator import serve

    options: dict[str, object] = {"limits": not args.no_limits}
    if args.global_rate is not None:
        options["global_rate"] = args.global_rate
    if args.chat_rate is not None:
        options["chat_rate"] = args.chat_rate
    if args.latency_ms:
        options["latency_ms"] = args.latency_ms
    print(f"Bot API emulator on http://{args.host}:{args.port}/bot<token>/  (control: /_control/)")
    try:
        asyncio.run(serve(args.host, args.port, **options))
    except KeyboardInterrupt:
        pass
    return 0
