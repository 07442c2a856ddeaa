"""Small pieces of wording the plan rules share: lists, sentences, and measured values."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .measures import MEASURE_BY_CODE

# Signs written against the number; every other unit is spaced ("6.5 cm").
UNSPACED = ("°", "%")


def listed(parts: Iterable[str]) -> str:
    """Phrases in one run ("a, b, c")."""
    parts = list(parts)
    # Translators: separator between the phrases of a list inside one sentence.
    separator = _(", ")
    return format_lazy("{sep}".join(["{}"] * len(parts)), *parts, sep=separator)


def _sentences(parts: tuple) -> str:
    # A Japanese sentence ends with 「。」 and the next follows without a space; others take one.
    text = ""
    for part in (str(part) for part in parts):
        text += part if not text or text.endswith(("。", "．")) else f" {part}"
    return text


def sentences(parts: Iterable[str]) -> str:
    """Whole sentences in one text, in the language active when it is read."""
    return lazy(_sentences, str)(tuple(parts))


def number(value: Decimal | int) -> str:
    """55.0 reads "55", 6.50 reads "6.5", 60 stays "60" (never "6E+1")."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def measured(value: Decimal, measure_code: str) -> str:
    """A measured value with its unit as printed: "55°", "6.5 cm"."""
    unit = MEASURE_BY_CODE[measure_code].unit_label
    return f"{number(value)}{unit}" if unit in UNSPACED else f"{number(value)} {unit}"


LANGUAGES = ("ja", "en")


def both(text) -> dict[str, str]:
    """A (lazy) text frozen in Japanese and in English: what a snapshot stores, so a page in
    either language shows its own words and a later rules version rewrites neither."""
    frozen = {}
    for language in LANGUAGES:
        with translation.override(language):
            frozen[language] = str(text)
    return frozen
