"""Names people and clinics are known by: visible characters only.

A name made of zero-width characters looks blank on every page and list yet is not empty; a
direction override (U+202E) makes 山田 show as something else and can hide a different name in
search results, printouts and the audit trail. Refused: every format character (Unicode category
Cf: zero-width spaces and joiners U+200B..U+200D, word joiner U+2060, BOM U+FEFF, the bidi marks,
embeddings, overrides and isolates U+200E, U+200F, U+061C, U+202A..U+202E, U+2066..U+2069, and
the other invisible Cf characters), control characters (Cc: tabs, line breaks, NUL...), lone
surrogates (Cs) and the line/paragraph separators (U+2028, U+2029) in these single-line fields.
Private-use characters (gaiji) and characters newer than Python's Unicode tables stay allowed.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Zl", "Zp"})
MESSAGE = _(
    "Use visible characters only; this name contains hidden or direction-changing characters."
)


def is_hidden(ch: str) -> bool:
    return unicodedata.category(ch) in HIDDEN_CATEGORIES


def validate_visible_name(value) -> None:
    """A field validator for one-line names (patients, staff, clinics)."""
    if isinstance(value, str) and any(is_hidden(ch) for ch in value):
        raise ValidationError(MESSAGE, code="hidden_characters")


def check_names(instance, fields) -> None:
    """For a model's clean(): every listed field checked, errors keyed by field (so a form shows
    each beside its box)."""
    errors = {}
    for name in fields:
        try:
            validate_visible_name(getattr(instance, name, ""))
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)


INVOICE_NUMBER = re.compile(r"T[0-9]{13}")


def validate_invoice_registration_number(value) -> None:
    """適格請求書発行事業者登録番号: "T" and 13 digits (the check digit is the tax office's)."""
    if value and not INVOICE_NUMBER.fullmatch(value):
        raise ValidationError(
            _("Enter T followed by 13 digits, e.g. T1234567890123."), code="invoice_number"
        )
