"""Recognising a greeting or a call for help ("hallo", "سلام", "ሰላም", "menu").

Such a message is no question to search: the person gets a greeting and the
menu. Only a message made of these words alone counts, so "hallo, wanneer
begint de taalles?" is still searched.
"""

from __future__ import annotations

from functools import lru_cache

from bot.search.textnorm import words

GREETING_WORDS = (
    # Dutch and English
    "hallo hoi hey hi hello hee dag goedemorgen goedemiddag goedenavond goede morgen middag avond "
    "good morning afternoon evening help helpen menu start begin beginnen thanks dank bedankt",
    # Arabic
    "مرحبا مرحباً اهلا أهلا سلام السلام عليكم وعليكم صباح مساء الخير النور مساعدة ساعدني القائمة قائمة شكرا",
    # Farsi
    "سلام درود صبح بخیر عصر شب وقت کمک منو فهرست ممنون مرسی",
    # Tigrinya
    "ሰላም ሰላማት ከመይ ሓገዝ ዝርዝር የቐንየለይ",
)
MAX_WORDS = 4
"""A greeting is short; a longer message is a question even when it starts with "hallo"."""


@lru_cache(maxsize=16)
def _known(lang: str) -> frozenset[str]:
    return frozenset(w for line in GREETING_WORDS for w in words(line, lang))


def is_greeting(text: str, lang: str) -> bool:
    found = words(text, lang)
    return 0 < len(found) <= MAX_WORDS and all(w in _known(lang) for w in found)
