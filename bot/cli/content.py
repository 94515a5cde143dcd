"""``wegwijs content check | status | export-po | import-po | preview | misses``: tools for editors and translators.

Output is for the people who keep the texts, in the terminal; each command
exits non-zero when something needs their attention.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.config import Settings

if TYPE_CHECKING:
    from bot.editors.checker import Finding
    from bot.texts.content import Content

DEFAULT_PREVIEW = Path("preview.html")


def _root(args: argparse.Namespace) -> Path:
    return Settings.from_env(content_dir=args.content).content_dir


def _print_findings(findings: list[Finding], base: Path) -> None:
    for finding in findings:
        print(finding.format(base))
    errors = sum(f.is_error for f in findings)
    print(f"{errors} error(s), {len(findings) - errors} warning(s)")


def _check(args: argparse.Namespace) -> int:
    from bot.editors.checker import check_content

    root = _root(args)
    findings = check_content(root)
    _print_findings(findings, root.parent)
    return 1 if any(f.is_error for f in findings) else 0


def _load(root: Path) -> Content | None:
    from bot.texts.content import ContentError, load_content

    try:
        return load_content(root)
    except ContentError as exc:
        print(f"{exc}\nRun `wegwijs content check` to see what to fix.", file=sys.stderr)
        return None


def _status(args: argparse.Namespace) -> int:
    from bot.editors.status import content_status, status_json, status_table

    content = _load(_root(args))
    if content is None:
        return 1
    statuses = content_status(content)
    print(status_json(statuses) if args.format == "json" else status_table(statuses))
    return 0


def _export_po(args: argparse.Namespace) -> int:
    from bot.editors.po import FUZZY, export_catalog, write_catalog

    content = _load(_root(args))
    if content is None:
        return 1
    if args.lang == content.journey.source_language or args.lang not in content.journey.languages:
        print(
            f"{args.lang} is not a language to translate into: {', '.join(content.journey.languages)}", file=sys.stderr
        )
        return 2
    catalog = export_catalog(content, args.lang)
    output = args.output or Path(f"wegwijs-{args.lang}.po")
    write_catalog(catalog, output)
    messages = [m for m in catalog if m.id]
    empty = sum(not m.string for m in messages)
    fuzzy = sum(FUZZY in m.flags for m in messages)
    # The full path: without -o the catalog lands in the current folder, which may be the repository.
    print(f"wrote {output.resolve()}: {len(messages)} texts, {empty} untranslated, {fuzzy} fuzzy (the Dutch text changed)")
    return 0


def _import_po(args: argparse.Namespace) -> int:
    from bot.editors.checker import check_content
    from bot.editors.po import CatalogRefused, import_catalog

    root = _root(args)
    content = _load(root)
    if content is None:
        return 1
    try:
        result = import_catalog(content, args.lang, args.file)
    except CatalogRefused as refused:
        print(f"{args.file}: not imported, nothing was changed:", file=sys.stderr)
        for problem in refused.problems:
            print(problem, file=sys.stderr)
        return 1
    for note in result.notes:
        print(note)
    for path in result.changed:
        print(f"{path}: updated")
    print(f"{len(result.changed)} file(s) updated. Checking {args.lang}:")
    findings = [f for f in check_content(root) if f.file.is_relative_to(root / args.lang)]
    _print_findings(findings, root.parent)
    return 1 if any(f.is_error for f in findings) else 0


def _preview(args: argparse.Namespace) -> int:
    from bot.editors.preview import write_preview

    content = _load(_root(args))
    if content is None:
        return 1
    write_preview(content, args.output)
    print(f"{args.output}: open it in a browser")
    return 0


def _misses(args: argparse.Namespace) -> int:
    from bot.search import search_misses
    from bot.core.db import open_db

    db = open_db(Settings.from_env(db_path=args.db).db_path)
    misses = search_misses.by_frequency(db, lang=args.lang, limit=args.limit)
    print(f"{'lang':4} {'count':>5} {'asked':>5} {'last seen':10}  question")
    for miss in misses:
        print(f"{miss.lang:4} {miss.count:5} {miss.asked:5} {miss.last_seen:10}  {miss.text}")
    print(
        f"{len(misses)} question(s) kept (retention.search_misses in journey.yaml) that search did not answer: "
        "it found nothing, or the person then asked their klantmanager ('asked')"
    )
    return 0


def _ask_reviewer(args: argparse.Namespace) -> str | None:
    """The reviewer's name: from --reviewer, else asked in a terminal; None: not reviewed."""
    if args.reviewer is not None:
        return args.reviewer.strip() or None
    if not sys.stdin.isatty():
        return None
    answer = input("Who reviewed these translations against the Dutch text? (name; empty: not reviewed) ")
    return answer.strip() or None


def stamp_command(args: argparse.Namespace) -> int:
    """``wegwijs content stamp``: record the Dutch text translations were made from, and who reviewed them."""
    from bot.core.config import TIMEZONE
    from bot.editors.editing import stamp, stamp_ui

    content = _load(_root(args))
    if content is None:
        return 1
    if args.lang not in content.journey.languages:
        print(f"{args.lang} is not a language of this content: {', '.join(content.journey.languages)}", file=sys.stderr)
        return 2
    item_ids = [*args.item, *args.ids]
    unknown = [i for i in item_ids if i not in content.items.get(args.lang, {})]
    if unknown:
        print(f"no such item in {args.lang}: {', '.join(unknown)}", file=sys.stderr)
        return 2
    only_ui = bool(args.key) and not item_ids
    reviewer = None if only_ui else _ask_reviewer(args)
    if not only_ui:
        today = datetime.now(TIMEZONE).date()
        for item in stamp(content, args.lang, item_ids or None, reviewer=reviewer, reviewed_on=today):
            print(f"{item.path}: " + (f"reviewed by {reviewer}" if reviewer else "source_hash updated"))
    if args.lang != content.journey.source_language and (args.key or not item_ids):
        for key in stamp_ui(content, args.lang, args.key or None):
            print(f"{args.lang}/ui.yaml: {key}: source recorded")
    return 0


def add_commands(content_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the editors' commands to ``wegwijs content``."""

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        parser = content_sub.add_parser(name, help=help_text)
        parser.add_argument("--content", type=Path, help="content folder (default: the one in this repository)")
        parser.set_defaults(func=func)
        return parser

    command("check", "check every text; fails when a text would break (runs in CI)", _check)
    status = command("status", "how far each language is: complete, missing, stale, draft, reviewed", _status)
    status.add_argument("--format", choices=("table", "json"), default="table")
    export = command("export-po", "write a PO catalog for translators (Poedit, Weblate)", _export_po)
    export.add_argument("--lang", required=True)
    export.add_argument("-o", "--output", type=Path, help="the .po file (default: wegwijs-<lang>.po)")
    import_ = command("import-po", "write a translated PO catalog back into content/<lang>/", _import_po)
    import_.add_argument("--lang", required=True)
    import_.add_argument("file", type=Path)
    preview = command("preview", "write one HTML page showing every text in every language, as in the chat", _preview)
    preview.add_argument("-o", "--output", type=Path, default=DEFAULT_PREVIEW, help="default: preview.html")
    misses = content_sub.add_parser(
        "misses", help="what people asked that search did not answer, most asked first (no names: text and language)"
    )
    misses.add_argument("--db", type=Path, help="database file (default: $WEGWIJS_DB or ./wegwijs.db)")
    misses.add_argument("--lang", help="only this language")
    misses.add_argument("--limit", type=int, help="at most this many questions")
    misses.set_defaults(func=_misses)
