"""Scores and rule inputs in words: what a reader sees instead of codes.

- `wells_breakdown`: every Wells item with its points, whether it counted and where its answer
  came from (the -2 item included), from a stored screening.
- `input_lines`: a flag's or hazard's stored inputs (`red_flags.night_pain = true`, ...) as
  (label, value) pairs in the reader's language, never keys.
"""

from django.utils.translation import gettext_lazy as _

from assessments.forms import PalpationForm, RedFlagsForm
from assessments.rules.evidence import NO, YES
from assessments.rules.facts import (
    CANCER_CHOICES,
    PROVOKER_LABELS,
    QUALITY_LABELS,
    SIDE_LABELS,
)
from assessments.rules.measures import MEASURE_BY_CODE
from assessments.rules.wells import ORIGIN_LABELS, WELLS_ITEM_BY_CODE, WELLS_ITEMS
from assessments.rules.wording import listed

OTHER_LABELS = {
    "today": _("Date of the screening"),
    "days_since_onset": _("Days since the pain began"),
    "complaint.onset": _("Pain since"),
    "complaint.pain": _("Pain now (0-10)"),
    "complaint.provokers": _("Worse with"),
    "complaint.qualities": _("How it feels"),
    "calf_difference_cm": _("Calf difference (cm)"),
    "larger_side": _("Larger calf"),
    "previous.pain": _("Pain at the previous assessment (0-10)"),
    "previous.on": _("Previous assessment"),
    "wells.score": _("Wells score"),
    "wells.likely": _("DVT likely by the Wells score (2 or more)"),
    "wells.items": _("Wells items that counted"),
    # answers of earlier rules versions, kept on old records
    "red_flags.cancer_history": _("History of cancer"),
    "red_flags.recent_surgery_or_immobilisation": _("Recent surgery, plaster cast or bed rest"),
}


def _form_labels(prefix: str, form_class) -> dict[str, str]:
    return {f"{prefix}.{name}": field.label for name, field in form_class.base_fields.items()}


def _labels() -> dict[str, str]:
    labels = {
        **_form_labels("red_flags", RedFlagsForm),
        **_form_labels("palpation", PalpationForm),
        **{f"wells.{item.code}": item.label for item in WELLS_ITEMS},
        **OTHER_LABELS,
    }
    for name in RedFlagsForm.WELLS_FIELDS:  # stored as red_flags.wells_<item> by old versions
        labels[f"red_flags.{name}"] = RedFlagsForm.base_fields[name].label
    calf = MEASURE_BY_CODE["calf_circumference"]
    labels["measurements.calf_circumference.left"] = f"{calf.label} ({SIDE_LABELS['left']})"
    labels["measurements.calf_circumference.right"] = f"{calf.label} ({SIDE_LABELS['right']})"
    return labels


def _codes(value: str, names: dict) -> str:
    return str(listed(names.get(code, code) for code in value.split(",") if code))


def _value(key: str, value: str) -> str:
    if value == YES:
        return str(_("yes"))
    if value == NO:
        return str(_("no"))
    if key.endswith((".side", "leg_swelling", "larger_side")):
        return str(SIDE_LABELS.get(value, value))
    if key == "red_flags.cancer":
        return str(dict(CANCER_CHOICES).get(value, value))
    if key == "complaint.provokers":
        return _codes(value, PROVOKER_LABELS)
    if key == "complaint.qualities":
        return _codes(value, QUALITY_LABELS)
    if key == "wells.items":
        return _codes(value, {code: item.label for code, item in WELLS_ITEM_BY_CODE.items()})
    return value


def input_lines(inputs: dict) -> list[tuple[str, str]]:
    """(label, value) for each stored input; an unknown key is shown as a plain phrase."""
    labels = _labels()
    lines = []
    for key, value in (inputs or {}).items():
        label = labels.get(key)
        if label is None:
            label = key.rsplit(".", 1)[-1].replace("_", " ")
        lines.append((str(label), _value(key, str(value))))
    return lines


def wells_breakdown(wells: dict | None) -> dict | None:
    """The Wells score of a stored screening, item by item; None when none was computed.
    A screening of an earlier version stored only the codes that counted: every item is still
    listed, with the points those codes give."""
    if not wells:
        return None
    counted = {line["code"]: line["present"] for line in wells.get("lines", [])}
    if not counted:
        counted = {code: True for code in wells.get("items", [])}
    rows = [
        {
            "code": item.code,
            "label": item.label,
            "item_points": item.points,
            "present": counted.get(item.code, False),
            "points": item.points if counted.get(item.code, False) else 0,
            "origin": ORIGIN_LABELS[item.origin],
        }
        for item in WELLS_ITEMS
    ]
    return {
        "score": wells.get("score"),
        "likely": wells.get("likely"),
        "calf_difference_cm": wells.get("calf_difference_cm"),
        "rows": rows,
    }
