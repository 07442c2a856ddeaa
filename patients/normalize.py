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

# Separates the fields of a search key so a query never matches across two fields. Each field
# starts with two of them, so the start of a field is itself a 3-character pattern ("||林"), which
# a trigram index (pg_trgm, SQLite FTS5) can serve: that is how 1-2 character queries are found.
FIELD_SEPARATOR = "|"
FIELD_START = FIELD_SEPARATOR * 2

# Variant forms of kanji that are the same name to the person who types it, folded to one form so
# 渡邉 finds 渡辺 and 齋藤 finds 斉藤 (the stored key and the query are folded alike). Only
# characters that are variants of each other in family and given names; NFKC already folds the
# compatibility ideographs except the dozen "unified" ones (﨑 among them), listed here.
KANJI_VARIANTS = {
    "辺": "邉邊",
    "斉": "斎齋齊",
    "高": "髙",
    "崎": "﨑嵜碕",
    "島": "嶋嶌",
    "沢": "澤",
    "浜": "濱濵",
    "広": "廣",
    "桜": "櫻",
    "国": "國",
    "真": "眞",
    "徳": "德",
    "恵": "惠",
    "富": "冨",
    "槙": "槇",
    "竜": "龍",
    "薮": "藪籔",
    "峰": "峯",
    "瀬": "瀨",
    "渕": "淵",
    "条": "條",
    "実": "實",
    "寿": "壽",
    "栄": "榮",
    "増": "增",
    "黒": "黑",
    "青": "靑",
    "来": "來",
    "蔵": "藏",
    "館": "舘",
    "桑": "桒",
    "吉": "𠮷",
}
_VARIANT_TABLE = str.maketrans(
    {variant: common for common, variants in KANJI_VARIANTS.items() for variant in variants}
)
# Ideographic variation selectors (渡邉󠄂: the same character in a chosen glyph) say nothing the
# search should tell apart.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


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
    """Width-folded, hiragana, lower-case, kanji variants in one form, without spaces or dashes."""
    text = _VARIATION_SELECTORS.sub("", unicodedata.normalize("NFKC", text or ""))
    text = to_hiragana(text).casefold().translate(_VARIANT_TABLE)
    return _DASHES.sub("", _SPACES.sub("", text)).replace(FIELD_SEPARATOR, "")


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", unicodedata.normalize("NFKC", text or ""))


def search_key(*fields: str) -> str:
    """Each field folded, each one after FIELD_START: "||山田太郎||太郎||…"."""
    return "".join(FIELD_START + fold(field) for field in fields)
