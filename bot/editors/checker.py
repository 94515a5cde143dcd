"""``wegwijs content check``: everything that must hold before content ships.

``check_content(root)`` reads the content tree file by file (so one broken
file does not hide the others) and returns findings: severity, file, line,
what is wrong and how to fix it. An *error* means a reader would get a
broken text, a wrong language or nothing; a *warning* means the bot works but
someone should look (a stale translation, a short text that falls back to
another language). The CLI prints the findings and fails on errors; live
reload refuses content with errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from babel import Locale, UnknownLocaleError
from jinja2 import TemplateSyntaxError

from bot.people import retention
from bot.texts.audio import is_ogg_opus
from bot.texts.content import Content, ContentError, Item, load_item
from bot.texts.glossary import Glossary, GlossaryError, file_problems, load_glossary
from bot.texts.yaml_errors import describe
from bot.texts.journey import Journey, JourneyError, load_journey
from bot.editors.langcheck import glossary_problems, number_mismatch, script_problems
from bot.editors.review import review_problems, stale_review
from bot.editors.ui_sources import load_sources, sources_path, stale_keys, untracked_keys
from bot.channels.telegram.markup import TELEGRAM_LIMIT
from bot.editors.shape_check import ACTION_WORDS_FILE, ActionWordsError, load_action_words, shape_problems
from bot.editors.textcheck import (
    Problem,
    markdown_link_problems,
    paragraph_problems,
    placeholder_mismatch,
    placeholders,
    render_sample,
    telegram_html_problems,
    too_long,
    visible_length,
)
from bot.texts.timing import load_timing

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"
BUILT_IN_ITEMS = ("privacy",)
"""Items the bot shows by itself, outside the path."""
REQUIRED_UI_KEYS = ("language.name",)
"""Short texts that must not fall back: the language button must be in its own script."""
STATUSES = ("draft", "reviewed")
TITLE_LIMIT = 60
CALLBACK_DATA_LIMIT = 64
ITEM_BUTTON_PREFIX = "item:"
ITEM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOP_LEVEL_KEY = re.compile(r"([^\s#'\"-][^:]*|'[^']*'|\"[^\"]*\"):(?:\s|$)")
AUDIO_SUFFIX = ".ogg"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when it is installed: the same result, many times faster."""
FIELD_HELP = {
    "id": "add 'id: <the file name without .md>'",
    "title": f"add 'title: <a short title, at most {TITLE_LIMIT} characters>'",
    "summary": "add 'summary: <one short sentence>'",
    "keywords": "add 'keywords: [word, word]' with the words people type when they look for this",
    "variables": "add 'variables: []' (or the names the text uses as {{ name }})",
    "status": "add 'status: draft' (a reviewer changes it to 'reviewed')",
}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: Path
    line: int
    """Line in the file, counting from 1; 0 when the finding is about the file as a whole."""
    message: str
    fix: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self, base: Path | None = None) -> str:
        path = self.file
        if base is not None and path.is_relative_to(base):
            path = path.relative_to(base)
        where = f"{path}:{self.line}" if self.line else str(path)
        return f"{where}: {self.severity}: {self.message}\n    how to fix: {self.fix}"


def check_content(root: Path) -> list[Finding]:
    """Every problem in the content tree at ``root``, sorted by file and line."""
    findings = _Checker(root).run()
    return sorted(findings, key=lambda f: (str(f.file), f.line, f.message))


def allowed_fallbacks(journey: Journey) -> dict[str, frozenset[str]]:
    """``allow_fallback:`` in the path file: per language, items that may be shown in another language."""
    raw = journey.settings.get("allow_fallback") or {}
    if not isinstance(raw, dict):
        return {}
    return {str(lang): frozenset(str(i) for i in ids) for lang, ids in raw.items() if isinstance(ids, list)}


