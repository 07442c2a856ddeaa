"""Human-readable lines for a stored section, using the section form's own labels and choices."""

from django import forms

from assessments.forms import SECTION_FORMS
from assessments.rules.measures import MEASURES


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
            lines.append((str(field.label), "、".join(str(labels.get(v, v)) for v in value)))
        elif isinstance(field, forms.ChoiceField):
            lines.append((str(field.label), str(dict(field.choices).get(value, value))))
        else:
            lines.append((str(field.label), str(value)))
    return lines


def measurement_rows(assessment, previous=None):
    """One row per measure: this visit's values and the comparison with the previous assessment."""
    asymmetries = {a["code"]: a for a in assessment.screening.get("asymmetries", [])}
    before = {a["code"]: a for a in (previous.screening.get("asymmetries", []) if previous else [])}
    rows = []
    for measure in MEASURES:
        now = asymmetries.get(measure.code)
        rows.append({"measure": measure, "now": now, "before": before.get(measure.code)})
    return rows


def changes(section: str, before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) for each value an amendment changed."""
    if section == "measurements":
        labels = {m.code: str(m.label) for m in MEASURES}
        codes = sorted(set(before) | set(after), key=list(labels).index)
        return [
            (labels.get(code, code), _pair(before.get(code)), _pair(after.get(code)))
            for code in codes
            if before.get(code) != after.get(code)
        ]
    old, new = dict(describe(section, before)), dict(describe(section, after))
    return [
        (label, old.get(label, "—"), new.get(label, "—"))
        for label in list(dict.fromkeys([*old, *new]))
        if old.get(label) != new.get(label)
    ]


def _pair(pair):
    return f"{pair['left']} / {pair['right']}" if pair else "—"
