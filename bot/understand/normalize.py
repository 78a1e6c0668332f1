"""Text normalisation and tokenising shared by the query side and the index side.

Both sides must go through exactly the same steps, otherwise a word typed by a resident can
never meet the same word written by an organiser.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic and Persian spellings of the same letter, and hamza carriers, collapse to one form:
# residents type on Persian, Arabic and Latin keyboards, and organisers copy from anywhere.
_LETTERS = str.maketrans(
    {
        "ی": "ي",  # Persian yeh
        "ى": "ي",  # alef maksura
        "ې": "ي",
        "ک": "ك",  # Persian keheh
        "ة": "ه",  # teh marbuta
        "ۀ": "ه",
        "ە": "ه",
        "ٱ": "ا",
        "ـ": "",  # tatweel only stretches a word
        "’": "'",
        "‘": "'",
    }
)
_DIGITS = str.maketrans({chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)})
_TOKEN = re.compile(r"\w+")
# "ikväääll", "اليوووم", "فرداااا": letters stretched for emphasis (never digits: "1000").
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")


# Persian writes suffixes after a zero-width non-joiner ("برنامه‌های"): a word boundary, so that
# "برنامه" is found and "های" is a function word, as when people type a space instead.
_ZWNJ = str.maketrans({"\u200c": " "})


def normalize(text: str) -> str:
    """Folds case, accents, Arabic diacritics and letter variants; removes invisible controls.

    Accents go too ("mollan" finds "Möllan"), because many residents type Swedish names on
    keyboards without å, ä and ö.
    """
    text = unicodedata.normalize("NFKC", text).translate(_ZWNJ).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Mn: accents and Arabic harakat; Cf: bidi controls, ZWNJ/ZWJ, soft hyphens, BOM.
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Cf"))
    folded = unicodedata.normalize("NFC", kept).translate(_LETTERS).translate(_DIGITS)
    return _STRETCHED.sub(r"\1", folded)


def tokens(text: str) -> list[str]:
    """Words of already normalised text; hyphens and apostrophes split ("af-soomaali")."""
    return [token.replace("_", "") for token in _TOKEN.findall(text) if token.strip("_")]


def token_spans(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text) if m.group().strip("_")]


def is_arabic_script(token: str) -> bool:
    return bool(token) and "\u0600" <= token[0] <= "\u06ff"


# Inflection endings that may follow a base word: Swedish, English, Finnish case endings and
# clitics (accent-folded), Somali definite articles. Used both ways: "workshops" meets
# "workshop", "panelen" meets "panel", "tiistaina" meets "tiistai", "maksaako" meets "maksaa".
LATIN_SUFFIXES = (
    "arnas",
    # Finnish illative: "tapahtumaan", "konserttiin".
    "aan",
    "een",
    "iin",
    "ernas",
    "ornas",
    "arna",
    "erna",
    "orna",
    "ssa",
    "lla",
    "lta",
    "sta",
    "ksi",
    "lle",
    "ies",
    "ing",
    "ers",
    "ets",
    "ens",
    "ar",
    "er",
    "or",
    "en",
    "et",
    "na",
    "es",
    "ed",
    "ko",
    "ka",
    "ta",
    "da",
    "ha",
    "ga",
    "ns",
    "a",
    "e",
    "n",
    "s",
    "t",
)
# Arabic proclitics (and, with, for, like + the article) and Persian/Arabic plural endings.
ARABIC_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
# Persian possessives last ("شعرم", my poetry), so that they are tried only when nothing else fits.
ARABIC_SUFFIXES = ("هاي", "ها", "ات", "ين", "ون", "يه", "ي", "م")


def base_forms(token: str) -> list[str]:
    """Shorter forms the token may be an inflection of, most likely first (token excluded)."""
    forms: list[str] = []
    if is_arabic_script(token):
        stems = [token]
        for prefix in ARABIC_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 3:
                stems.append(token[len(prefix) :])
                break
        for stem in list(stems):
            for suffix in ARABIC_SUFFIXES:
                if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
                    stems.append(stem[: -len(suffix)])
                    break
        forms = stems[1:]
    else:
        for suffix in LATIN_SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 4:
                forms.append(token[: -len(suffix)])
        for form in list(forms):
            # Finnish -us/-ys nouns inflect on -uks-/-ude-: "oikeuksista" is "oikeus", "terveyden" "terveys".
            for stem, base in (
                ("uksi", "us"),
                ("yksi", "ys"),
                ("ukse", "us"),
                ("ykse", "ys"),
                ("ude", "us"),
                ("yde", "ys"),
            ):
                if form.endswith(stem) and len(form) > 6:
                    forms.append(form[: -len(stem)] + base)
    return list(dict.fromkeys(forms))
