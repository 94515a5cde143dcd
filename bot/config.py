"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    content_dir: Path
    token: str | None = None
    api_url: str | None = None
    file_url: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "db_path": Path(os.environ.get("WEGWIJS_DB", "wegwijs.db")),
            "content_dir": Path(os.environ.get("WEGWIJS_CONTENT", DEFAULT_CONTENT_DIR)),
            "token": os.environ.get("TELEGRAM_BOT_TOKEN"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
