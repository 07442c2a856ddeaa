"""Human-readable lines for a stored section, using the section form's own labels and choices."""

import json

from django import forms

from assessments.forms import SECTION_FORMS, MeasurementsForm
from assessments.rules.measures import MEASURE_BY_CODE, MEASURES, PERCENT
from assessments.rules.weight import BODY_WEIGHT, WEIGHT_BEARING
from assessments.rules.wording import listed


def describe(code: str, data: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for what was recorded; empty and unticked fields are left out."""
    if code == "measurements":
        return []  # shown as the left-right table instead
    form = SECTION_FORMS[code]()
    lines = []
    for name, field in form.fields.items():
        value = data.get(name)
        # 0 is a value (a pain of 0/10), not an empty answer
        if value is None or value is False or value == "" or value == []:
            continue
        if isinstance(field, forms.BooleanField):
            lines.append((str(field.label), "✓"))
        elif isinstance(field, forms.MultipleChoiceField):
            labels = dict(field.choices)
            lines.append((str(field.label), str(listed(str(labels.get(v, v)) for v in value))))
        elif isinstance(field, forms.ChoiceField):
            lines.append((str(field.label), str(dict(field.choices).get(value, value))))
        else:
            lines.append((str(field.label), str(value)))
    return lines


def measurement_rows(assessment, previous=None):
    """One row per measure: this visit's values and the comparison with the previous assessment.

    `now` and `before` are the screened values, in the measure's unit (weight bearing typed in kg
    is screened as each side's share in %); `typed` is the pair as typed when that was in another
    unit (kg), so it can be shown with its own unit.
    """
    asymmetries = {a["code"]: a for a in assessment.screening.get("asymmetries", [])}
    before = {a["code"]: a for a in (previous.screening.get("asymmetries", []) if previous else [])}
    typed = assessment.section("measurements")
    rows = []
    for measure in MEASURES:
        rows.append(
            {
                "measure": measure,
                "now": asymmetries.get(measure.code),
                "before": before.get(measure.code),
                "typed": _in_other_unit(measure, typed.get(measure.code)),
            }
        )
    return rows


def changes(section: str, before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) for each value an amendment changed."""
    if section == "measurements":
        labels = {m.code: str(m.label) for m in MEASURES}
        labels[BODY_WEIGHT] = str(MeasurementsForm.base_fields["body_weight_kg"].label)
        codes = sorted((set(before) | set(after)) & set(labels), key=list(labels).index)
        old, new = _measured(before), _measured(after)
        return [
            (labels[code], _value(code, old.get(code)), _value(code, new.get(code)))
            for code in codes
            if old.get(code) != new.get(code)
        ]
    old, new = dict(describe(section, before)), dict(describe(section, after))
    return [
        (label, old.get(label, "—"), new.get(label, "—"))
        for label in list(dict.fromkeys([*old, *new]))
        if old.get(label) != new.get(label)
    ]


def stored_lines(section: str, data: dict) -> list[tuple[str, str]]:
    """(label, value) of what a section holds, measurements included (as "left / right unit"):
    what a conflict shows as stored now."""
    if section != "measurements":
        return describe(section, data)
    return [(label, after) for label, _before, after in changes(section, {}, data)]


def unmigrated_lines(unmigrated: dict) -> list[tuple[str, str]]:
    """(label, as stored) of the measurements the move to typed rows kept as they were."""
    labels = {code: str(m.label) for code, m in MEASURE_BY_CODE.items()}
    labels[BODY_WEIGHT] = str(MeasurementsForm.base_fields["body_weight_kg"].label)
    return [
        (labels.get(code, code), json.dumps(stored, ensure_ascii=False, sort_keys=True))
        for code, stored in (unmigrated or {}).items()
    ]


def kept_lines(code: str, kept: dict | None) -> list[tuple[str, str]]:
    """(label, as stored) of the answers of section `code` the move to typed records kept as
    they were (a key no field has any more is shown by its name)."""
    if not kept:
        return []
    fields = SECTION_FORMS[code].base_fields
    return [
        (
            str(fields[key].label) if key in fields else key,
            json.dumps(stored, ensure_ascii=False, sort_keys=True),
        )
        for key, stored in kept.items()
    ]


def _measured(section: dict) -> dict:
    """A weight-bearing pair stored before units were recorded is in %."""
    pair = section.get(WEIGHT_BEARING)
    if pair and "unit" not in pair:
        return {**section, WEIGHT_BEARING: {**pair, "unit": PERCENT}}
    return section


def _value(code, value):
    if not value:
        return "—"
    if code == BODY_WEIGHT:
        return f"{value} kg"
    unit = f" {value['unit']}" if "unit" in value else ""
    return f"{value.get('left', '—')} / {value.get('right', '—')}{unit}"


def _in_other_unit(measure, pair):
    if isinstance(pair, dict) and pair.get("unit", measure.unit) != measure.unit:
        return pair
    return None
