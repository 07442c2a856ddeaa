# Typed findings, step 2 of 3: each assessment's JSON sections (complaint, posture, lower_limb,
# palpation, habits, red_flags) become one typed record per section, the complaint's qualities
# and provokers rows of their own.
#
# Nothing is lost: an answer the typed column cannot hold as it is (a key the section never had,
# a choice no longer offered, a number out of range or with more than one decimal, a date that
# is not a date, text longer than its column) is not moved, and is kept as it was in
# `findings_unmigrated` ({section: {key: as stored}}), which the assessment page and the
# disclosure export show. A number stored as text ("6") moves as the number. A key the old
# section lacked reads afterwards as its empty answer ("", False or null), which is what every
# reader (the page, the PDFs, the rules) already made of a missing key. The choices and ranges
# below are frozen copies of the forms' and models' as of this migration. Amendments and plan
# snapshots keep their JSON (before/after, as given) untouched. Going back rebuilds each section
# from its record with the kept answers on top.

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import migrations

SIDES = ("left", "right", "both")
ONE_SIDE = ("left", "right")
QUALITIES = ("throbbing", "cramping", "dull", "heavy", "pulling", "numbness", "lump")
PROVOKERS = ("walking", "stairs", "standing_up", "night", "after_sport", "cold")
_TENTH = Decimal("0.1")


def choice(*values):
    return ("choice", values)


def number(low, high, digits):
    return ("decimal", Decimal(low), Decimal(high), digits)


FLAG, DATE, TEXT = ("bool",), ("date",), ("text", None)
SECTIONS = {
    "complaint": {
        "region": choice(
            "knee_back",
            "calf",
            "thigh_back",
            "knee_front",
            "hip",
            "lower_back",
            "ankle_foot",
            "shoulder_neck",
            "other",
        ),
        "region_detail": ("text", 200),
        "side": choice(*SIDES),
        "qualities": ("codes", QUALITIES),
        "pain": ("int", 0, 10),
        "onset": DATE,
        "provokers": ("codes", PROVOKERS),
        "note": TEXT,
    },
    "posture": {
        "forward_head": FLAG,
        "rounded_shoulders": FLAG,
        "thoracic_kyphosis": FLAG,
        "lumbar_hyperlordosis": FLAG,
        "pelvic_tilt": choice("neutral", "anterior", "posterior"),
        "pelvic_high_side": choice(*ONE_SIDE),
        "pelvic_rotation": choice(*ONE_SIDE),
        "knee_hyperextension": choice(*SIDES),
        "weight_on_leg": choice(*ONE_SIDE),
        "note": TEXT,
    },
    "lower_limb": {
        "stiff_hip": choice(*SIDES),
        "short_stride": choice(*SIDES),
        "stiff_ankle": choice(*SIDES),
        "gait": choice("normal", "toe_in", "toe_out", "antalgic"),
        "sole_wear_left": choice("even", "outer", "inner", "heel", "toe"),
        "sole_wear_right": choice("even", "outer", "inner", "heel", "toe"),
        "note": TEXT,
    },
    "palpation": {
        "mass": FLAG,
        "side": choice(*SIDES),
        "size_cm": number("0.1", "20", 4),
        "hard": FLAG,
        "warm": FLAG,
        "red": FLAG,
        "tender": FLAG,
        "pulsating": FLAG,
        "growing": FLAG,
        "note": TEXT,
    },
    "habits": {
        "bag_side": choice(*ONE_SIDE),
        "leg_on_top": choice(*ONE_SIDE),
        "stands_on_one_leg": choice(*ONE_SIDE),
        "sitting_hours": number("0", "24", 3),
        "work_style": choice("desk", "standing", "driving", "mixed"),
        "footwear": choice("flat", "heels", "mixed"),
        "supporter_all_day": FLAG,
        "fluid_litres": number("0", "10", 3),
        "heavy_sweating": FLAG,
        "cold_extremities": FLAG,
        "night_cramps": FLAG,
    },
    "red_flags": {
        "leg_swelling": choice(*ONE_SIDE),
        "swelling_sudden": FLAG,
        "leg_warm": FLAG,
        "stairs_or_walking_harder": FLAG,
        "night_pain": FLAG,
        "numbness": FLAG,
        "pain_not_improving": FLAG,
        "fever": FLAG,
        "trauma_cannot_bear_weight": FLAG,
        "cancer": choice("past", "active", "unknown"),
        "paralysis_or_cast": FLAG,
        "bedridden_or_surgery": FLAG,
        "previous_dvt": FLAG,
        "wells_deep_vein_tenderness": FLAG,
        "wells_entire_leg_swollen": FLAG,
        "wells_pitting_oedema": FLAG,
        "wells_collateral_veins": FLAG,
        "wells_alternative_as_likely": FLAG,
    },
}
MODELS = {
    "complaint": "ComplaintRecord",
    "posture": "PostureRecord",
    "lower_limb": "LowerLimbRecord",
    "palpation": "PalpationRecord",
    "habits": "HabitsRecord",
    "red_flags": "RedFlagsRecord",
}
TRAIT_KINDS = {"qualities": "quality", "provokers": "provoker"}
NOT_HELD = object()


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _decimal(raw, low, high, digits):
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return NOT_HELD
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return NOT_HELD
    if not value.is_finite() or abs(value) >= 10 ** (digits - 1):
        return NOT_HELD
    if value.quantize(_TENTH) != value or not low <= value <= high:
        return NOT_HELD
    return value.quantize(_TENTH)


