"""Mongolian Cyrillic <-> Latin transliteration, and the search key built on it.

Citizens' names reach the desk in Cyrillic, in several Latin spellings (passports, e-mail,
texts typed on phones without a Cyrillic keyboard) and in every case. The local store indexes
`search_key` so that all of them find the same record.

Display transliteration (`to_latin`) follows the common Mongolian practice, in plain ASCII:
ө -> o and ү -> u (as people type them), х -> kh, ц -> ts, ч -> ch, ш/щ -> sh, ж -> j,
ы -> y, й/и/ь -> i, ъ -> nothing, ё -> yo, ю -> yu, я -> ya, э -> e. The letter е is "ye" at
the start of a word and after a vowel (Ерөөл -> Yerool) and "e" after a consonant
(Сергей -> Sergei): Mongolian е is almost only word-initial, where "ye" is how it is written.

The search key then folds the spellings that vary between writers to one form:

* х: kh, h and x -> h (x is what a Latin keyboard offers for х)
* ц: ts and c (not followed by h) -> ts; ч stays ch
* ж: j and zh -> j
* е: ye and e -> e (the same letter is written both ways)
* й/ы: y not followed by a vowel -> i (Сайхан: Saikhan = Saykhan; Батын: Batyn = Batin)
* w -> v; diacritics dropped (Ölzii -> olzii)

Deliberately NOT merged: o/u (Болд and Булд are different names), long and short vowels
(Бат and Баат), s/sh. Ө and Ү fold onto O and U only because the Latin spelling can't tell
them apart anyway.
"""

from __future__ import annotations

import re
import unicodedata

_CYR_TO_LAT: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",  # "ye" in word-initial and post-vowel position, see _latin_lower
    "ё": "yo",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ү": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "y",
    "ь": "i",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Kazakh (the Bayan-Ölgii minority writes Kazakh Cyrillic), Ukrainian and Belarusian.
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "ng",
    "ұ": "u",
    "һ": "h",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "ў": "u",
}
_CYR_VOWELS = frozenset("аеёиоөуүыэюяәұіїєъь")

_LAT_DIGRAPHS: dict[str, str] = {
    "kh": "х",
    "ts": "ц",
    "ch": "ч",
    "sh": "ш",
    "ya": "я",
    "yu": "ю",
    "yo": "ё",
    "ye": "е",
    "zh": "ж",
}
_LAT_TO_CYR: dict[str, str] = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "d": "д",
    "e": "э",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "ö": "ө",
    "p": "п",
    "q": "к",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "ü": "ү",
    "v": "в",
    "w": "в",
    "x": "х",
    "y": "ы",
    "z": "з",
}
_LAT_VOWELS = frozenset("aeiouöü")


def _latin_lower(ch: str, prev: str) -> str | None:
    """Latin for one lower-case character, or None if it is not Cyrillic we know."""
    if ch == "е":
        word_start = not prev.isalpha()
        return "ye" if word_start or prev.lower() in _CYR_VOWELS else "e"
    latin = _CYR_TO_LAT.get(ch)
    if latin is not None:
        return latin
    # A known letter carrying an accent (ѐ, ӧ, ӱ...): keep the letter, drop the accent.
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return _latin_lower(decomposed[0], prev)
    return None


def _is_caps_word(text: str, i: int) -> bool:
    """Whether the upper-case letter at i sits in an all-caps word (ХААН -> KHAAN, not KhAAN)."""
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[i + 1].isupper()
    return i > 0 and text[i - 1].isalpha() and text[i - 1].isupper()


def to_latin(text: str) -> str:
    """Readable ASCII form of Mongolian Cyrillic; characters it does not know pass through."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        latin = _latin_lower(low, text[i - 1] if i else "")
        if latin is None:
            out.append(ch)
        elif low == ch:
            out.append(latin)
        elif len(latin) > 1 and not _is_caps_word(text, i):
            out.append(latin.capitalize())
        else:
            out.append(latin.upper())
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Best-effort Mongolian Cyrillic for Latin text; it cannot recover ө/ү from o/u.

    Digraphs win over single letters (so "Batsaikhan" gives Бацайхан, not Батсайхан), and an
    "i" or "y" after a vowel that does not start a syllable is й (Saikhan and Saykhan ->
    Сайхан, Olzii -> Олзий).
    """
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        low = ch.lower()
        pair = text[i : i + 2].lower()
        width = 1
        if pair in _LAT_DIGRAPHS:
            cyr, width = _LAT_DIGRAPHS[pair], 2
        elif low in "iy" and i > 0 and text[i - 1].lower() in _LAT_VOWELS:
            following = text[i + 1].lower() if i + 1 < len(text) else ""
            cyr = _LAT_TO_CYR[low] if following in _LAT_VOWELS else "й"
        elif low in _LAT_TO_CYR:
            cyr = _LAT_TO_CYR[low]
        else:
            out.append(ch)
            i += 1
            continue
        out.append(cyr.upper() if ch.isupper() else cyr)
        i += width
    return "".join(out)


def _translit_lower(text: str) -> str:
    out: list[str] = []
    prev = ""
    for ch in text:
        latin = _latin_lower(ch, prev)
        out.append(ch if latin is None else latin)
        prev = ch
    return "".join(out)


def _strip_marks(text: str) -> str:
    return "".join(
        c
        for c in unicodedata.normalize("NFKD", text)
        if unicodedata.category(c) not in {"Mn", "Me"}
    )


# Order matters: each rule only sees what the earlier ones left, which keeps the whole
# sequence idempotent (e.g. "c" before "x" -> "h", so "cx" does not turn into "ch").
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("w"), "v"),
    (re.compile("c(?!h)"), "ts"),
    (re.compile("x"), "h"),
    (re.compile("k+h"), "h"),
    (re.compile("zh"), "j"),
    (re.compile("y(?![aeiou])"), "i"),
    (re.compile("ye"), "e"),
)
_SEPARATORS = re.compile(r"[\W_]+")
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
# Unicode normalisation and case folding are not guaranteed to commute (hence Unicode's own
# NFKC_Casefold); iterating to a fixpoint makes idempotence a guarantee instead of a hope.
_MAX_PASSES = 4


def _key_once(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold()
    s = _translit_lower(s)
    s = _translit_lower(_strip_marks(s))
    s = _SEPARATORS.sub(" ", s).strip(" ")
    for pattern, replacement in _FOLDS:
        s = pattern.sub(replacement, s)
    return s


def search_key(text: str) -> str:
    """Spelling- and script-independent key: ``Бат-Эрдэнэ`` and ``bat erdene`` give the same.

    Lower case, Latin, variant spellings folded (see the module docstring), words separated by
    single spaces. Idempotent, and never raises.
    """
    key = _key_once(text)
    for _ in range(_MAX_PASSES):
        again = _key_once(key)
        if again == key:
            return key
        key = again
    # Not reached for any input seen so far. Keeping only ASCII letters and digits of a folded
    # key gives a fixpoint of _key_once, so the promise holds even then.
    return _NOT_ASCII_WORD.sub(" ", key).strip(" ")


def search_tokens(text: str) -> list[str]:
    """The words of the search key, for prefix matching word by word."""
    return search_key(text).split()


def compact_key(text: str) -> str:
    """The search key without word breaks, so ``Bat Erdene`` matches ``Батэрдэнэ``."""
    # Re-keyed after joining: joining can create a spelling the folds merge (к + х -> kh -> h).
    return search_key(search_key(text).replace(" ", "")).replace(" ", "")
