"""What a person did, as the core sees it, whatever channel it came through."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.channel import Attachment


@dataclass(frozen=True)
class Turn:
    """One thing a person did: a command, a text, a button pressed, a file sent.

    ``person_id`` is the internal id (``bot/people/identities.py``), never a
    channel's own id; None for someone the bot has no record of yet (a
    person is made at their first write: ``conversation.common.person``).
    ``address`` is where replies go in ``channel``: in a private chat, the
    person's own id on that channel.
    ``language_hint`` is the language of the person's app or browser, for the
    time before they chose one.
    """

    person_id: int | None
    channel: str
    address: str
    language_hint: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    text: str | None = None
    button: str | None = None
    attachment: Attachment | None = None
    other: str | None = None
    """Anything else the channel received (a sticker, a location...): its kind, for a polite answer."""
    reply_to: str | None = None
    """The channel's reference of the message this one replies to (a reply to a relayed answer)."""

    @property
    def plain_text(self) -> str | None:
        """The text of a plain message: not a file's caption, not a command or a button."""
        if self.command is not None or self.button is not None or self.attachment is not None or self.other:
            return None
        return self.text


EDITED = "edited"
"""``Turn.other`` for an edited message: not new input, the person is asked to send it again."""
