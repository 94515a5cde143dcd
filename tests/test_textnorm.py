"""Normalisation per script, with real words: the forms people type meet the forms editors wrote."""

from __future__ import annotations

from bot.search.textnorm import fold, terms, variants, without_ending, words


def meet(typed: str, written: str, lang: str) -> bool:
    """Whether a typed word and a written word share an index term."""
    return bool(set(terms(typed, lang)) & set(terms(written, lang)))


def test_arabic_tashkeel_tatweel_alef_yeh_teh_marbuta_and_digits() -> None:
    assert words("مُسَاعَدَة", "ar") == words("مساعده", "ar")  # tashkeel gone, ة → ه
    assert words("الإعـــانة", "ar") == words("الاعانه", "ar")  # tatweel gone, إ → ا
    assert words("أحمد آمنة إقامة", "ar") == ["احمد", "امنه", "اقامه"]
    assert words("مستشفى", "ar") == ["مستشفي"]  # ى → ي
    assert words("الساعة ١٠ يوم ٣", "ar") == ["الساعه", "10", "يوم", "3"]
    assert meet("راتبي", "الراتب", "ar")  # "my salary" meets "the salary"
    assert meet("التامين", "التأمين", "ar")


def test_farsi_arabic_letters_zwnj_and_digits() -> None:
    assert words("بيمه درماني", "fa") == words("بیمه درمانی", "fa")  # Arabic ي → ی
    assert words("كلاس", "fa") == words("کلاس", "fa")  # Arabic ك → ک
    assert words("۱۴۰۳", "fa") == ["1403"]
    # A compound written with a ZWNJ, without it, or with a space: all meet.
    for typed in ("خانه‌ها", "خانهها", "خانه ها"):
        assert meet(typed, "خانه‌ها", "fa"), typed
    assert meet("می‌خواهم", "میخواهم", "fa")
    assert meet("خانه", "خانه‌ها", "fa")  # the stem of "houses" is "house"


def test_tigrinya_ethiopic_separators_and_letter_twins() -> None:
    assert words("ገንዘብ፡መዓስ፡ይመጸኒ።", "ti") == ["ገንዘብ", "መዓስ", "ይመጸኒ"]
    assert words("ገዛ፣መፍትሕ፤ክራይ፥ውዕል", "ti") == ["ገዛ", "መፍትሕ", "ክራይ", "ውዕል"]
    assert words("ፀሓይ ሠላም", "ti") == words("ጸሓይ ሰላም", "ti")


def test_dutch_and_english_case_diacritics_and_inflections() -> None:
    assert fold("Oriëntatie CAFÉ") == "orientatie cafe"
    assert words("Zorgverzekering, Huisarts!", "nl") == ["zorgverzekering", "huisarts"]
    assert meet("woningen", "woning", "nl")
    assert meet("sleutels", "sleutel", "nl")
    assert meet("houses", "house", "en")
    assert meet("signing", "sign", "en")


def test_what_is_not_a_word() -> None:
    assert words("👍🙂 ?!… ፡፡ ።", "ti") == []
    assert words("{{ name }} [DigiD](https://www.digid.nl/inloggen)", "nl") == ["digid"]


def test_levantine_contractions_with_the_article() -> None:
    assert "الحكيم" in variants("عالحكيم", "ar")  # to the doctor
    assert "الشهر" in variants("هالشهر", "ar")  # this month
    assert variants("عالم", "ar") == ("عالم",)  # world: a word of its own, not a contraction


def test_an_ending_in_geez_script_changes_the_vowel_before_it() -> None:
    assert "ደሞዝ" in without_ending("ደሞዘይ", "ti", 2)  # my salary -> salary
    assert "ገንዘብ" in without_ending("ገንዘበይ", "ti", 2)  # my money -> money
    assert without_ending("پولم", "fa", 1) == ["پول"]  # only Ge'ez letters carry the vowel
