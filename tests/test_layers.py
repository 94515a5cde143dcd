"""The core knows no channel (issue 15): what the core's packages import, and who imports the emulator.

The imports are read from the source (every ``import``, also those only for
type checking or inside a function), not from what one run happens to load.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
CORE_PACKAGES = ("core", "conversation", "screens", "reminders", "casework", "delivery", "people", "texts", "search")
CHANNEL_MODULES = ("telegram", "bot.emulator", "bot.channels")
"""PTB, the Bot API emulator, and any channel: none of them is the core's business."""
EMULATOR_USERS = ("bot/emulator/", "bot/demo/")

def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` (a file under ``root``) imports, relative imports resolved."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_under(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in names)


def _channel_imports(path: Path) -> list[str]:
    return sorted(m for m in _imports(path) if _is_under(m, CHANNEL_MODULES))


def _core_files() -> list[Path]:
    return sorted(p for package in CORE_PACKAGES for p in (BOT / package).rglob("*.py"))


def test_the_core_imports_no_channel_and_not_the_emulator() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in _core_files()
        if (found := _channel_imports(path))
    }
    assert offenders == {}


def test_only_the_demo_and_the_emulator_import_the_emulator() -> None:
    users = sorted(
        str(path.relative_to(ROOT))
        for path in BOT.rglob("*.py")
        if not str(path.relative_to(ROOT)).startswith(EMULATOR_USERS)
        and any(_is_under(m, ("bot.emulator",)) for m in _imports(path))
    )
    assert users == []


def test_relative_and_late_imports_are_seen(tmp_path: Path) -> None:
    """The walk would miss a channel imported relatively, for type checking, or inside a function."""
    fake = tmp_path / "bot" / "core" / "fake.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(
        "from typing import TYPE_CHECKING\n"
        "from ..channels.telegram import channel\n"
        "from . import clock\n"
        "if TYPE_CHECKING:\n    from telegram.ext import Application\n"
        "def later():\n    import bot.emulator.state\n"
    )
    found = _imports(fake, tmp_path)
    assert {"bot.channels.telegram.channel", "bot.core.clock", "telegram.ext", "bot.emulator.state"} <= found
    assert sorted(m for m in found if _is_under(m, CHANNEL_MODULES)) == [
        "bot.channels.telegram", "bot.channels.telegram.channel", "bot.emulator.state", "telegram.ext",
        "telegram.ext.Application",
    ]
