"""Clinical safety v2, step 2 of 3: move the stored data to the new shapes, losing no answer.

- One history: the red-flag section asked cancer, surgery/immobilisation and previous DVT twice
  (general boxes and Wells boxes). Each is now asked once (`one_history`), on every assessment
  and on both sides of every red-flag amendment, so an amendment still reads.
- Exercises: the contraindication codes become care tags (`care_tags_for`): a shipped exercise
  takes the shipped tags, a clinic's own exercise tags that cover what its codes withheld.
- Plans: lifted contraindications and overridden ones become hazard codes; a draft never
  published (open, or replaced by another draft: "superseded" without a publishing date)
  becomes "set aside", so it never reaches the patient and is proposed again under the new
  rules.

The functions are pure (dict in, dict out) so the tests read old JSON through them.
"""

from django.db import migrations

OLD_HISTORY_KEYS = (
    "cancer_history",
    "recent_surgery_or_immobilisation",
    "wells_active_cancer",
    "wells_paralysis_or_cast",
    "wells_bedridden_or_surgery",
    "wells_previous_dvt",
)


def _yes(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "on", "yes", "1"}
    return value is True


def one_history(section: dict) -> dict:
    """An old red-flag section with every history question answered once.

    - cancer: "active" when the Wells box (active cancer) was ticked, else "unknown" when only
      the general box (history of cancer) was: it never said whether the cancer was active, so
      it stays a risk factor with no Wells point, and the form asks for it again.
    - paralysis_or_cast, bedridden_or_surgery: the Wells boxes; the general "recent surgery,
      plaster cast or bed rest" ticked alone becomes bedridden_or_surgery (it implies at least one
      of the two items; each counts 1 point, so the score takes the point it implies).
    - previous_dvt: either box.
    A section already in the new shape is returned unchanged."""
    if not any(key in section for key in OLD_HISTORY_KEYS):
        return section
    new = {key: value for key, value in section.items() if key not in OLD_HISTORY_KEYS}
    if _yes(section.get("wells_active_cancer")):
        new["cancer"] = "active"
    elif _yes(section.get("cancer_history")):
        new["cancer"] = "unknown"
    else:
        new.setdefault("cancer", "")
    cast = _yes(section.get("wells_paralysis_or_cast"))
    bedridden = _yes(section.get("wells_bedridden_or_surgery"))
    general = _yes(section.get("recent_surgery_or_immobilisation"))
    new["paralysis_or_cast"] = cast
    new["bedridden_or_surgery"] = bedridden or (general and not cast)
    new["previous_dvt"] = _yes(section.get("previous_dvt")) or _yes(
        section.get("wells_previous_dvt")
    )
    return new


