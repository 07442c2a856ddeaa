"""One form per assessment section. Each turns its cleaned data into the JSON stored on the row.

Ranges come from the rules package (measures) so the form and the rules agree on what is plausible.
"""

import datetime as dt
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.rules.measures import MEASURES

SIDE = [("", _("—")), ("left", _("Left")), ("right", _("Right")), ("both", _("Both"))]
ONE_SIDE = [("", _("Neither")), ("left", _("Left")), ("right", _("Right"))]
REGIONS = [
    ("knee_back", _("Back of the knee")),
    ("calf", _("Calf")),
    ("thigh_back", _("Back of the thigh")),
    ("knee_front", _("Front of the knee")),
    ("hip", _("Hip")),
    ("lower_back", _("Lower back")),
    ("ankle_foot", _("Ankle and foot")),
    ("shoulder_neck", _("Shoulder and neck")),
    ("other", _("Other")),
]
QUALITIES = [
    ("throbbing", _("Throbbing")),
    ("cramping", _("Cramping")),
    ("dull", _("Dull ache")),
    ("heavy", _("Heavy")),
    ("pulling", _("Pulling")),
    ("numbness", _("Numbness")),
    ("lump", _("Feels like a lump")),
]
PROVOKERS = [
    ("walking", _("Walking")),
    ("stairs", _("Stairs")),
    ("standing_up", _("Standing up after sitting")),
    ("night", _("At night")),
    ("after_sport", _("After sport")),
    ("cold", _("Cold")),
]
PELVIC_TILT = [
    ("", _("—")),
    ("neutral", _("Neutral")),
    ("anterior", _("Anterior")),
    ("posterior", _("Posterior")),
]
GAIT = [
    ("", _("—")),
    ("normal", _("Normal")),
    ("toe_in", _("Toe-in")),
    ("toe_out", _("Toe-out")),
    ("antalgic", _("Antalgic (protecting one leg)")),
]
SOLE_WEAR = [
    ("", _("—")),
    ("even", _("Even")),
    ("outer", _("Outer edge")),
    ("inner", _("Inner edge")),
    ("heel", _("Heel")),
    ("toe", _("Toe")),
]
WORK = [
    ("", _("—")),
    ("desk", _("Desk work")),
    ("standing", _("Standing work")),
    ("driving", _("Driving")),
    ("mixed", _("Mixed")),
]
FOOTWEAR = [("", _("—")), ("flat", _("Flat shoes")), ("heels", _("Heels")), ("mixed", _("Both"))]


def _json_value(value):
    if isinstance(value, Decimal):
        # "10", not "1E+1" (Decimal.normalize writes whole tens in exponent form)
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(value)
    return value


