"""Turning text into search terms, the same way for documents and queries.

People type the way their keyboard and habit let them: Arabic without or with
vowel marks, Farsi on an Arabic keyboard, Dutch without the dots on
"oriëntatie", digits in their own script. Each text goes through ``fold``
(script rules that hold for every language) and then its language's letter
map, so that the forms a person may type meet the forms an editor wrote.

``variants`` adds stems (Snowball, the stemmers most search engines use,
through PyStemmer, its maintained C binding) so "woningen" meets "woning" and
"راتبي" (my salary) meets "الراتب" (the salary). Tigrinya has no Snowball
stemmer; its search relies on prefix matching.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

ZWNJ = "\u200c"
TATWEEL = "\u0640"

# A word: letters and digits, with zero-width non-joiners inside (Farsi
# writes compounds and suffixes as one word with a ZWNJ between the parts).
_WORD = re.compile(rf"(?:[^\W_]|{ZWNJ})+")
# Jinja placeholders and link targets in an editor's text are not words a
# person reads.
_NOT_PROSE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\(https?://[^)\s]*\)|https?://\S+")

_ARABIC_LETTERS = str.maketrans(
    {
        "ٱ": "ا",  # alef wasla; the hamza/madda forms (أ إ آ) lose their mark in fold()
        "ى": "ي",  # alef maksura, usually typed as yeh
        "ة": "ه",  # teh marbuta, often typed as heh
        "ی": "ي",  # Persian keyboard letters typed in Arabic
        "ک": "ك",
        "ە": "ه",
    }
)
_PERSIAN_LETTERS = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh and kaf from an Arabic keyboard
        "ى": "ی",
        "ك": "ک",
        "ٱ": "ا",
        "ة": "ه",
        "ە": "ه",  # left of heh-with-yeh (ۀ) once its hamza mark is gone
        "\u200d": "",  # zero-width joiner: only shapes letters
    }
)
# Ethiopic word space and punctuation (፡ ። ፣ ፤ ፥ ፦ ፧ ፨ and the section mark)
# separate words. Tigrinya writes the sounds of ሠ and ፀ with ሰ and ጸ; people
# type either, so each syllable of those series becomes its common twin.
_TIGRINYA = str.maketrans(
    {
        **{chr(c): " " for c in range(0x1360, 0x1369)},
        **{chr(0x1220 + i): chr(0x1230 + i) for i in range(8)},  # ሠ ሡ ሢ ሣ ሤ ሥ ሦ ሧ → ሰ …
        **{chr(0x1340 + i): chr(0x1338 + i) for i in range(7)},  # ፀ ፁ ፂ ፃ ፄ ፅ ፆ → ጸ …
    }
)


@dataclass(frozen=True)
class Rules:
    letters: dict[int, str] | None
    stemmer: str | None
    """Snowball algorithm name, or None where none exists."""
    min_prefix: int
    """Shortest query word that also matches longer words starting with it."""
    min_fuzzy: int
    """Shortest unknown word that may be a typo of a known one. Arabic script
    leaves out short vowels, so a four-letter word there is often another
    real word one letter away ("خوبه", good; "خونه", house)."""
    contractions: tuple[str, ...] = ()
    """Spoken words glued to the article and written as one word: Levantine
    "عالحكيم" (to the doctor) and "هالشهر" (this month) are "الحكيم",
    "الشهر" after "عَ" and "هَ". The stemmer knows the written forms only."""
    compounds: bool = False
    """Compounds are written as one word ("huisdokter"), so an unknown word
    may end in a known one (see ``bot.search.search_index``)."""
    syllabic: bool = False
    """Ge'ez script: a letter is a consonant with its vowel, and an ending
    changes the vowel of the letter before it ("ደሞዝ", salary; "ደሞዘይ", my salary)."""


_LATIN = Rules(letters=None, stemmer=None, min_prefix=4, min_fuzzy=4)
RULES: dict[str, Rules] = {
    "nl": Rules(letters=None, stemmer="dutch", min_prefix=4, min_fuzzy=4, compounds=True),
    "en": Rules(letters=None, stemmer="english", min_prefix=4, min_fuzzy=4),
    "ar": Rules(letters=_ARABIC_LETTERS, stemmer="arabic", min_prefix=3, min_fuzzy=5, contractions=("عال", "هال")),
    "fa": Rules(letters=_PERSIAN_LETTERS, stemmer="persian", min_prefix=3, min_fuzzy=5),
    # One Ethiopic character is a whole syllable, so two already say a lot.
    "ti": Rules(letters=_TIGRINYA, stemmer=None, min_prefix=2, min_fuzzy=4, syllabic=True),
}
ARTICLE = "ال"
MIN_AFTER_CONTRACTION = 3
"""Letters after "عال" or "هال" for it to be a contraction: "عالم" (world) is not one."""
ETHIOPIC = range(0x1200, 0x1380)
SIXTH_ORDER = 5
"""Place of the vowelless form in each row of eight Ethiopic letters (ዘ ዙ ዚ ዛ ዜ ዝ ዞ)."""


def rules(lang: str) -> Rules:
    return RULES.get(lang, _LATIN)


class _FoldTable(dict[int, str | None]):
    """``str.translate`` table for ``fold``, filled as characters are met."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch == TATWEEL or unicodedata.category(ch) == "Mn":
            value = None
        else:
            digit = unicodedata.decimal(ch, None)
            value = ch if digit is None else str(digit)
        self[code] = value
        return value


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """What holds in every script: compatibility forms, marks, digits, case.

    NFKD splits a letter from its marks, so dropping the marks removes Latin
    diacritics (ë → e), Arabic tashkeel and the hamza or madda on alef
    (أ إ آ → ا); presentation forms become plain letters. Every decimal digit
    (Arabic-Indic ٣, Persian ۳) becomes an ASCII digit.
    """
    return unicodedata.normalize("NFKD", text).translate(_FOLD).casefold()


