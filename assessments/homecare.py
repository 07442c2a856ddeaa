"""The patient's daily log and safety check: validation, saving, and what the clinic must see."""

import datetime as dt

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import (
    CarePlan,
    ExerciseLog,
    FunctionalActivity,
    FunctionalScale,
    PlanItem,
    SafetyCheck,
)

# "no" is an answer of its own: nothing is checked until the patient answers. It is stored as ""
# (SafetyCheck.swelling_heat_leg holds the leg, or nothing).
NO_SWELLING = "no"
LEG_CHOICES = [
    (NO_SWELLING, gettext_lazy("No")),
    ("left", gettext_lazy("Yes, left leg")),
    ("right", gettext_lazy("Yes, right leg")),
    ("both", gettext_lazy("Yes, both legs")),
]


def loggable(day: dt.date, today: dt.date) -> bool:
    """Today's log, or a correction to yesterday's; never the future, never older."""
    return today - dt.timedelta(days=1) <= day <= today


def exercises_of(plan: CarePlan) -> list[dict]:
    return [
        item for item in plan.snapshot.get("items", []) if item["kind"] == PlanItem.Kind.EXERCISE
    ]


class DayLogForm(forms.Form):
    """One row per exercise of the plan (done, sets, pain, note) and the safety questions."""

    swelling_heat_leg = forms.ChoiceField(
        label=gettext_lazy("New swelling or heat in a leg?"),
        choices=LEG_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Please answer this question: choose “No” if nothing is new.")
        },
    )
    night_pain = forms.BooleanField(label=gettext_lazy("New pain at night"), required=False)
    numbness = forms.BooleanField(label=gettext_lazy("New numbness"), required=False)
    lump_grew = forms.BooleanField(label=gettext_lazy("A lump that grew"), required=False)

    def __init__(self, *args, exercises, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for item in exercises:
            code = item["code"]
            self.fields[f"{code}-done"] = forms.BooleanField(
                label=gettext_lazy("Done"), required=False
            )
            self.fields[f"{code}-sets"] = forms.IntegerField(
                label=gettext_lazy("Sets"),
                required=False,
                min_value=0,
                max_value=20,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"{code}-pain"] = forms.IntegerField(
                label=gettext_lazy("Pain (0-10)"),
                required=False,
                min_value=0,
                max_value=10,
                error_messages={
                    "max_value": gettext_lazy("Pain is rated from 0 (none) to 10 (worst)."),
                    "min_value": gettext_lazy("Pain is rated from 0 (none) to 10 (worst)."),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"{code}-note"] = forms.CharField(
                label=gettext_lazy("Note"), required=False, max_length=300
            )
            self.rows.append(
                (item, [self[f"{code}-{part}"] for part in ("done", "sets", "pain", "note")])
            )

    def clean_swelling_heat_leg(self):
        answer = self.cleaned_data["swelling_heat_leg"]
        return "" if answer == NO_SWELLING else answer

    def entries(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            item["code"]: {
                part: data.get(f"{item['code']}-{part}")
                for part in ("done", "sets", "pain", "note")
            }
            for item, _fields in self.rows
        }

    def safety(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("swelling_heat_leg", "night_pain", "numbness", "lump_grew")
        }


def initial_for(patient, day: dt.date) -> dict:
    initial = {}
    for log in ExerciseLog.objects.filter(patient=patient, day=day):
        for part in ("done", "sets", "pain", "note"):
            initial[f"{log.item_code}-{part}"] = getattr(log, part)
    check = SafetyCheck.objects.filter(patient=patient, day=day).first()
    if check:
        initial |= {
            "swelling_heat_leg": check.swelling_heat_leg or NO_SWELLING,
            "night_pain": check.night_pain,
            "numbness": check.numbness,
            "lump_grew": check.lump_grew,
        }
    return initial


def save_functional_scale(*, patient, day, activities: list[dict]) -> FunctionalScale:
    """The patient's PSFS of the day: up to 5 named activities, each rated 0-10."""
    if not 1 <= len(activities) <= 5:
        raise ValueError("one to five activities")
    for activity in activities:
        score = activity.get("score")
        if not str(activity.get("name", "")).strip() or not (
            isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 10
        ):
            raise ValueError(f"not an activity with a 0-10 score: {activity!r}")
    scale = FunctionalScale(patient=patient, recorded_on=day)
    scale.full_clean()
    rows = [
        FunctionalActivity(position=position, name=activity["name"].strip(), score=score)
        for position, activity in enumerate(activities)
        if (score := activity["score"]) is not None
    ]
    for row in rows:
        row.full_clean(exclude=["scale"])
    with transaction.atomic():
        scale.save()
        for row in rows:
            row.scale = scale
            row.save()
    return scale


@transaction.atomic
def save_day(*, patient, plan, day, entries: dict, safety: dict, today) -> SafetyCheck:
    if not loggable(day, today):
        raise ValueError("not a loggable day")
    codes = {item["code"] for item in exercises_of(plan)}
    for code, values in entries.items():
        if code not in codes:
            raise ValueError("not an exercise of this plan")
        ExerciseLog.objects.update_or_create(
            patient=patient,
            item_code=code,
            day=day,
            defaults={
                "plan": plan,
                "done": bool(values["done"]),
                "sets": values["sets"],
                "pain": values["pain"],
                "note": values["note"] or "",
            },
        )
    check, _created = SafetyCheck.objects.get_or_create(patient=patient, day=day)
    before = (check.swelling_heat_leg, check.night_pain, check.numbness, check.lump_grew)
    check.swelling_heat_leg = safety.get("swelling_heat_leg") or ""
    check.night_pain = bool(safety.get("night_pain"))
    check.numbness = bool(safety.get("numbness"))
    check.lump_grew = bool(safety.get("lump_grew"))
    if before != (check.swelling_heat_leg, check.night_pain, check.numbness, check.lump_grew):
        check.seen_at = check.seen_by = None  # a changed answer needs a fresh look
    check.save()
    return check


def mark_seen(*, check: SafetyCheck, by) -> SafetyCheck:
    """A staff member saw a patient's safety answers (the watch list drops them)."""
    if by.clinic_id != check.patient.clinic_id:
        raise ValueError("only the patient's clinic marks their answers seen")
    check.seen_at, check.seen_by = timezone.now(), by
    check.save(update_fields=["seen_at", "seen_by"])
    return check


def advice(check: SafetyCheck) -> list[str]:
    """What the patient is told at once after answering "yes"."""
    told = []
    if check.swelling_heat_leg == "both":
        told.append(
            _(
                "Stop the exercises and massage on both legs now. New swelling with heat needs a "
                "doctor today: contact the clinic or a medical institution the same day."
            )
        )
    elif check.swelling_heat_leg:
        side = _("left") if check.swelling_heat_leg == "left" else _("right")
        told.append(
            _(
                "Stop the exercises and massage on your %(side)s leg now. New swelling with heat "
                "needs a doctor today: contact the clinic or a medical institution the same day."
            )
            % {"side": side}
        )
    if check.night_pain or check.numbness or check.lump_grew:
        told.append(
            _(
                "Stop the exercises on the painful leg and contact the clinic, or see a doctor "
                "(orthopaedics), within the next few days."
            )
        )
    return told


def open_alerts(clinic_id):
    """Safety answers the clinic has not looked at yet, newest first."""
    raised = Q(swelling_heat_leg__gt="") | Q(night_pain=True) | Q(numbness=True) | Q(lump_grew=True)
    return (
        SafetyCheck.objects.filter(raised, patient__clinic_id=clinic_id, seen_at__isnull=True)
        .select_related("patient")
        .order_by("-day", "-answered_at")
    )


PSFS_ROWS = 5


class FunctionalScaleForm(forms.Form):
    """Up to five activities and how well each can be done now (0-10)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for index in range(PSFS_ROWS):
            self.fields[f"activity{index}"] = forms.CharField(
                label=gettext_lazy("Activity"),
                max_length=80,
                required=index == 0,
                error_messages={"required": gettext_lazy("Name at least one activity.")},
            )
            self.fields[f"score{index}"] = forms.IntegerField(
                label=gettext_lazy("Score (0-10)"),
                min_value=0,
                max_value=10,
                required=False,
                error_messages={
                    "min_value": gettext_lazy("From 0 to 10."),
                    "max_value": gettext_lazy("From 0 to 10."),
                },
            )
            self.rows.append((self[f"activity{index}"], self[f"score{index}"]))

    def clean(self):
        cleaned = super().clean()
        for index in range(PSFS_ROWS):
            named = bool((cleaned.get(f"activity{index}") or "").strip())
            scored = cleaned.get(f"score{index}") is not None
            if named and not scored and f"score{index}" not in self.errors:
                self.add_error(f"score{index}", _("Rate this activity from 0 to 10."))
            if scored and not named:
                self.add_error(f"activity{index}", _("Name the activity you rated."))
        return cleaned

    def activities(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"name": data[f"activity{i}"].strip(), "score": data[f"score{i}"]}
            for i in range(PSFS_ROWS)
            if (data.get(f"activity{i}") or "").strip()
        ]