class SectionForm(forms.Form):
    """Base: crispy helper without a <form> tag, and JSON out of cleaned_data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def to_json(self) -> dict:
        return {name: _json_value(value) for name, value in self.cleaned_data.items()}


def _pain_field(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        required=False,
        error_messages={
            "min_value": _("Pain is rated from 0 (none) to 10 (worst imaginable)."),
            "max_value": _("Pain is rated from 0 (none) to 10 (worst imaginable)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ComplaintForm(SectionForm):
    region = forms.ChoiceField(label=_("Where it hurts"), choices=REGIONS)
    region_detail = forms.CharField(label=_("Detail"), max_length=200, required=False)
    side = forms.ChoiceField(label=_("Side"), choices=SIDE[1:])
    qualities = forms.MultipleChoiceField(
        label=_("How it feels"),
        choices=QUALITIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pain = _pain_field(_("Pain now (0-10)"))
    onset = forms.DateField(
        label=_("Since when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    provokers = forms.MultipleChoiceField(
        label=_("Worse with"),
        choices=PROVOKERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_onset(self):
        onset = self.cleaned_data.get("onset")
        if onset and onset > timezone.localdate():
            raise forms.ValidationError(_("The pain cannot start in the future."))
        if onset and onset < dt.date(1900, 1, 1):
            raise forms.ValidationError(_("Check the date: it is before 1900."))
        return onset


class PostureForm(SectionForm):
    forward_head = forms.BooleanField(label=_("Forward head / straight neck"), required=False)
    rounded_shoulders = forms.BooleanField(label=_("Rounded shoulders"), required=False)
    thoracic_kyphosis = forms.BooleanField(label=_("Rounded upper back (kyphosis)"), required=False)
    lumbar_hyperlordosis = forms.BooleanField(
        label=_("Arched lower back (hyperlordosis)"), required=False
    )
    pelvic_tilt = forms.ChoiceField(label=_("Pelvic tilt"), choices=PELVIC_TILT, required=False)
    pelvic_high_side = forms.ChoiceField(
        label=_("Pelvis higher on"), choices=ONE_SIDE, required=False
    )
    pelvic_rotation = forms.ChoiceField(
        label=_("Pelvis rotated forward on"), choices=ONE_SIDE, required=False
    )
    knee_hyperextension = forms.ChoiceField(
        label=_("Locked (hyperextended) knees"), choices=SIDE, required=False
    )
    weight_on_leg = forms.ChoiceField(
        label=_("Habitually stands on"), choices=ONE_SIDE, required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasurementsForm(SectionForm):
    """One Left and one Right field per measure; the difference is computed, never typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for measure in MEASURES:
            pair = []
            # Django %-formats field errors with its own params: a literal "%" must be doubled.
            out_of_range = (
                _("Between %(min)s and %(max)s %(unit)s.")
                % {"min": measure.minimum, "max": measure.maximum, "unit": measure.unit_label}
            ).replace("%", "%%")
            for side, side_label in (("left", _("Left")), ("right", _("Right"))):
                name = f"{measure.code}_{side}"
                self.fields[name] = forms.DecimalField(
                    label=f"{measure.label} ({side_label})",
                    required=False,
                    min_value=Decimal(measure.minimum),
                    max_value=Decimal(measure.maximum),
                    max_digits=5,
                    decimal_places=1,
                    error_messages={"min_value": out_of_range, "max_value": out_of_range},
                    widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
                )
                pair.append(name)
            self.rows.append((measure, self[pair[0]], self[pair[1]]))

    def clean(self):
        cleaned = super().clean()
        for measure in MEASURES:
            left, right = f"{measure.code}_left", f"{measure.code}_right"
            if left in self.errors or right in self.errors:
                continue
            has_left, has_right = cleaned.get(left) is not None, cleaned.get(right) is not None
            if has_left != has_right:
                missing = right if has_left else left
                self.add_error(missing, _("Measure both sides, or leave both empty."))
        return cleaned

    def to_json(self) -> dict:
        values = {}
        for measure in MEASURES:
            left = self.cleaned_data.get(f"{measure.code}_left")
            right = self.cleaned_data.get(f"{measure.code}_right")
            if left is not None and right is not None:
                values[measure.code] = {"left": _json_value(left), "right": _json_value(right)}
        return values

    @staticmethod
    def initial_from(section: dict) -> dict:
        initial = {}
        for code, pair in (section or {}).items():
            initial[f"{code}_left"] = pair.get("left")
            initial[f"{code}_right"] = pair.get("right")
        return initial


