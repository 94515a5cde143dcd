"""Link codes: the payload of a ``t.me/<bot>?start=<code>`` deep link.

Telegram allows 1–64 characters from ``A-Z a-z 0-9 _ -``. A code
``step-<id>`` places the person at that step of the path (for a poster or a
leaflet handed out at a welkomstbijeenkomst). Codes ``c-…`` and ``km-…`` are
invitations (see ``bot/casework/invites.py``): whether one is valid is known only when
it is redeemed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.casework import invites
from bot.texts.journey import Journey

_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
STEP_PREFIX = "step-"


@dataclass(frozen=True)
class StepLink:
    step_id: str


@dataclass(frozen=True)
class InviteLink:
    code: str


LinkTarget = StepLink | InviteLink


def is_well_formed(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def resolve(code: str, journey: Journey) -> LinkTarget | None:
    """What a code means, or None when it is malformed or unknown."""
    if not is_well_formed(code):
        return None
    if code.startswith(STEP_PREFIX) and journey.step(code[len(STEP_PREFIX) :]):
        return StepLink(code[len(STEP_PREFIX) :])
    if invites.is_invite_code(code):
        return InviteLink(code)
    return None
