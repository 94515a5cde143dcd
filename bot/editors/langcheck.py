"""Checks of a translation's letters, numbers and words against its language and its Dutch source.

- Farsi written with Arabic letters (ي ك instead of ی ک), or Arabic with
  Farsi letters: they look alike, but search and screen readers see other
  words.
- Numbers that differ between a translation and its Dutch text ("3 years"
  that became "2 years"): compared as a multiset after turning Arabic-Indic
  and Persian digits into 0-9 and decimal commas into points.
- Amharic words in a Tigrinya text: both are written in Ge'ez script, and
  a translator (or a machine) may slip into Amharic.
- Dutch glossary terms a translation leaves out (see ``bot.texts.glossary``).
"""

from __future__ import annotations

import re
from collections import Counter

from bot.texts.bidi import strip_marks
from bot.texts.glossary import Glossary
from bot.editors.textcheck import Problem, line_of

WRONG_LETTERS = {
    "fa": {"ي": "ی", "ك": "ک", "ى": "ی"},
    "ar": {"ی": "ي", "ک": "ك"},
}
"""Per language, letters of the neighbouring script and the letter to write instead."""
LANGUAGE_NAMES = {"fa": "Farsi", "ar": "Arabic"}

# Common Amharic words that Tigrinya does not use, with the Tigrinya word.
# Kept short and certain: each one is a function word or everyday word whose
# Tigrinya form is different, so finding it means the sentence is Amharic.
AMHARIC_WORDS = {
    "ነው": "እዩ",  # is
    "ናቸው": "እዮም",  # are
    "እና": "ከምኡውን / -ን",  # and
    "ይህ": "እዚ",  # this
    "ይህን": "እዚ",
    "እሱ": "ንሱ",  # he
    "እሷ": "ንሳ",  # she
    "እኔ": "ኣነ",  # I
    "እርስዎ": "ንስኹም",  # you (polite)
    "የት": "ኣበይ",  # where
    "መቼ": "መዓስ",  # when
    "እንዴት": "ከመይ",  # how
    "ለምን": "ስለምንታይ",  # why
    "ብቻ": "ጥራይ",  # only
    "ወደ": "ናብ",  # to
    "ጋር": "ምስ",  # with
    "ውስጥ": "ውሽጢ",  # inside
    "አይደለም": "ኣይኮነን",  # is not
    "ደግሞ": "ድማ",  # also
    "አዎ": "እወ",  # yes
    "እባክዎ": "በጃኹም",  # please
    "እባክዎን": "በጃኹም",
    "አመሰግናለሁ": "የቐንየለይ",  # thank you
    "ቀጠሮ": "ቆጸራ",  # appointment
    "ጤና": "ጥዕና",  # health
    "ሥራ": "ስራሕ",  # work
    "ትምህርት": "ትምህርቲ",  # education
    "ገንዘብዎ": "ገንዘብኩም",  # your money
    "ማዘጋጃ": "ምምሕዳር ከተማ",  # municipality
}
_ETHIOPIC_WORD = re.compile(r"[\u1200-\u135F\u1380-\u139F\u2D80-\u2DDF]+")
"""Ethiopic letters; the Ethiopic punctuation (U+1360-1368: ። ፣ ፤) and numerals end a word."""

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Link addresses, placeholders and tags hold digits a reader does not read as numbers.
_NOT_PROSE = re.compile(r"\]\([^)]*\)|https?://\S+|\{\{.*?\}\}|\{%.*?%\}|<[^>]*>")
_NUMBER = re.compile(r"\d+(?:[.,٫]\d+)?")


def wrong_letters(text: str, lang: str) -> list[Problem]:
    """Letters of the neighbouring script (Arabic in Farsi, Farsi in Arabic)."""
    problems = []
    for wrong, right in WRONG_LETTERS.get(lang, {}).items():
        if wrong in text:
            problems.append(
                Problem(
                    f"the letter {wrong} (U+{ord(wrong):04X}) is not a {LANGUAGE_NAMES[lang]} letter",
                    f"write {right} (U+{ord(right):04X}) instead; a {LANGUAGE_NAMES[lang]} keyboard layout types it",
                    line_of(text, wrong),
                )
            )
    return problems


def numbers(text: str) -> Counter[str]:
    """The numbers a reader sees in a text, in Western digits with a decimal point."""
    prose = _NOT_PROSE.sub(" ", strip_marks(text)).translate(_DIGITS)
    return Counter(n.replace(",", ".").replace("٫", ".") for n in _NUMBER.findall(prose))


def number_mismatch(translation: str, source: str) -> tuple[list[Problem], list[Problem]]:
    """Numbers (so durations, amounts, hours) that differ from the Dutch text: (different, missing).

    *different*: the translation has a number the Dutch text has not (a
    wrong duration or amount). *missing*: a Dutch number the translation
    does not write in digits; that may be right (Arabic says "two weeks"
    in one word, أسبوعين), so the checker only warns about it.
    """
    ours, theirs = numbers(source), numbers(translation)
    extra = sorted((theirs - ours).elements())
    lacking = sorted((ours - theirs).elements())
    different = [
        Problem(
            f"the translation has the number {n}, which the Dutch text has not"
            + (f" (the Dutch text has {', '.join(lacking)})" if lacking else ""),
            "write the numbers, durations and amounts of the Dutch text, in digits, and no other",
            line_of(translation, n),
        )
        for n in dict.fromkeys(extra)
    ]
    missing = (
        []
        if different or not lacking
        else [
            Problem(
                f"the Dutch text has the number(s) {', '.join(lacking)}, the translation does not write them in digits",
                "check that the translation says the same number; digits are easier to read",
            )
        ]
    )
    return different, missing


def amharic_words(text: str) -> list[Problem]:
    """Amharic words in a Tigrinya text."""
    found = dict.fromkeys(w for w in _ETHIOPIC_WORD.findall(text) if w in AMHARIC_WORDS)
    return [
        Problem(
            f"'{word}' is Amharic, not Tigrinya",
            f"write the Tigrinya word ({AMHARIC_WORDS[word]})",
            line_of(text, word),
        )
        for word in found
    ]


def script_problems(text: str, lang: str) -> list[Problem]:
    """What is wrong with the letters and words of a text in its own language."""
    problems = wrong_letters(text, lang)
    if lang == "ti":
        problems += amharic_words(text)
    return problems


def glossary_problems(glossary: Glossary, translation: str, source: str, lang: str) -> list[Problem]:
    """Dutch terms the Dutch text uses and the translation leaves out."""
    problems = []
    translation = strip_marks(translation)
    for term in glossary.used_in(source):
        if term.kept_in(translation):
            continue
        entry = term.entry(lang)
        known_as = f" ({', '.join(entry.say[:2])})" if entry and entry.say else ""
        problems.append(
            Problem(
                f"the Dutch text uses the term '{term.term}', the translation does not keep that word",
                f"keep '{term.term}' where the text speaks of it, with your own words beside it if you like"
                f"{known_as}; content/glossary.yaml explains it",
            )
        )
    return problems