class LowerLimbForm(SectionForm):
    stiff_hip = forms.ChoiceField(label=_("Stiff hip"), choices=SIDE, required=False)
    short_stride = forms.ChoiceField(label=_("Shorter stride"), choices=SIDE, required=False)
    stiff_ankle = forms.ChoiceField(
        label=_("Stiff ankle (impact passed to the knee)"), choices=SIDE, required=False
    )
    gait = forms.ChoiceField(label=_("Gait"), choices=GAIT, required=False)
    sole_wear_left = forms.ChoiceField(
        label=_("Shoe-sole wear, left"), choices=SOLE_WEAR, required=False
    )
    sole_wear_right = forms.ChoiceField(
        label=_("Shoe-sole wear, right"), choices=SOLE_WEAR, required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PalpationForm(SectionForm):
    mass = forms.BooleanField(label=_("A mass can be felt"), required=False)
    side = forms.ChoiceField(label=_("Side"), choices=SIDE, required=False)
    size_cm = forms.DecimalField(
        label=_("Size (cm)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("20"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    hard = forms.BooleanField(label=_("Hard"), required=False)
    warm = forms.BooleanField(label=_("Warm"), required=False)
    red = forms.BooleanField(label=_("Red"), required=False)
    tender = forms.BooleanField(label=_("Tender"), required=False)
    pulsating = forms.BooleanField(label=_("Pulsating"), required=False)
    growing = forms.BooleanField(label=_("Growing (patient reports)"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("size_cm") is not None and not cleaned.get("mass"):
            self.add_error("size_cm", _("A size is given only when a mass is felt."))
        if cleaned.get("mass") and not cleaned.get("side"):
            self.add_error("side", _("On which side is the mass?"))
        return cleaned


class HabitsForm(SectionForm):
    bag_side = forms.ChoiceField(label=_("Carries the bag on"), choices=ONE_SIDE, required=False)
    leg_on_top = forms.ChoiceField(
        label=_("Crosses legs with this leg on top"), choices=ONE_SIDE, required=False
    )
    stands_on_one_leg = forms.ChoiceField(
        label=_("Stands resting on one leg"), choices=ONE_SIDE, required=False
    )
    sitting_hours = forms.DecimalField(
        label=_("Hours sitting a day"),
        required=False,
        min_value=0,
        max_value=24,
        max_digits=3,
        decimal_places=1,
        error_messages={"max_value": _("A day has 24 hours.")},
    )
    work_style = forms.ChoiceField(label=_("Work"), choices=WORK, required=False)
    footwear = forms.ChoiceField(label=_("Shoes"), choices=FOOTWEAR, required=False)
    supporter_all_day = forms.BooleanField(
        label=_("Wears a knee supporter all day"), required=False
    )
    fluid_litres = forms.DecimalField(
        label=_("Fluids a day (litres)"),
        required=False,
        min_value=0,
        max_value=10,
        max_digits=3,
        decimal_places=1,
    )
    heavy_sweating = forms.BooleanField(label=_("Sweats heavily"), required=False)
    cold_extremities = forms.BooleanField(label=_("Cold hands and feet"), required=False)
    night_cramps = forms.BooleanField(label=_("Cramps at night"), required=False)


class RedFlagsForm(SectionForm):
    leg_swelling = forms.ChoiceField(label=_("One leg swollen"), choices=ONE_SIDE, required=False)
    swelling_sudden = forms.BooleanField(label=_("The swelling came on suddenly"), required=False)
    leg_warm = forms.BooleanField(label=_("The leg is warm or hot"), required=False)
    stairs_or_walking_harder = forms.BooleanField(
        label=_("Stairs or walking are getting harder"), required=False
    )
    night_pain = forms.BooleanField(label=_("Strong pain at night"), required=False)
    numbness = forms.BooleanField(label=_("Numbness"), required=False)
    pain_not_improving = forms.BooleanField(
        label=_("Pain for two weeks or more without improvement"), required=False
    )
    fever = forms.BooleanField(label=_("Fever"), required=False)
    trauma_cannot_bear_weight = forms.BooleanField(
        label=_("Recent injury and cannot bear weight"), required=False
    )
    cancer_history = forms.BooleanField(label=_("History of cancer"), required=False)
    recent_surgery_or_immobilisation = forms.BooleanField(
        label=_("Recent surgery, plaster cast or bed rest"), required=False
    )
    previous_dvt = forms.BooleanField(label=_("Previous deep-vein thrombosis"), required=False)
    # Wells criteria for DVT (asked when a leg is swollen; the calf item comes from measurements)
    wells_active_cancer = forms.BooleanField(
        label=_("Active cancer (treated within 6 months, or palliative)"), required=False
    )
    wells_paralysis_or_cast = forms.BooleanField(
        label=_("Paralysis, paresis or recent plaster cast of a leg"), required=False
    )
    wells_bedridden_or_surgery = forms.BooleanField(
        label=_("Bedridden 3 days or more, or major surgery within 12 weeks"), required=False
    )
    wells_deep_vein_tenderness = forms.BooleanField(
        label=_("Tenderness along the deep veins"), required=False
    )
    wells_entire_leg_swollen = forms.BooleanField(label=_("Entire leg swollen"), required=False)
    wells_pitting_oedema = forms.BooleanField(
        label=_("Pitting oedema in the symptomatic leg only"), required=False
    )
    wells_collateral_veins = forms.BooleanField(
        label=_("Collateral superficial (non-varicose) veins"), required=False
    )
    wells_previous_dvt = forms.BooleanField(label=_("Previously documented DVT"), required=False)
    wells_alternative_as_likely = forms.BooleanField(
        label=_("Another explanation at least as likely"), required=False
    )

    WELLS_FIELDS = (
        "wells_active_cancer",
        "wells_paralysis_or_cast",
        "wells_bedridden_or_surgery",
        "wells_deep_vein_tenderness",
        "wells_entire_leg_swollen",
        "wells_pitting_oedema",
        "wells_collateral_veins",
        "wells_previous_dvt",
        "wells_alternative_as_likely",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("swelling_sudden") and not cleaned.get("leg_swelling"):
            self.add_error("leg_swelling", _("Which leg is swollen?"))
        return cleaned

    def screen_fields(self):
        return [self[name] for name in self.fields if name not in self.WELLS_FIELDS]

    def wells_fields(self):
        return [self[name] for name in self.WELLS_FIELDS]


SECTION_FORMS = {
    "complaint": ComplaintForm,
    "posture": PostureForm,
    "measurements": MeasurementsForm,
    "lower_limb": LowerLimbForm,
    "palpation": PalpationForm,
    "habits": HabitsForm,
    "red_flags": RedFlagsForm,
}


def section_form(code: str, section: dict, data=None):
    form_class = SECTION_FORMS[code]
    initial = MeasurementsForm.initial_from(section) if code == "measurements" else section
    return form_class(data, initial=initial)


class AmendmentReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this signed record being corrected?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("A correction to a signed record needs a reason.")},
    )


class ThresholdForm(forms.Form):
    threshold = forms.DecimalField(
        label=_("Threshold"),
        min_value=Decimal("0.1"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=1,
    )
    note = forms.CharField(label=_("Why this value"), max_length=300, required=False)
