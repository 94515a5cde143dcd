"""What ``/mydata`` hands a person: everything stored about them, and of staff only their names.

``bot.core.db.export_person`` finds every row about the person. Those rows also
name the staff who dealt with them (the klantmanager a question went to, who
answered, who did what in the audit trail, a chat a message was relayed to).
A person may know who their klantmanager is, not that klantmanager's person
id or Telegram account: every id that is not the person's own becomes the staff
member's name (or nothing, if it is no staff member). The person's own
identities (their Telegram id) are theirs and exported as they are. JSON kept in a column
(button state, outbox parameters, audit details) is opened and treated the
same way, and a staff account number inside the program's own text (an
outbox key) is replaced by the name too. What the person wrote stays as
written.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import sqlite_utils

from bot.core.db import export_person

ACCOUNT_KEYS = frozenset(
    {
        "id",
        "user_id",
        "about_user_id",
        "chat_id",
        "relay_chat_id",
        "sender_id",
        "actor_id",
        "created_by",
        "klantmanager_id",
        "substitute_id",
        "klantmanager",
        "from_klantmanager",
        "to_klantmanager",
        "substitute",
        "admin",
    }
)
"""Column and JSON names whose number is a person id (``id``: only in ``users``)."""
JSON_COLUMNS = frozenset({"data", "params", "details"})
"""Columns that keep JSON: button state (``awaiting``), outbox parameters, audit details."""
TEXT_WITH_ACCOUNTS = frozenset({"key", "last_error"})
"""Columns of the program's own text that may contain a person id (outbox keys)."""


def personal_export(db: sqlite_utils.Database, user_id: int) -> dict[str, Any]:
    """Everything stored about one person, table by table, staff shown by name only."""
    names = {row[0]: row[1] or "" for row in db.execute("SELECT id, name FROM staff")}
    names.pop(user_id, None)
    account_in_text = re.compile(r"\b(" + "|".join(str(i) for i in names) + r")\b") if names else None

    def clean(value: Any, key: str, table: str) -> Any:
        if isinstance(value, dict):
            return {k: clean(v, k, table) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, key, table) for v in value]
        if isinstance(value, bytes):  # a file the person sent or got in the web chat
            return base64.b64encode(value).decode()
        if isinstance(value, bool) or not isinstance(value, int | str):
            return value
        if isinstance(value, int):
            is_account = key in ACCOUNT_KEYS and (key != "id" or table == "users")
            if not is_account or value == user_id:
                return value
            return names.get(value)
        if key in JSON_COLUMNS:
            opened = _json(value)
            return value if opened is None else clean(opened, key, table)
        if key in TEXT_WITH_ACCOUNTS and account_in_text is not None:
            return account_in_text.sub(lambda m: names[int(m[1])], value)
        return value

    return {
        table: [{k: clean(v, k, table) for k, v in row.items()} for row in rows]
        for table, rows in export_person(db, user_id).items()
    }


def _json(text: str) -> dict | list | None:
    """A JSON object or list kept as text, opened; None for any other text."""
    if not text.startswith(("{", "[")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None
