"""Latin names written in Arabic script ("روتردام" = Rotterdam, "ستادسهوست" = Stadshuset).

Arabic and Persian spell foreign names by their consonants, so a name is compared by its
consonant skeleton: the letters both scripts write, with sounds one of them lacks folded
together (g/k/q, p/b, v/f, z/s, th/t).
"""

from __future__ import annotations

from bot.understand.normalize import is_arabic_script

MIN_SKELETON = 3
MIN_LATIN_LETTERS = 5

_ARABIC = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "k", "چ": "ch", "ح": "h", "خ": "kh", "د": "d", "ذ": "d",
    "ر": "r", "ز": "s", "ژ": "s", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "s", "غ": "k",
    "ف": "f", "ق": "k", "ك": "k", "گ": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "", "ي": "",
    "ا": "", "أ": "", "إ": "", "آ": "", "ء": "", "ئ": "", "ؤ": "", "ع": "",
}  # fmt: skip
_VOWEL_LETTERS = frozenset("اويى")
_LATIN_PAIRS = (("sch", "sh"), ("ch", "ch"), ("sh", "sh"), ("th", "t"), ("ph", "f"), ("kh", "kh"), ("ck", "k"))
_LATIN = {
    "b": "b", "p": "b", "c": "k", "d": "d", "f": "f", "v": "f", "g": "k", "h": "h", "j": "", "k": "k",
    "q": "k", "l": "l", "m": "m", "n": "n", "r": "r", "s": "s", "z": "s", "t": "t", "x": "ks",
}  # fmt: skip


def skeleton(word: str) -> str:
    """The consonants of a normalised word in either script, doubled letters once."""
    out: list[str] = []
    if is_arabic_script(word):
        out = [_ARABIC.get(ch, "") for ch in word]
    else:
        i = 0
        while i < len(word):
            pair = next((p for p in _LATIN_PAIRS if word.startswith(p[0], i)), None)
            if pair is not None:
                out.append(pair[1])
                i += len(pair[0])
                continue
            out.append(_LATIN.get(word[i], ""))
            i += 1
    collapsed: list[str] = []
    for sound in out:
        if sound and (not collapsed or collapsed[-1] != sound):
            collapsed.append(sound)
    return "".join(collapsed)


def latin_skeletons(words: set[str] | frozenset[str]) -> dict[str, str]:
    """Skeleton -> the Latin word it comes from, for words long enough to be names."""
    found: dict[str, str] = {}
    for word in sorted(words, key=lambda w: (-len(w), w)):
        if len(word) < MIN_LATIN_LETTERS or is_arabic_script(word) or not word.isalpha():
            continue
        key = skeleton(word)
        if len(key) >= MIN_SKELETON:
            found.setdefault(key, word)
    return found


def looks_foreign(word: str) -> bool:
    """A foreign name spelled in Arabic script writes its vowels with long-vowel letters and
    takes no article; "الطقس" (the weather) is an Arabic word, "روتردام" a name."""
    if word.startswith("ال") or len(word) < 4:
        return False
    return any(ch in _VOWEL_LETTERS for ch in word[1:])