SHIPPED_TAGS = {
    "towel_hamstring_stretch": ["stretch", "knee_back_stretch"],
    "lying_knee_back_release": ["stretch", "nerve_stretch", "knee_back_stretch"],
    "knee_back_lymph_massage": ["massage", "knee_back_pressure"],
    "morning_posture_breathing": [],
    "desk_break_knee_back_rub": ["massage", "knee_back_pressure"],
    "wall_calf_stretch": ["stretch", "knee_back_stretch"],
    "knee_to_wall_ankle_rock": ["stretch", "leg_exercise"],
    "lying_hip_rotation": ["leg_exercise"],
}
# The codes the shipped exercises carried before this migration.
SHIPPED_CODES = {
    "towel_hamstring_stretch": {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"},
    "lying_knee_back_release": {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"},
    "knee_back_lymph_massage": {
        "suspected_dvt",
        "acute_hot_swelling",
        "popliteal_mass",
        "acute_inflammation",
        "awaiting_clearance",
    },
    "morning_posture_breathing": set(),
    "desk_break_knee_back_rub": {
        "suspected_dvt",
        "acute_hot_swelling",
        "popliteal_mass",
        "acute_inflammation",
        "awaiting_clearance",
    },
    "wall_calf_stretch": {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"},
    "knee_to_wall_ankle_rock": {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"},
    "lying_hip_rotation": {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"},
}
EVERY_LEG_TAG = [
    "massage",
    "knee_back_pressure",
    "deep_work",
    "mobilisation",
    "stretch",
    "nerve_stretch",
    "knee_back_stretch",
    "leg_exercise",
    "heat",
    "cold",
]


def care_tags_for(code: str, contraindications) -> list[str]:
    """The care tags an exercise gets from its old codes, never narrower than what they held.

    A shipped exercise still carrying its shipped codes takes the shipped tags. Anything else (a
    clinic's own exercise, or a shipped one whose codes the clinic changed): a code that held
    an exercise for a swollen or hot leg, a suspected clot or any red flag held it from every
    leg hazard, so it takes every leg tag; only an exercise with no such code is tagged from its
    lump and inflammation codes. The clinic admin reviews them (README)."""
    old = set(contraindications or [])
    if code in SHIPPED_TAGS and old == SHIPPED_CODES[code]:
        return list(SHIPPED_TAGS[code])
    tags = set(SHIPPED_TAGS.get(code, []))
    if old & {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"}:
        tags |= set(EVERY_LEG_TAG)
    if "popliteal_mass" in old:
        tags |= {"knee_back_pressure", "massage", "knee_back_stretch"}
    if "acute_inflammation" in old:
        tags |= {"massage", "heat", "deep_work"}
    return [tag for tag in EVERY_LEG_TAG if tag in tags]


HAZARD_FOR = {
    "suspected_dvt": ["suspected_dvt", "leg_swelling"],
    "acute_hot_swelling": ["hot_swollen_leg"],
    "popliteal_mass": ["popliteal_lump", "pulsating_mass"],
    "acute_inflammation": ["acute_inflammation"],
    "awaiting_clearance": [],  # no longer a hazard: a flag alone withholds nothing
}


def hazard_codes(codes) -> list[str]:
    found = []
    for code in codes or []:
        for hazard in HAZARD_FOR.get(code, [code]):
            if hazard not in found:
                found.append(hazard)
    return found


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always "default"
    Assessment = apps.get_model("assessments", "Assessment")
    Amendment = apps.get_model("assessments", "Amendment")
    Exercise = apps.get_model("assessments", "Exercise")
    CarePlan = apps.get_model("assessments", "CarePlan")
    PlanItem = apps.get_model("assessments", "PlanItem")
    # One row at a time (no bulk writes on clinical data), only the rows that change.
    for assessment in Assessment.objects.using(db).exclude(red_flags={}).iterator():
        moved = one_history(assessment.red_flags or {})
        if moved != assessment.red_flags:
            assessment.red_flags = moved
            assessment.save(update_fields=["red_flags"])
    for amendment in Amendment.objects.using(db).filter(section="red_flags").iterator():
        before, after = one_history(amendment.before or {}), one_history(amendment.after or {})
        if (before, after) != (amendment.before, amendment.after):
            amendment.before, amendment.after = before, after
            amendment.save(update_fields=["before", "after"])
    for exercise in Exercise.objects.using(db).iterator():
        exercise.care_tags = care_tags_for(exercise.code, exercise.contraindications)
        exercise.save(update_fields=["care_tags"])
    for plan in CarePlan.objects.using(db).iterator():
        fields = []
        lifted = hazard_codes(plan.lifted)
        if lifted != plan.lifted:
            plan.lifted = lifted
            fields.append("lifted")
        # A draft never published: set aside (kept, never shown), whether it was replaced by a
        # newer draft or is still open; the practitioner proposes again under the new rules.
        if plan.status in ("superseded", "draft") and plan.published_at is None:
            plan.status = "set_aside"
            fields.append("status")
        if fields:
            plan.save(update_fields=fields)
    for item in PlanItem.objects.using(db).exclude(overridden=[]).iterator():
        item.overridden = hazard_codes(item.overridden)
        item.save(update_fields=["overridden"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_hazards_fields"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
