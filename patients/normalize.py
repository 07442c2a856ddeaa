"""Japanese-aware text folding for patient search. Pure: no Django imports.

Searching やまだ must find ヤマダ タロウ, ﾔﾏﾀﾞ must find ヤマダ, and ０９０ must find 090.
Both the stored key and the query go through the same fold, so matching is a plain substring test.
"""

import re
import unicodedata

_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6  # ァ .. ヶ
_KANA_OFFSET = 0x60  # distance between a katakana and its hiragana
_DASHES = re.compile(r"[-‐‑‒–—―−]")
_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D")
_KATAKANA_ONLY = re.compile(r"^[ァ-ヶー・ 　]+$")

# Separates the fields of a search key so a query never matches across two fields.
FIELD_SEPARATOR = "|"


def to_hiragana(text: str) -> str:
    return "".join(
        chr(ord(ch) - _KANA_OFFSET) if _KATAKANA_START <= ord(ch) <= _KATAKANA_END else ch
        for ch in text
    )


def to_katakana(text: str) -> str:
    """Kana typed in either script or width, as full-width katakana (how フリガナ is stored)."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        chr(ord(ch) + _KANA_OFFSET)
        if _KATAKANA_START - _KANA_OFFSET <= ord(ch) <= _KATAKANA_END - _KANA_OFFSET
        else ch
        for ch in folded
    ).strip()


def is_katakana(text: str) -> bool:
    return bool(_KATAKANA_ONLY.match(text))


def fold(text: str) -> str:
    """Width-folded, hiragana, lower-case, without spaces or dashes."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_hiragana(text).casefold()
    return _DASHES.sub("", _SPACES.sub("", text)).replace(FIELD_SEPARATOR, "")


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", unicodedata.normalize("NFKC", text or ""))


def search_key(*fields: str) -> str:
    return FIELD_SEPARATOR.join(fold(field) for field in fields)
