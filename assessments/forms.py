"""One form per assessment section. Each turns its cleaned data into the JSON stored on the row.

Ranges come from the rules package (measures) so the form and the rules agree on what is plausible.
"""

import datetime as dt
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models.findings import (
    ONE_SIDE,
    Footwear,
    Gait,
    Laterality,
    PelvicTilt,
    Region,
    SoleWear,
)
from assessments.rules.facts import CANCER_CHOICES, PROVOKERS, QUALITIES, Cancer
from assessments.rules.measures import KG, MEASURE_BY_CODE, MEASURES, PERCENT, as_text
from assessments.rules.weight import (
    BODY_WEIGHT,
    BODY_WEIGHT_MAX,
    BODY_WEIGHT_MIN,
    KG_PER_SIDE_MAX,
    WEIGHT_BEARING,
    kg_total_plausible,
    percent_total_plausible,
)
from assessments.rules.wells import WELLS_ITEM_BY_CODE
from patients.models import WorkStyle

SIDE = [("", _("—")), *Laterality.choices]
ONE_SIDE_OR_NEITHER = [("", _("Neither")), *ONE_SIDE]
REGIONS = Region.choices
PELVIC_TILT = [("", _("—")), *PelvicTilt.choices]
GAIT = [("", _("—")), *Gait.choices]
SOLE_WEAR = [("", _("—")), *SoleWear.choices]
WORK = [("", _("—")), *WorkStyle.choices]
FOOTWEAR = [("", _("—")), *Footwear.choices]


def _json_value(value):
    if isinstance(value, Decimal):
        return as_text(value)
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


class NoDefaultSelect(forms.Select):
    """The blank first option is shown but never marked `selected`, so an unanswered question
    cannot look answered (a stored answer is still selected)."""

    def format_value(self, value):
        return [v for v in super().format_value(value) if v != ""]