def held(kind: tuple, raw):
    """`raw` as the typed column holds it, or NOT_HELD."""
    match kind[0]:
        case "choice":
            if _blank(raw):
                return ""
            return raw if isinstance(raw, str) and raw in kind[1] else NOT_HELD
        case "text":
            if raw is None:
                return ""
            if not isinstance(raw, str) or (kind[1] and len(raw) > kind[1]):
                return NOT_HELD
            return raw
        case "bool":
            return bool(raw) if raw is None or isinstance(raw, bool) else NOT_HELD
        case "int":
            if _blank(raw):
                return None
            value = _decimal(raw, Decimal(kind[1]), Decimal(kind[2]), 5)
            if value is NOT_HELD or value != value.to_integral():
                return NOT_HELD
            return int(value)
        case "decimal":
            return None if _blank(raw) else _decimal(raw, *kind[1:])
        case "date":
            if _blank(raw):
                return None
            try:
                return dt.date.fromisoformat(raw) if isinstance(raw, str) else NOT_HELD
            except ValueError:
                return NOT_HELD
    raise AssertionError(kind)


def split(code: str, stored) -> tuple[dict | None, list, dict]:
    """(the record's values or None for no record, [(kind, trait)], unmigrated) of one section."""
    if stored in (None, {}, ""):
        return None, [], {}
    if not isinstance(stored, dict):
        return None, [], {"section": stored}
    fields = SECTIONS[code]
    values, traits, unmigrated = {}, [], {}
    for key, raw in stored.items():
        kind = fields.get(key)
        if kind is None:
            unmigrated[key] = raw
        elif kind[0] == "codes":
            codes = [] if raw is None else raw
            if isinstance(codes, str) or not isinstance(codes, list):
                unmigrated[key] = raw
                continue
            known = sorted({c for c in codes if isinstance(c, str) and c in kind[1]})
            traits += [(TRAIT_KINDS[key], c) for c in known]
            if left_out := [c for c in codes if not (isinstance(c, str) and c in kind[1])]:
                unmigrated[key] = left_out
        else:
            value = held(kind, raw)
            if value is NOT_HELD:
                unmigrated[key] = raw
            else:
                values[key] = value
    return values, traits, unmigrated


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def joined(code: str, record: dict | None, traits: list, unmigrated: dict) -> dict:
    """The JSON section again (the way back), with what was never moved on top."""
    if set(unmigrated) == {"section"} and record is None:
        return unmigrated["section"]
    if record is None and not unmigrated:
        return {}
    section = {}
    for key, kind in SECTIONS[code].items():
        if kind[0] == "codes":
            moved = sorted(c for k, c in traits if k == TRAIT_KINDS[key])
            section[key] = moved + list(unmigrated.get(key, []))
        elif record is not None:
            section[key] = _plain(record[key])
    return {**section, **{k: v for k, v in unmigrated.items() if k not in TRAIT_KINDS}}


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Assessment = apps.get_model("assessments", "Assessment")
    Trait = apps.get_model("assessments", "ComplaintTrait")
    models = {code: apps.get_model("assessments", name) for code, name in MODELS.items()}
    for assessment in Assessment.objects.using(db).order_by("pk").iterator():
        kept = {}
        for code, model in models.items():
            values, traits, unmigrated = split(code, getattr(assessment, code))
            if unmigrated:
                kept[code] = unmigrated
            if values is None:
                continue
            record = model.objects.using(db).create(assessment=assessment, **values)
            if traits:
                Trait.objects.using(db).bulk_create(
                    Trait(complaint=record, kind=kind, code=trait) for kind, trait in traits
                )
        if kept:
            assessment.findings_unmigrated = kept
            assessment.save(using=db, update_fields=["findings_unmigrated"])


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Assessment = apps.get_model("assessments", "Assessment")
    Trait = apps.get_model("assessments", "ComplaintTrait")
    models = {code: apps.get_model("assessments", name) for code, name in MODELS.items()}
    for assessment in Assessment.objects.using(db).order_by("pk").iterator():
        kept = assessment.findings_unmigrated or {}
        for code, model in models.items():
            row = model.objects.using(db).filter(assessment=assessment).first()
            record = None if row is None else {k: getattr(row, k) for k in SECTIONS[code]
                                               if SECTIONS[code][k][0] != "codes"}
            traits = []
            if row is not None and code == "complaint":
                traits = list(
                    Trait.objects.using(db)
                    .filter(complaint_id=row.pk)
                    .values_list("kind", "code")
                )
            setattr(assessment, code, joined(code, record, traits, kept.get(code, {})))
        assessment.save(using=db, update_fields=list(models))
    # the records themselves go with their tables (0011 backwards)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_findings_records"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
