"""Small template filters every app's templates share.

- `listed`: a list joined with the separator of the reader's language ("、" in Japanese, ", " in
  English), never a hard-coded Japanese comma on an English page.
- `yen`: an amount as ¥1,234 (never the locale's own grouping: the till prints yen the same way in
  every language).
- `tr`: a text frozen in both languages (a dict {"ja": ..., "en": ...}, as snapshots store
  generated wording) in the reader's language; a plain string is returned as it is.
"""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def in_language(value):
    if not isinstance(value, dict):
        return value
    language = "en" if (get_language() or "").startswith("en") else "ja"
    return value.get(language) or value.get("ja") or value.get("en") or ""


@register.filter
def tr(value):
    return in_language(value)


@register.filter
def listed(values):
    # Translators: separator between the items of a list shown on a page ("、" in Japanese).
    separator = _(", ")
    return separator.join(str(in_language(value)) for value in values or ())


@register.filter
def tel(phone):
    """A phone number as a tap-to-call `tel:` target: digits and a leading + only."""
    text = str(phone or "")
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"+{digits}" if text.strip().startswith("+") else digits


@register.filter
def of_kind(items, kind):
    """The snapshot items of one kind ("habit", "exercise", ...), in their order."""
    return [item for item in items or () if item.get("kind") == kind]


@register.filter
def yen(value):
    """An amount of yen as the till shows it: ¥1,234 (and -¥100 for a shortfall)."""
    if value in (None, ""):
        return ""
    amount = int(value)
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"
