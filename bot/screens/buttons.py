"""Every button's data, declared in one place: its prefix and the shape of each field.

A handler is registered with ``CallbackQueryHandler(callback, pattern=<one of
these>)`` and reads its fields from ``context.matches[0]``, never by splitting
the data itself. Numbers are ASCII digits of bounded length (``[0-9]``, not
``\\d``, which also matches "²"), so a forged button cannot bring an oversized
or non-ASCII number to ``int()``, SQLite or a timestamp. Data that matches no
pattern here is a stale button (``handlers/fallback.py``).
"""

from __future__ import annotations

import re
import secrets

ROW_ID = r"[0-9]{1,12}"
"""A database row id (question, appointment, draft)."""
PERSON_ID = r"[0-9]{1,16}"
"""A person id (bot/people/identities.py): below 2**53 (16 digits), far below SQLite's 2**63."""
STAMP = r"[0-9]{1,10}"
"""Unix seconds, at most 9999999999 (the year 2286): always a valid datetime."""
NAME = r"[a-z0-9][a-z0-9_-]{0,59}"
"""An id from the content: a step, an item, a language, an appointment kind, a menu target."""
TOKEN = r"[A-Za-z0-9_-]{1,16}"
"""A one-time token (``new_token``)."""
VERSION = r"[0-9]{1,9}"
"""A row's version number (an appointment's): a button that carries it is stale once the row changed."""


def new_token() -> str:
    """A one-time token for the buttons of one question on screen: 8 characters that ``TOKEN`` matches.
    Kept with the pending state; a button whose token is no longer the one kept is stale."""
    return secrets.token_urlsafe(6)


def _pattern(*fields: str) -> re.Pattern[str]:
    return re.compile("^" + ":".join(fields) + r"\Z")


# Statushouder (prefixes in views.py and reminder_views.py)
LANGUAGE = _pattern("lang", f"(?P<lang>{NAME})")
PRIVACY = _pattern("priv", "(?P<answer>yes|no)")
STEP = _pattern("step", rf"(?P<step>{NAME}|\?)")
MENU = _pattern("m", f"(?P<target>{NAME})")
ITEM = _pattern("item", f"(?P<item>{NAME})")
MORE = _pattern("more", f"(?P<item>{NAME})")
DELETE = _pattern("del", f"(?P<answer>yes|no)(?::(?P<token>{TOKEN}))?")
ASK = _pattern("ask", "(?P<action>new)")
ASK_SEND = _pattern("ask", "(?P<action>send|cancel)", f"(?P<token>{TOKEN})")
"""Send or cancel the question on screen: only while its token is the one waiting (else a stale button)."""
ASK_FOLLOWUP = _pattern("ask", "(?P<action>follow|nofollow)", f"(?P<token>{TOKEN})")
ASK_DRAFT = _pattern("ask", "(?P<action>draft)", f"(?P<draft>{ROW_ID})")
ASK_ITEM = _pattern("ask", "(?P<action>item)", f"(?P<item>{NAME})")
APPOINTMENT = _pattern("appt", "(?P<action>yes|no|skip)", f"(?P<appointment>{ROW_ID})")
CHECK = _pattern("chk", "(?P<action>yes|unclear)", f"(?P<item>{NAME})")
REMINDERS = _pattern("rem", "(?P<action>pause|resume)")

# Klantmanager (prefixes in handlers/klantmanager.py)
CLIENTS_PAGE = _pattern("kl", "(?P<page>[0-9]{1,4})")
"""A page of ``/clients`` (counted from 0)."""
CLIENT = _pattern("kc", "(?P<action>card|step|tr|keep)", f"(?P<client>{PERSON_ID})")
CLIENT_SET_STEP = _pattern("kc", "(?P<action>set)", f"(?P<client>{PERSON_ID})", f"(?P<step>{NAME})")
CLIENT_TRANSFER_TO = _pattern("kc", "(?P<action>to|move)", f"(?P<client>{PERSON_ID})", f"(?P<to>{PERSON_ID})")
CLIENT_APPOINTMENTS = _pattern("kc", "appt", f"(?P<client>{PERSON_ID})")
QUESTION = _pattern("kq", "(?P<action>reply|done|call)", f"(?P<question>{ROW_ID})")
AWAY = _pattern("ka", f"(?P<substitute>{PERSON_ID})", f"(?P<until>{STAMP})")
BROADCAST = _pattern("kb", "(?P<action>step|text)", f"(?P<step>{NAME})")
BROADCAST_ITEM = _pattern("kb", "(?P<action>item)", f"(?P<step>{NAME})", f"(?P<item>{NAME})")
BROADCAST_FLOW = _pattern("kb", "(?P<action>send|cancel)")
APPOINTMENT_NEW = _pattern("kap", "(?P<action>new)", f"(?P<client>{PERSON_ID})", f"(?P<kind>{NAME})")
APPOINTMENT_EDIT = _pattern("kap", "(?P<action>change|cancel|keep)", f"(?P<appointment>{ROW_ID})")
APPOINTMENT_DROP = _pattern("kap", "(?P<action>drop)", f"(?P<appointment>{ROW_ID})", f"(?P<version>{VERSION})")
"""The confirmed cancel of an appointment, for the version the klantmanager saw."""
APPOINTMENT_FLOW = _pattern("kap", "(?P<action>nothing|save|abort|same)", f"(?P<token>{TOKEN})")
"""A button of one run of the appointment flow: its token is kept in the flow's awaiting state."""

# Admin (handlers/km_admin.py): a klantmanager's card, whom to move their
# clients to, which clients, removal after confirmation, cancel.
ADMIN = re.compile(
    rf"^ad:(?:(?P<action>km|mv|rm|rmok):(?P<km>{PERSON_ID})"
    rf"|(?P<move>to|all|one):(?P<first>{PERSON_ID}):(?P<target>{PERSON_ID})"
    r"|(?P<cancel>no))\Z"
)