def normalize(text: str, lang: str) -> str:
    """The text with one spelling for each letter, ready to split into words."""
    text = fold(text)
    letters = rules(lang).letters
    return text.translate(letters) if letters else text


def words(text: str, lang: str) -> list[str]:
    """The words of a text as a person would see them, normalised; ZWNJ kept inside."""
    found = (w.strip(ZWNJ) for w in _WORD.findall(normalize(_NOT_PROSE.sub(" ", text), lang)))
    return [w for w in found if w]


_per_thread = threading.local()


def _stemmer(name: str) -> Stemmer.Stemmer:
    """A stemmer for this thread: PyStemmer's stemmers must not be shared between threads."""
    stemmers: dict[str, Stemmer.Stemmer] = _per_thread.__dict__.setdefault("stemmers", {})
    if name not in stemmers:
        stemmers[name] = Stemmer.Stemmer(name)
    return stemmers[name]


@lru_cache(maxsize=1 << 16)
def variants(word: str, lang: str) -> tuple[str, ...]:
    """The terms one word stands for: itself first, then its spoken contraction undone, stems, a ZWNJ compound's parts.

    "خانه‌ها" (houses) gives "خانهها" (as typed without the ZWNJ), "خانه" (its
    stem) and the parts "خانه", "ها" (as typed with a space). No term holds a
    ZWNJ, so all spellings of a compound meet.
    """
    joined = word.replace(ZWNJ, "")
    out = [joined]
    rule = rules(lang)
    spoken = next(
        (ARTICLE + word[len(c) :] for c in rule.contractions if word.startswith(c) and len(word) - len(c) >= MIN_AFTER_CONTRACTION),
        None,
    )
    if spoken:
        out.append(spoken)
    if rule.stemmer:
        out.extend(_stemmer(rule.stemmer).stemWord(w).replace(ZWNJ, "") for w in (word, spoken) if w)
    if ZWNJ in word:
        out.extend(word.split(ZWNJ))
    return tuple(dict.fromkeys(t for t in out if t))


def without_ending(word: str, lang: str, max_ending: int) -> list[str]:
    """The word without its last one or two letters, shortest ending first.

    In Ge'ez script the letter before an ending also loses the vowel the
    ending gave it: "ደሞዘይ" (my salary) gives "ደሞዘ" and "ደሞዝ" (salary).
    """
    out = []
    for cut in range(1, max_ending + 1):
        base = word[:-cut]
        out.append(base)
        if rules(lang).syllabic and base and ord(base[-1]) in ETHIOPIC:
            code = ord(base[-1])
            sixth = chr(code - (code - ETHIOPIC.start) % 8 + SIXTH_ORDER)
            if sixth != base[-1] and unicodedata.category(sixth) == "Lo":
                out.append(base[:-1] + sixth)
    return out


def terms(text: str, lang: str) -> list[str]:
    """Every term of a text, for the index."""
    return [t for w in words(text, lang) for t in variants(w, lang)]
