# Typed measurements, step 2 of 3: every assessment's JSON measurements become Measurement rows
# and its body weight the body_weight_kg column.
#
# Nothing is lost: a value that cannot be held exactly by the typed column (not a number, more
# than one decimal, out of the measure's range, an unknown measure or unit, a key the section
# never had) is not moved, and its whole pair is kept as it was in `measurements_unmigrated`,
# which the assessment page and the disclosure export show. The ranges below are frozen copies of
# the rules' (rules/measures.py, rules/weight.py) as of this migration, and match the check
# constraint of 0008. Amendments keep their JSON snapshots (before/after) untouched. Going back
# gives the same values, numbers written in their short form ("6.50" comes back as "6.5").

from decimal import Decimal, InvalidOperation

from django.db import migrations

PERCENT, KG, CM, DEG = "%", "kg", "cm", "deg"
WEIGHT_BEARING = "weight_bearing"
BODY_WEIGHT = "body_weight_kg"
SIDES = ("left", "right")
PAIR_KEYS = {*SIDES, "unit"}
BODY_WEIGHT_RANGE = (Decimal("10"), Decimal("300"))
BOUNDS = {
    "shoulder_height": {CM: ("50", "200")},
    "iliac_crest_height": {CM: ("40", "150")},
    "leg_length": {CM: ("40", "130")},
    "slr": {DEG: ("0", "120")},
    "knee_extension": {DEG: ("-60", "30")},
    "hip_internal_rotation": {DEG: ("0", "90")},
    "hip_external_rotation": {DEG: ("0", "90")},
    "knee_to_wall": {CM: ("0", "25")},
    "calf_circumference": {CM: ("15", "70")},
    WEIGHT_BEARING: {PERCENT: ("0", "100"), KG: ("0", "300")},
}
_TENTH = Decimal("0.1")


def exact_value(raw) -> Decimal | None:
    """`raw` as the DECIMAL(5, 1) column holds it, or None when it cannot be held exactly."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    # (the bound first: quantize() refuses a number with more digits than its context holds)
    if not value.is_finite() or abs(value) >= 10000 or value.quantize(_TENTH) != value:
        return None
    return value.quantize(_TENTH)


def _empty(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def pair_rows(code: str, pair) -> list[tuple[str, str, Decimal, str]] | None:
    """(measure, side, value, unit) for each side of a stored pair; None when any part of the
    pair cannot be moved as it is (then the whole pair is kept as recorded)."""
    if code not in BOUNDS or not isinstance(pair, dict) or set(pair) - PAIR_KEYS:
        return None
    default_unit = PERCENT if code == WEIGHT_BEARING else next(iter(BOUNDS[code]))
    unit = pair.get("unit") or default_unit  # a weight-bearing pair without a unit is in %
    if unit not in BOUNDS[code]:
        return None
    low, high = (Decimal(bound) for bound in BOUNDS[code][unit])
    rows = []
    for side in SIDES:
        if _empty(pair.get(side)):
            continue
        value = exact_value(pair[side])
        if value is None or not low <= value <= high:
            return None
        rows.append((code, side, value, unit))
    return rows


def split(section) -> tuple[list, Decimal | None, dict]:
    """(rows, body weight, unmigrated) of one assessment's JSON measurements section."""
    if not isinstance(section, dict):
        return [], None, ({"section": section} if section else {})
    rows, body_weight, unmigrated = [], None, {}
    for code, stored in section.items():
        if code == BODY_WEIGHT:
            value = None if _empty(stored) else exact_value(stored)
            low, high = BODY_WEIGHT_RANGE
            if value is not None and low <= value <= high:
                body_weight = value
            elif not _empty(stored):
                unmigrated[code] = stored
            continue
        moved = pair_rows(code, stored)
        if moved is None:
            unmigrated[code] = stored
        else:
            rows += moved
    return rows, body_weight, unmigrated


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def joined(rows, body_weight, unmigrated) -> dict:
    """The JSON section again from rows (the way back), with what was never moved."""
    if set(unmigrated) == {"section"} and not rows and body_weight is None:
        return unmigrated["section"]  # a section that was not a dict, as it was
    section = {}
    for code in BOUNDS:
        pair = {side: _text(value) for measure, side, value, _unit in rows if measure == code}
        if pair:
            if code == WEIGHT_BEARING:
                pair["unit"] = next(unit for measure, *_rest, unit in rows if measure == code)
            section[code] = pair
    if body_weight is not None:
        section[BODY_WEIGHT] = _text(body_weight)
    return {**section, **unmigrated}


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always "default"
    Assessment = apps.get_model("assessments", "Assessment")
    Measurement = apps.get_model("assessments", "Measurement")
    for assessment in Assessment.objects.using(db).order_by("pk").iterator():
        rows, body_weight, unmigrated = split(assessment.measurements)
        Measurement.objects.using(db).bulk_create(
            Measurement(assessment=assessment, measure=code, side=side, value=value, unit=unit)
            for code, side, value, unit in rows
        )
        assessment.body_weight_kg = body_weight
        assessment.measurements_unmigrated = unmigrated
        assessment.save(using=db, update_fields=["body_weight_kg", "measurements_unmigrated"])


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Assessment = apps.get_model("assessments", "Assessment")
    Measurement = apps.get_model("assessments", "Measurement")
    for assessment in Assessment.objects.using(db).order_by("pk").iterator():
        rows = [
            (row.measure, row.side, row.value, row.unit)
            for row in Measurement.objects.using(db).filter(assessment=assessment).order_by("pk")
        ]
        assessment.measurements = joined(
            rows, assessment.body_weight_kg, assessment.measurements_unmigrated or {}
        )
        assessment.save(using=db, update_fields=["measurements"])
    Measurement.objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_measurement_rows"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