class ComplaintForm(SectionForm):
    region = forms.ChoiceField(label=_("Where it hurts"), choices=REGIONS)
    region_detail = forms.CharField(label=_("Detail"), max_length=200, required=False)
    # No default: a side nobody chose must not be saved as "left".
    side = forms.ChoiceField(
        label=_("Side"),
        choices=[("", _("— choose —")), *SIDE[1:]],
        widget=NoDefaultSelect,
        error_messages={"required": _("Choose the side: left, right or both.")},
    )
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
        label=_("Pelvis higher on"), choices=ONE_SIDE_OR_NEITHER, required=False
    )
    pelvic_rotation = forms.ChoiceField(
        label=_("Pelvis rotated forward on"), choices=ONE_SIDE_OR_NEITHER, required=False
    )
    knee_hyperextension = forms.ChoiceField(
        label=_("Locked (hyperextended) knees"), choices=SIDE, required=False
    )
    weight_on_leg = forms.ChoiceField(
        label=_("Habitually stands on"), choices=ONE_SIDE_OR_NEITHER, required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasurementsForm(SectionForm):
    """One Left and one Right field per measure; the difference is computed, never typed.

    Weight on each foot is typed in % of body weight or in kg (two scales); its stored pair
    carries the unit ("unit": "%" or "kg"; a pair without one is in %), and an optional body weight
    is stored beside the measures as "body_weight_kg". How much one foot may carry depends on the
    unit chosen beside it, so that range is checked in `clean`, not on the fields.
    """

    weight_bearing_unit = forms.ChoiceField(
        label=_("Unit of the weight on each foot"),
        choices=[(PERCENT, "%"), (KG, "kg")],
        required=False,
        initial=PERCENT,
    )
    body_weight_kg = forms.DecimalField(
        label=_("Body weight"),
        required=False,
        min_value=BODY_WEIGHT_MIN,
        max_value=BODY_WEIGHT_MAX,
        max_digits=5,
        decimal_places=1,
        help_text=_(
            "Record it to have weights typed in kg checked: left and right together should come "
            "within 5 per cent of the body weight."
        ),
        error_messages={
            "min_value": _("Check the body weight: at least %(limit_value)s kg."),
            "max_value": _("Check the body weight: at most %(limit_value)s kg."),
        },
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )

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
            bounds = {
                "min_value": Decimal(measure.minimum),
                "max_value": Decimal(measure.maximum),
            }
            for side, side_label in (("left", _("Left")), ("right", _("Right"))):
                name = f"{measure.code}_{side}"
                self.fields[name] = forms.DecimalField(
                    label=f"{measure.label} ({side_label})",
                    required=False,
                    max_digits=5,
                    decimal_places=1,
                    error_messages={"min_value": out_of_range, "max_value": out_of_range},
                    widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
                    **({} if measure.code == WEIGHT_BEARING else bounds),
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
        cleaned["weight_bearing_unit"] = cleaned.get("weight_bearing_unit") or PERCENT
        self._check_weight_bearing(cleaned)
        return cleaned

    def _check_weight_bearing(self, cleaned):
        names = (f"{WEIGHT_BEARING}_left", f"{WEIGHT_BEARING}_right")
        left, right = (cleaned.get(name) for name in names)
        if left is None or right is None or {*names, "weight_bearing_unit"} & set(self.errors):
            return
        unit, body = cleaned["weight_bearing_unit"], cleaned.get("body_weight_kg")
        if unit == KG and "body_weight_kg" in self.errors:
            return  # nothing to check the kg against until the body weight is put right
        for name, value in zip(names, (left, right), strict=True):
            if problem := self._side_problem(value, unit, body):
                self.add_error(name, problem)
        if not set(names) & set(self.errors):
            if problem := self._total_problem(left, right, unit, body):
                for name in names:
                    self.add_error(name, problem)

    @classmethod
    def _side_problem(cls, value, unit, body):
        side_max = MEASURE_BY_CODE[WEIGHT_BEARING].maximum if unit == PERCENT else KG_PER_SIDE_MAX
        if not 0 <= value <= side_max:
            return cls._error(
                _("Between %(min)s and %(max)s %(unit)s."), min=0, max=side_max, unit=unit
            )
        if unit == KG and body is not None and value > body:
            return cls._error(
                _(
                    "More than the body weight (%(body)s kg): one foot cannot carry more than "
                    "the whole body."
                ),
                body=body,
            )
        return None

    @classmethod
    def _total_problem(cls, left, right, unit, body):
        if unit == PERCENT and not percent_total_plausible(left, right):
            return cls._error(
                _(
                    "Left and right add up to %(sum)s %%: they should make about 100 %%. "
                    "Weighed in kg? Choose kg as the unit."
                ),
                sum=left + right,
            )
        if unit == KG and body is not None and not kg_total_plausible(left, right, body):
            return cls._error(
                _(
                    "Left and right add up to %(sum)s kg and the body weight is %(body)s kg: "
                    "together they should come within 5 %% of it."
                ),
                sum=left + right,
                body=body,
            )
        return None

    def to_json(self) -> dict:
        values = {}
        for measure in MEASURES:
            left = self.cleaned_data.get(f"{measure.code}_left")
            right = self.cleaned_data.get(f"{measure.code}_right")
            if left is not None and right is not None:
                values[measure.code] = {"left": _json_value(left), "right": _json_value(right)}
        if WEIGHT_BEARING in values:
            values[WEIGHT_BEARING]["unit"] = self.cleaned_data["weight_bearing_unit"]
        if self.cleaned_data.get("body_weight_kg") is not None:
            values[BODY_WEIGHT] = _json_value(self.cleaned_data["body_weight_kg"])
        return values

    @staticmethod
    def initial_from(section: dict) -> dict:
        initial = {}
        for code, pair in (section or {}).items():
            if code == BODY_WEIGHT:
                initial["body_weight_kg"] = pair
                continue
            initial[f"{code}_left"] = pair.get("left")
            initial[f"{code}_right"] = pair.get("right")
            if code == WEIGHT_BEARING:
                initial["weight_bearing_unit"] = pair.get("unit", PERCENT)
        return initial

    @staticmethod
    def _error(message, **numbers):
        """A field error with its numbers written as stored ("140", not "140.0")."""
        return forms.ValidationError(
            message, params={key: _json_value(value) for key, value in numbers.items()}
        )


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
    bag_side = forms.ChoiceField(
        label=_("Carries the bag on"), choices=ONE_SIDE_OR_NEITHER, required=False
    )
    leg_on_top = forms.ChoiceField(
        label=_("Crosses legs with this leg on top"), choices=ONE_SIDE_OR_NEITHER, required=False
    )
    stands_on_one_leg = forms.ChoiceField(
        label=_("Stands resting on one leg"), choices=ONE_SIDE_OR_NEITHER, required=False
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


def _wells_label(code):
    return WELLS_ITEM_BY_CODE[code].label


class RedFlagsForm(SectionForm):
    """The red-flag screen, the history (asked once: the Wells score reads the same answers) and
    the Wells items found on examination, asked beside the score."""

    leg_swelling = forms.ChoiceField(
        label=_("One leg swollen"), choices=ONE_SIDE_OR_NEITHER, required=False
    )
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
    # The history: each question once. The Wells score counts active cancer, paralysis or cast,
    # bedridden or surgery and a previous DVT from these same answers.
    cancer = forms.ChoiceField(label=_("Cancer"), choices=CANCER_CHOICES, required=False)
    paralysis_or_cast = forms.BooleanField(label=_wells_label("paralysis_or_cast"), required=False)
    bedridden_or_surgery = forms.BooleanField(
        label=_wells_label("bedridden_or_surgery"), required=False
    )
    previous_dvt = forms.BooleanField(label=_wells_label("previous_dvt"), required=False)
    # Found on examination: asked only beside the Wells score (the calf item is measured).
    wells_deep_vein_tenderness = forms.BooleanField(
        label=_wells_label("deep_vein_tenderness"), required=False
    )
    wells_entire_leg_swollen = forms.BooleanField(
        label=_wells_label("entire_leg_swollen"), required=False
    )
    wells_pitting_oedema = forms.BooleanField(label=_wells_label("pitting_oedema"), required=False)
    wells_collateral_veins = forms.BooleanField(
        label=_wells_label("collateral_veins"), required=False
    )
    wells_alternative_as_likely = forms.BooleanField(
        label=_("Another explanation at least as likely (−2)"), required=False
    )

    HISTORY_FIELDS = ("cancer", "paralysis_or_cast", "bedridden_or_surgery", "previous_dvt")
    WELLS_FIELDS = (
        "wells_deep_vein_tenderness",
        "wells_entire_leg_swollen",
        "wells_pitting_oedema",
        "wells_collateral_veins",
        "wells_alternative_as_likely",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "Not recorded whether active" is kept from the earlier form only: offered while it is
        # the stored answer, so it round-trips, never as a new choice.
        if self.initial.get("cancer") != Cancer.UNKNOWN:
            self.fields["cancer"].choices = [
                choice for choice in CANCER_CHOICES if choice[0] != Cancer.UNKNOWN
            ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("swelling_sudden") and not cleaned.get("leg_swelling"):
            self.add_error("leg_swelling", _("Which leg is swollen?"))
        return cleaned

    def screen_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.WELLS_FIELDS and name not in self.HISTORY_FIELDS
        ]

    def history_fields(self):
        return [self[name] for name in self.HISTORY_FIELDS]

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


class OutcomesForm(forms.Form):
    """The outcomes page's filters: a period (a year to today by default), a practitioner, a
    complaint region."""

    MAX_DAYS = 366 * 5

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=None, required=False, empty_label=_("Everyone")
    )
    region = forms.ChoiceField(
        label=_("Where it hurts"), choices=[("", _("Every region")), *REGIONS], required=False
    )

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("end", _("Choose a period of five years or less."))
        return cleaned

    @classmethod
    def defaults(cls, today) -> dict:
        return {"start": today - dt.timedelta(days=365), "end": today}