def _line_in(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def field_line(text: str, field: str) -> int:
    """The line of ``field:`` at the start of a line (front matter, journey.yaml), or 1."""
    return _line_in(text, rf"^{re.escape(field)}:")


def _line_and_message(error: str, path: Path) -> tuple[int, str]:
    """``<path>:<line>: <message>`` (as ``ContentError`` and ``JourneyError`` say it) split up."""
    match = re.match(rf"^{re.escape(str(path))}(?::(\d+))?:\s*", error)
    if match is None:
        return 1, error
    return int(match.group(1) or 1), error[match.end() :]


def key_lines(text: str) -> dict[str, list[int]]:
    """Per top-level key of a YAML file, the lines it is written on."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TOP_LEVEL_KEY.match(line)
        if match:
            lines.setdefault(match.group(1).strip("'\""), []).append(number)
    return lines


class _Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.journey_file = root / "journey.yaml"
        self.findings: list[Finding] = []
        self.unreadable: set[Path] = set()
        self.ui_lines: dict[str, dict[str, int]] = {}
        self.ui_sources: dict[str, dict[str, str]] = {}

    def add(self, severity: Severity, file: Path, line: int, message: str, fix: str) -> None:
        self.findings.append(Finding(severity, file, line, message, fix))

    def add_problems(
        self, file: Path, first_line: int, problems: Iterable[Problem], severity: Severity = ERROR
    ) -> None:
        for problem in problems:
            self.add(severity, file, first_line + problem.line - 1, problem.message, problem.fix)

    def run(self) -> list[Finding]:
        journey = self.load_journey()
        if journey is None:
            return self.findings
        items = {lang: self.load_items(lang) for lang in journey.languages}
        ui = {lang: self.load_ui(journey, lang) for lang in journey.languages}
        content = Content(root=self.root, journey=journey, items=items, ui=ui)
        self.check_journey(content)
        self.check_coverage(content)
        for by_id in items.values():
            for item in by_id.values():
                self.check_item(content, item)
        self.check_shapes(content)
        self.check_ui(content)
        self.check_audio(content)
        self.check_language(content)
        return self.findings

    # ------------------------------------------------------------- the path

    def load_journey(self) -> Journey | None:
        try:
            return load_journey(self.journey_file)
        except (JourneyError, KeyError, TypeError, AttributeError) as exc:
            line, message = _line_and_message(str(exc), self.journey_file)
            self.add(
                ERROR,
                self.journey_file,
                line,
                f"the path file cannot be read: {message}",
                "compare it with the layout described at the top of journey.yaml and in content/README.md",
            )
            return None

    def check_journey(self, content: Content) -> None:
        journey, file = content.journey, self.journey_file
        text = file.read_text(encoding="utf-8")
        source = journey.source_language
        if source not in journey.languages:
            self.add(
                ERROR,
                file,
                field_line(text, "languages"),
                f"the source language {source} is not in 'languages:'",
                f"add {source} to 'languages:'",
            )
        for lang in journey.fallback:
            if lang not in journey.languages:
                self.add(
                    ERROR,
                    file,
                    field_line(text, "fallback"),
                    f"fallback language {lang} is not in 'languages:'",
                    f"add {lang} to 'languages:' or remove it from 'fallback:'",
                )
        for lang in journey.languages:
            try:
                Locale.parse(journey.locale(lang))
            except (UnknownLocaleError, ValueError):
                self.add(
                    ERROR,
                    file,
                    field_line(text, "locales"),
                    f"{lang} has no known locale ({journey.locale(lang)}): dates and numbers cannot be written",
                    "set a locale such as ar_SY in 'locales:'",
                )
        known = set(content.items.get(source, {}))
        seen: set[str] = set()
        for item_id in journey.referenced_items():
            listings = list(re.finditer(rf"(id:\s*|[\[,]\s*){re.escape(item_id)}\b", text))
            lines = [text.count("\n", 0, m.start()) + 1 for m in listings] or [1]
            if item_id not in known and not self.source_unreadable(content, item_id):
                self.add(
                    ERROR,
                    file,
                    lines[0],
                    f"the path refers to '{item_id}', but there is no {source}/items/{item_id}.md",
                    f"write content/{source}/items/{item_id}.md, or correct the id",
                )
            if item_id in seen:
                self.add(ERROR, file, lines[-1], f"'{item_id}' is listed twice in the path", "list every item once")
            seen.add(item_id)
        self.check_allow_fallback(content, text, known)
        for load_rules in (load_timing, retention.load_rules):
            try:
                load_rules(journey)
            except JourneyError as exc:
                section = str(exc).split(":")[0].split(".")[0]
                self.add(ERROR, file, field_line(text, section), str(exc), "see the comments above it in journey.yaml")

    def check_allow_fallback(self, content: Content, text: str, known: set[str]) -> None:
        raw = content.journey.settings.get("allow_fallback")
        if raw is None:
            return
        line = field_line(text, "allow_fallback")
        fix = "write it as allow_fallback: {ti: [item-id, item-id]}"
        if not isinstance(raw, dict):
            self.add(ERROR, self.journey_file, line, "'allow_fallback:' must map languages to lists of item ids", fix)
            return
        for lang, ids in raw.items():
            if lang not in content.journey.languages:
                self.add(
                    ERROR, self.journey_file, line, f"'allow_fallback:' names {lang}, which is not in 'languages:'", fix
                )
            if not isinstance(ids, list):
                self.add(ERROR, self.journey_file, line, f"'allow_fallback:' for {lang} is not a list of item ids", fix)
                continue
            for item_id in ids:
                if str(item_id) not in known:
                    self.add(
                        ERROR,
                        self.journey_file,
                        line,
                        f"'allow_fallback:' names '{item_id}', which is no item",
                        "correct the id or remove it",
                    )

    def check_coverage(self, content: Content) -> None:
        journey = content.journey
        source = journey.source_language
        source_items = content.items.get(source, {})
        required = dict.fromkeys([*journey.referenced_items(), *BUILT_IN_ITEMS])
        allowed = allowed_fallbacks(journey)
        for lang in journey.languages:
            if lang == source:
                continue
            for item_id in required:
                if item_id not in source_items or item_id in content.items[lang]:
                    continue
                path = self.root / lang / "items" / f"{item_id}.md"
                if item_id in allowed.get(lang, ()) or path in self.unreadable:
                    continue
                self.add(
                    ERROR,
                    path,
                    0,
                    f"'{item_id}' is not translated into {lang}; readers would get it in another language",
                    f"translate it (wegwijs content export-po --lang {lang}, then import-po), or allow it to fall "
                    f"back for now: allow_fallback: {{{lang}: [{item_id}]}} in journey.yaml",
                )
        for item_id, item in source_items.items():
            if item_id not in required:
                self.add(
                    WARNING,
                    item.path,
                    1,
                    f"'{item_id}' is not in journey.yaml: no reader can reach it",
                    "add it to a step or to 'topics:' in journey.yaml, or remove the file",
                )

    # ------------------------------------------------------------- long texts

    def load_items(self, lang: str) -> dict[str, Item]:
        found: dict[str, Item] = {}
        for path in sorted((self.root / lang / "items").glob("*.md")):
            try:
                item = load_item(path, lang)
            except ContentError as exc:
                line, message = _line_and_message(str(exc), path)
                self.add(
                    ERROR,
                    path,
                    line,
                    message,
                    "write one 'field: value' per line; put a value with ': ' or starting with a quote in quotes"
                    if "not valid YAML" in message
                    else "start the file with the front matter between two '---' lines, as in content/README.md",
                )
                self.unreadable.add(path)
                continue
            text = path.read_text(encoding="utf-8")
            if item.id != path.stem:
                self.add(
                    ERROR,
                    path,
                    field_line(text, "id"),
                    f"the id '{item.id}' is not the file name",
                    f"write 'id: {path.stem}', or rename the file to {item.id}.md",
                )
            if item.id in found:
                self.add(
                    ERROR,
                    path,
                    field_line(text, "id"),
                    f"the id '{item.id}' is also used by {found[item.id].path.name}",
                    "give every text its own id: the file name without .md",
                )
                continue
            found[item.id] = item
        return found

    def source_unreadable(self, content: Content, item_id: str) -> bool:
        """The Dutch file of this item exists but could not be read (its error is reported already)."""
        return self.root / content.journey.source_language / "items" / f"{item_id}.md" in self.unreadable

    def check_item(self, content: Content, item: Item) -> None:
        text = item.path.read_text(encoding="utf-8")
        self.check_front_matter(content, item, text)
        body_line = text.count("\n", 0, len(text) - len(item.body)) + 1
        source = content.source_item(item.id)
        if item.lang != content.journey.source_language:
            if source is None and self.source_unreadable(content, item.id):
                return  # the Dutch file's own error says it all
            if source is None:
                self.add(
                    ERROR,
                    item.path,
                    1,
                    f"there is no Dutch text '{item.id}' this can be a translation of",
                    "remove the file, or correct its name and id to those of the Dutch text",
                )
            elif not self.check_translation(content, item, source, text, body_line):
                return  # placeholders differ from the Dutch text: rendering would only repeat that
        locale = content.journey.locale(item.lang)
        rendered, problems = render_sample(item.html_template, locale, item.variables)
        self.add_problems(item.path, body_line, problems)
        self.add_problems(item.path, body_line, markdown_link_problems(item.body))
        if rendered is None:
            return
        self.add_problems(item.path, body_line, telegram_html_problems(rendered))
        self.add_problems(item.path, body_line, paragraph_problems(rendered))
        length = visible_length(rendered) + len(item.title) + 2
        if length > TELEGRAM_LIMIT:
            self.add(
                WARNING,
                item.path,
                body_line,
                f"the text is {length} characters: it arrives as several messages",
                "consider making it shorter",
            )

    def check_front_matter(self, content: Content, item: Item, text: str) -> None:
        meta, path = item.meta, item.path
        for field, fix in FIELD_HELP.items():
            if field not in meta:
                self.add(ERROR, path, 1, f"the front matter has no '{field}:'", fix)
        if item.lang != content.journey.source_language and not meta.get("source_hash"):
            self.add(
                ERROR,
                path,
                1,
                "the translation does not record which Dutch text it was made from ('source_hash:')",
                f"check it against the Dutch text, then run: wegwijs content stamp --lang {item.lang} {item.id}",
            )
        for field in ("title", "summary"):
            if field in meta and not str(meta[field] or "").strip():
                self.add(ERROR, path, field_line(text, field), f"'{field}:' is empty", FIELD_HELP[field])
        if len(item.title) > TITLE_LIMIT:
            self.add(
                ERROR,
                path,
                field_line(text, "title"),
                f"the title is {len(item.title)} characters; it is a button label, at most {TITLE_LIMIT}",
                "shorten the title",
            )
        for field in ("keywords", "variables"):
            if field in meta and meta[field] is not None and not isinstance(meta[field], list):
                self.add(
                    ERROR, path, field_line(text, field), f"'{field}:' is not a list", f"write it as {field}: [a, b]"
                )
        if isinstance(meta.get("keywords"), list) and not meta["keywords"]:
            self.add(
                WARNING,
                path,
                field_line(text, "keywords"),
                "there are no keywords: search cannot find this text",
                FIELD_HELP["keywords"],
            )
        if "status" in meta and item.status not in STATUSES:
            self.add(
                ERROR,
                path,
                field_line(text, "status"),
                f"unknown status '{item.status}'",
                "write 'status: draft' or 'status: reviewed'",
            )
        self.check_id(item, text)
        self.check_place(content.journey, item, text)

    def check_id(self, item: Item, text: str) -> None:
        line = field_line(text, "id")
        if not ITEM_ID.fullmatch(item.id):
            self.add(
                ERROR,
                item.path,
                line,
                f"the id '{item.id}' may only hold a-z, 0-9 and single '-'",
                "rename the file and its id, e.g. taalschool-wisselen",
            )
        if len(f"{ITEM_BUTTON_PREFIX}{item.id}".encode()) > CALLBACK_DATA_LIMIT:
            limit = CALLBACK_DATA_LIMIT - len(ITEM_BUTTON_PREFIX)
            self.add(
                ERROR,
                item.path,
                line,
                f"the id is too long for a Telegram button (at most {limit} characters)",
                "choose a shorter id",
            )

    def check_place(self, journey: Journey, item: Item, text: str) -> None:
        """``step:`` and ``critical:`` are optional; when present, journey.yaml decides."""
        step = journey.item_step(item.id)
        if "step" in item.meta and (step is None or str(item.meta["step"]) != step.id):
            actual = step.id if step else "no step"
            self.add(
                ERROR,
                item.path,
                field_line(text, "step"),
                f"'step: {item.meta['step']}' disagrees with journey.yaml ({actual})",
                f"write 'step: {actual}' or remove the line" if step else "remove the 'step:' line",
            )
        if "critical" in item.meta and bool(item.meta["critical"]) != journey.is_critical(item.id):
            actual = str(journey.is_critical(item.id)).lower()
            self.add(
                ERROR,
                item.path,
                field_line(text, "critical"),
                f"'critical: {item.meta['critical']}' disagrees with journey.yaml ({actual})",
                f"write 'critical: {actual}' or remove the line",
            )

    def check_translation(self, content: Content, item: Item, source: Item, text: str, body_line: int) -> bool:
        """Checks against the Dutch text; returns whether the translation uses only placeholders the Dutch has.

        A placeholder the translation leaves out is an error, unless the
        translation is stale: then the Dutch text gained it later, and the
        stale warning covers it, so a change in Dutch can ship at once.
        """
        stale = content.is_stale(item)
        lacking_severity = WARNING if stale else ERROR
        declared, dutch = set(item.variables), set(source.variables)
        if declared - dutch or (dutch - declared and not stale):
            self.add(
                ERROR,
                item.path,
                field_line(text, "variables"),
                f"'variables:' differs from the Dutch text ({', '.join(source.variables) or 'none'})",
                "copy the 'variables:' line of the Dutch text",
            )
        mismatch = placeholder_mismatch(item.body, source.body)
        self.add_problems(item.path, body_line, mismatch.unknown)
        self.add_problems(item.path, body_line, mismatch.lacking, lacking_severity)
        if stale:
            self.add(
                WARNING,
                item.path,
                field_line(text, "source_hash"),
                "stale: the Dutch text changed after this translation was made",
                f"update the translation (export-po marks it fuzzy), then run: "
                f"wegwijs content stamp --lang {item.lang} {item.id}",
            )
        return not mismatch.unknown

    # ------------------------------------------------------------- short, action first

    def check_shapes(self, content: Content) -> None:
        """Critical items: short part at most 600 characters, the action first (``bot.editors.shape_check``).

        A stale translation is left out: it is redone from the Dutch text, and
        the stale warning already asks for that. So is a translation whose
        Dutch text cannot be read: whether it is stale is then unknown.
        """
        try:
            action_words = load_action_words(self.root)
        except ActionWordsError as exc:
            self.add(ERROR, self.root / ACTION_WORDS_FILE, 1, f"cannot be read: {exc}", "write it as nl: [ga, teken]")
            return
        for by_id in content.items.values():
            for item in by_id.values():
                if not content.journey.is_critical(item.id) or content.is_stale(item):
                    continue
                if item.lang != content.journey.source_language and self.source_unreadable(content, item.id):
                    continue  # staleness is unknown while the Dutch text cannot be read
                text = item.path.read_text(encoding="utf-8")
                body_line = text.count("\n", 0, len(text) - len(item.body)) + 1
                locale = content.journey.locale(item.lang)
                self.add_problems(item.path, body_line, shape_problems(item, locale, action_words), WARNING)

    # ------------------------------------------------------------- short texts

    def load_ui(self, journey: Journey, lang: str) -> dict[str, str]:
        path = self.root / lang / "ui.yaml"
        if not path.exists():
            if lang == journey.source_language:
                self.add(ERROR, path, 0, "the Dutch short texts are missing", "restore content/nl/ui.yaml")
            else:
                self.add(
                    WARNING,
                    path,
                    0,
                    f"there are no short texts in {lang}: every button and question falls back",
                    f"copy content/en/ui.yaml to content/{lang}/ui.yaml and translate it",
                )
            return {}
        text = path.read_text(encoding="utf-8")
        try:
            raw: Any = yaml.load(text, Loader=YAML_LOADER) or {}
        except yaml.YAMLError as exc:
            line, problem = describe(exc)
            self.add(
                ERROR,
                path,
                line,
                f"not valid YAML: {problem}",
                "write one 'key: text' per line; put a text with ': ' or starting with a quote in quotes",
            )
            self.unreadable.add(path)  # its texts are unknown: no follow-on findings about them
            return {}
        if not isinstance(raw, dict):
            self.add(ERROR, path, 1, "must be a list of 'key: text' lines", "write one 'key: text' per line")
            return {}
        texts: dict[str, str] = {}
        lines = key_lines(text)
        self.ui_lines[lang] = {key: found[0] for key, found in lines.items()}
        for key, value in raw.items():
            line = self.ui_lines[lang].get(str(key), 1)
            if len(lines.get(str(key), ())) > 1:
                self.add(
                    ERROR, path, lines[str(key)][-1], f"the key '{key}' appears more than once", "keep one of the lines"
                )
            if not isinstance(value, str):
                self.add(
                    ERROR,
                    path,
                    line,
                    f"'{key}' is not a text (YAML reads it as {value!r})",
                    'put the text in quotes, e.g. delete.yes: "Yes"',
                )
                continue
            texts[str(key)] = value
        return texts

    def check_ui(self, content: Content) -> None:
        journey = content.journey
        source_lang = journey.source_language
        source = content.ui.get(source_lang, {})
        source_known = self.root / source_lang / "ui.yaml" not in self.unreadable
        for lang, texts in content.ui.items():
            path = self.root / lang / "ui.yaml"
            if not path.exists() or path in self.unreadable:
                continue
            for key, value in texts.items():
                line = self.ui_lines[lang].get(key, 1)
                if lang != source_lang and source_known:
                    if key not in source:
                        self.add(
                            WARNING,
                            path,
                            line,
                            f"'{key}' is not in the Dutch ui.yaml, so it is never used",
                            "remove the line, or correct the key",
                        )
                        continue
                    # Short texts record no source hash: one lacking a placeholder may simply
                    # predate a change in Dutch, so that is a warning; an unknown one breaks it.
                    mismatch = placeholder_mismatch(value, source[key])
                    self.add_problems(path, line, mismatch.unknown)
                    self.add_problems(path, line, mismatch.lacking, WARNING)
                    if mismatch.unknown:
                        continue
                try:
                    allowed = placeholders(source.get(key, value))
                except TemplateSyntaxError:  # reported on the Dutch file
                    allowed = frozenset()
                rendered, problems = render_sample(value, journey.locale(lang), allowed)
                self.add_problems(path, line, problems)
                if rendered is not None:
                    self.add_problems(path, line, [*telegram_html_problems(rendered), *too_long(rendered)])
            if lang != source_lang and source_known:
                self.check_ui_coverage(content, lang, path)

    def check_ui_coverage(self, content: Content, lang: str, path: Path) -> None:
        source = content.journey.translatable_ui(content.ui.get(content.journey.source_language, {}))
        missing = [key for key in source if key not in content.ui[lang]]
        for key in missing:
            if key in REQUIRED_UI_KEYS:
                self.add(
                    ERROR,
                    path,
                    0,
                    f"'{key}' is missing: it must be in the language's own script",
                    f"add '{key}: <text>' to content/{lang}/ui.yaml",
                )
        fallback = [key for key in missing if key not in REQUIRED_UI_KEYS]
        if fallback:
            self.add(
                WARNING,
                path,
                0,
                f"{len(fallback)} short texts are not translated; readers see them in "
                f"{'/'.join(content.journey.fallback_chain(lang)[1:])}: {', '.join(fallback)}",
                f"add them to content/{lang}/ui.yaml, or translate them in a catalog: "
                f"wegwijs content export-po --lang {lang}",
            )

    # ------------------------------------------------------------- recordings

    def check_audio(self, content: Content) -> None:
        known = set(content.items.get(content.journey.source_language, {}))
        for lang in content.journey.languages:
            folder = self.root / lang / "audio"
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith(".") or path.is_dir():
                    continue
                if path.suffix != AUDIO_SUFFIX:
                    self.add(
                        ERROR, path, 0, "only <id>.ogg recordings are used", "save the recording as Ogg/Opus: <id>.ogg"
                    )
                elif path.stem not in known:
                    self.add(
                        ERROR,
                        path,
                        0,
                        f"there is no text '{path.stem}', so this recording is never sent",
                        "name the file after the id of its text, e.g. woning.ogg",
                    )
                elif not is_ogg_opus(path.read_bytes()):
                    self.add(
                        ERROR,
                        path,
                        0,
                        "this is not an Ogg/Opus recording; Telegram plays only those as voice messages",
                        "export it as Ogg with the Opus codec, e.g. ffmpeg -i in.m4a -c:a libopus -b:a 32k out.ogg",
                    )

    # ------------------------------------------------- glossary, letters, numbers

    def load_glossary(self) -> Glossary | None:
        try:
            return load_glossary(self.root)
        except GlossaryError as exc:
            fix = "compare it with the layout described at the top of glossary.yaml"
            self.add(ERROR, self.root / "glossary.yaml", 1, f"the glossary cannot be read: {exc}", fix)
            return None

    def check_language(self, content: Content) -> None:
        """The glossary file, then every translation against it, its own script and the Dutch numbers.

        A stale translation gets warnings, not errors: the Dutch text changed
        after it was made, so a fix in Dutch can ship at once.
        """
        glossary = self.load_glossary()
        if glossary is not None:
            for line, message, fix in file_problems(glossary, content.journey.languages):
                self.add(ERROR, glossary.path, line, message, fix)
            for lang in ("ar", "fa", "ti"):
                for term in glossary.terms:
                    entry = term.entry(lang)
                    if entry is not None:
                        text = "\n".join((entry.explain, *entry.say, *entry.words))
                        for problem in script_problems(text, lang):
                            self.add(ERROR, glossary.path, term.line, f"{term.term}, {lang}: {problem.message}", problem.fix)
        source_lang = content.journey.source_language
        for lang in content.journey.languages:
            for item in content.items.get(lang, {}).values():
                self.check_review(content, item)
            if lang == source_lang:
                continue
            for item in content.items.get(lang, {}).values():
                source = content.source_item(item.id)
                if source is not None:
                    self.check_item_language(content, glossary, item, source)
            self.ui_sources[lang] = load_sources(self.root, lang)
            self.check_ui_sources(content, lang)
            self.check_ui_language(content, glossary, lang)

    def check_review(self, content: Content, item: Item) -> None:
        text = item.path.read_text(encoding="utf-8")
        for field, message, fix in review_problems(content, item):
            self.add(ERROR, item.path, field_line(text, field), message, fix)
        stale = stale_review(content, item)
        if stale is not None:
            self.add(WARNING, item.path, field_line(text, "status"), *stale)

    def check_ui_sources(self, content: Content, lang: str) -> None:
        """Short texts translated from an older Dutch text, and short texts that record none."""
        path = self.root / lang / "ui.yaml"
        dutch, translated = content.ui.get(content.journey.source_language, {}), content.ui.get(lang, {})
        hashes = self.ui_sources[lang]
        for key in sorted(stale_keys(dutch, translated, hashes)):
            self.add(
                WARNING,
                path,
                self.ui_lines.get(lang, {}).get(key, 1),
                f"'{key}' is stale: the Dutch text changed after this translation was made",
                f"update the translation (export-po marks it fuzzy), then run: "
                f"wegwijs content stamp --lang {lang} --key {key}",
            )
        untracked = untracked_keys(dutch, translated, hashes)
        if untracked:
            self.add(
                WARNING,
                sources_path(self.root, lang),
                0,
                f"{len(untracked)} short texts do not record which Dutch text they were translated from, "
                f"so a change in Dutch cannot mark them stale: {', '.join(untracked[:10])}"
                + (f" and {len(untracked) - 10} more" if len(untracked) > 10 else ""),
                f"check them against the Dutch text, then run: wegwijs content stamp --lang {lang} "
                + " ".join(f"--key {key}" for key in untracked[:3])
                + (" ..." if len(untracked) > 3 else ""),
            )

    def check_item_language(self, content: Content, glossary: Glossary | None, item: Item, source: Item) -> None:
        text = item.path.read_text(encoding="utf-8")
        body_line = text.count("\n", 0, len(text) - len(item.body)) + 1
        severity = WARNING if content.is_stale(item) else ERROR
        self.add_problems(item.path, 1, script_problems(text, item.lang))
        translated = "\n".join((item.title, item.summary, item.body))
        dutch = "\n".join((source.title, source.summary, source.body))
        parts = [("body", body_line), ("title", field_line(text, "title")), ("summary", field_line(text, "summary"))]
        for part, line in parts:
            different, missing = number_mismatch(getattr(item, part), getattr(source, part))
            self.add_problems(item.path, line, different, severity)
            self.add_problems(item.path, line, missing, WARNING)
        if glossary is not None:
            self.add_problems(item.path, 1, glossary_problems(glossary, translated, dutch, item.lang), severity)

    def check_ui_language(self, content: Content, glossary: Glossary | None, lang: str) -> None:
        path = self.root / lang / "ui.yaml"
        source = content.ui.get(content.journey.source_language, {})
        for key, value in content.ui.get(lang, {}).items():
            dutch = source.get(key)
            if dutch is None:
                continue
            line = self.ui_lines.get(lang, {}).get(key, 1)
            severity = WARNING if self.ui_stale(content, lang, key) else ERROR
            different, missing = number_mismatch(value, dutch)
            found = [
                (ERROR, script_problems(value, lang)),
                (severity, different),
                (WARNING, missing),
                (severity, glossary_problems(glossary, value, dutch, lang) if glossary is not None else []),
            ]
            for level, problems in found:
                for problem in problems:
                    self.add(level, path, line, f"'{key}': {problem.message}", problem.fix)

    def ui_stale(self, content: Content, lang: str, key: str) -> bool:
        """Whether a short text was translated from an older Dutch text (see ``bot.editors.ui_sources``)."""
        dutch = content.ui.get(content.journey.source_language, {})
        return key in stale_keys(dutch, {key: ""}, self.ui_sources.get(lang, {}))
