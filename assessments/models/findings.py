"""The single findings of an assessment in typed columns: one row per section saved (complaint,
posture, pelvis-hip-ankle, back of the knee, habits, red-flag answers), the complaint's
qualities and provokers as rows of their own.

Each field is named as the section form's field, so a section reads back in the shape its form
writes (`as_section()`: {"region": "knee_back", "pain": 6, "onset": "2026-10-01", ...}) and is
written from that shape (`from_section()`, validated with `full_clean()` before anything is
saved). The database holds the same choices and ranges as check constraints: a value no form
would accept cannot be stored by any path. A section never saved has no row (and reads `{}`).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.rules.facts import CANCER_CHOICES, PROVOKERS, QUALITIES, Side
from assessments.rules.measures import as_text
from assessments.rules.wells import WELLS_ITEM_BY_CODE
from patients.models import WorkStyle


class Laterality(models.TextChoices):
    LEFT = Side.LEFT, _("Left")
    RIGHT = Side.RIGHT, _("Right")
    BOTH = "both", _("Both")


ONE_SIDE = [(Laterality.LEFT, _("Left")), (Laterality.RIGHT, _("Right"))]


class Region(models.TextChoices):
    KNEE_BACK = "knee_back", _("Back of the knee")
    CALF = "calf", _("Calf")
    THIGH_BACK = "thigh_back", _("Back of the thigh")
    KNEE_FRONT = "knee_front", _("Front of the knee")
    HIP = "hip", _("Hip")
    LOWER_BACK = "lower_back", _("Lower back")
    ANKLE_FOOT = "ankle_foot", _("Ankle and foot")
    SHOULDER_NECK = "shoulder_neck", _("Shoulder and neck")
    OTHER = "other", _("Other")


class PelvicTilt(models.TextChoices):
    NEUTRAL = "neutral", _("Neutral")
    ANTERIOR = "anterior", _("Anterior")
    POSTERIOR = "posterior", _("Posterior")


class Gait(models.TextChoices):
    NORMAL = "normal", _("Normal")
    TOE_IN = "toe_in", _("Toe-in")
    TOE_OUT = "toe_out", _("Toe-out")
    ANTALGIC = "antalgic", _("Antalgic (protecting one leg)")


class SoleWear(models.TextChoices):
    EVEN = "even", _("Even")
    OUTER = "outer", _("Outer edge")
    INNER = "inner", _("Inner edge")
    HEEL = "heel", _("Heel")
    TOE = "toe", _("Toe")


class Footwear(models.TextChoices):
    FLAT = "flat", _("Flat shoes")
    HEELS = "heels", _("Heels")
    MIXED = "mixed", _("Both")


class TraitKind(models.TextChoices):
    QUALITY = "quality", _("How it feels")
    PROVOKER = "provoker", _("Worse with")


# The ranges the section forms accept, held by the database as well.
PAIN_RANGE = (0, 10)
MASS_SIZE_CM = (Decimal("0.1"), Decimal("20"))
SITTING_HOURS = (Decimal("0"), Decimal("24"))
FLUID_LITRES = (Decimal("0"), Decimal("10"))
TRAIT_CODES = {TraitKind.QUALITY: QUALITIES, TraitKind.PROVOKER: PROVOKERS}


def _choice(label, choices, **options):
    return models.CharField(label, max_length=20, choices=choices, blank=True, **options)


def _side(label, choices=Laterality.choices):
    return _choice(label, choices)


def _wells_label(code):
    return WELLS_ITEM_BY_CODE[code].label


def _flag(label):
    return models.BooleanField(label, default=False)


def _amount(label, digits):
    return models.DecimalField(label, max_digits=digits, decimal_places=1, null=True, blank=True)


def _known(*fields_and_choices) -> Q:
    """Each choice column holds one of its choices or nothing."""
    condition = Q()
    for name, choices in fields_and_choices:
        condition &= Q(**{f"{name}__in": ["", *(value for value, _label in choices)]})
    return condition


def _within(name, low, high) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": low, f"{name}__lte": high})


def _json_value(value):
    if isinstance(value, Decimal):
        return as_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class SectionRecord(models.Model):
    """One saved section of an assessment. Subclasses set SECTION (the section code) and give
    `assessment` a one-to-one key whose related name is that code plus `_record`."""

    SECTION = ""

    class Meta:
        abstract = True

    @classmethod
    def value_fields(cls) -> list:
        return [f for f in cls._meta.concrete_fields if f.name not in ("id", "assessment")]

    @classmethod
    def keys(cls) -> set[str]:
        return {f.name for f in cls.value_fields()}

    def as_section(self) -> dict:
        """The section in the shape its form writes."""
        return {f.name: _json_value(getattr(self, f.name)) for f in self.value_fields()}

    @classmethod
    def from_section(cls, assessment, data: dict):
        """An unsaved row holding `data` (a section as its form writes it), validated: a key the
        section does not have or a value out of its choices or range is refused."""
        unknown = set(data) - cls.keys()
        if unknown:
            raise ValidationError(
                f"{cls.SECTION}: not a field of the section: {', '.join(sorted(unknown))}"
            )
        values = {}
        for field in cls.value_fields():
            value = data.get(field.name)
            if value is None and not field.null:
                value = field.get_default()  # "" for a choice, False for a tick box
            values[field.name] = value
        # by id: the instance would cache this unsaved row as the assessment's record
        record = cls(assessment_id=assessment.pk, **values)
        record.full_clean(exclude=["assessment"], validate_unique=False)
        return record


class ComplaintRecord(SectionRecord):
    SECTION = "complaint"

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="complaint_record"
    )
    region = _choice(_("Where it hurts"), Region.choices)
    region_detail = models.CharField(_("Detail"), max_length=200, blank=True)
    side = _side(_("Side"))
    pain = models.PositiveSmallIntegerField(_("Pain now (0-10)"), null=True, blank=True)
    onset = models.DateField(_("Since when"), null=True, blank=True)
    note = models.TextField(_("Note"), blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=_known(("region", Region.choices), ("side", Laterality.choices))
                & _within("pain", *PAIN_RANGE),
                name="complaint_known_and_in_range",
            )
        ]

    def __str__(self):
        return f"{self.get_region_display()} ({self.get_side_display()})"

    def as_section(self) -> dict:
        section = super().as_section()
        traits = {kind: [] for kind in TraitKind.values}
        for trait in self.traits.all():
            traits[trait.kind].append(trait.code)
        section["qualities"] = sorted(traits[TraitKind.QUALITY])
        section["provokers"] = sorted(traits[TraitKind.PROVOKER])
        # the form's own order, so the section reads as it always did
        order = ["region", "region_detail", "side", "qualities", "pain", "onset", "provokers"]
        return {key: section[key] for key in [*order, "note"]}

    @classmethod
    def keys(cls) -> set[str]:
        return super().keys() | {"qualities", "provokers"}

    @classmethod
    def from_section(cls, assessment, data: dict):
        plain = {k: v for k, v in data.items() if k not in ("qualities", "provokers")}
        record = super().from_section(assessment, plain)
        record.wanted_traits = set()
        for kind, key in ((TraitKind.QUALITY, "qualities"), (TraitKind.PROVOKER, "provokers")):
            codes = data.get(key) or []
            if isinstance(codes, str) or not isinstance(codes, list | tuple | set | frozenset):
                raise ValidationError(f"complaint: {key} is not a list: {codes!r}")
            known = {code for code, _label in TRAIT_CODES[kind]}
            if unknown := set(codes) - known:
                raise ValidationError(f"complaint: unknown {key}: {sorted(map(str, unknown))}")
            record.wanted_traits |= {(kind, code) for code in codes}
        return record


def _trait_codes() -> Q:
    condition = Q()
    for kind, choices in TRAIT_CODES.items():
        condition |= Q(kind=kind, code__in=[code for code, _label in choices])
    return condition


class ComplaintTrait(models.Model):
    """One quality of the pain ("throbbing") or one thing that makes it worse ("stairs")."""

    complaint = models.ForeignKey(ComplaintRecord, on_delete=models.PROTECT, related_name="traits")
    kind = models.CharField(_("kind"), max_length=10, choices=TraitKind.choices)
    code = models.CharField(_("answer"), max_length=20, choices=[*QUALITIES, *PROVOKERS])

    class Meta:
        verbose_name = _("quality or provoker of the complaint")
        verbose_name_plural = _("qualities and provokers of the complaint")
        ordering = ["complaint", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind", "code"], name="one_trait_once"),
            models.CheckConstraint(condition=_trait_codes(), name="trait_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_code_display()}"


class PostureRecord(SectionRecord):
    SECTION = "posture"

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="posture_record"
    )
    forward_head = _flag(_("Forward head / straight neck"))
    rounded_shoulders = _flag(_("Rounded shoulders"))
    thoracic_kyphosis = _flag(_("Rounded upper back (kyphosis)"))
    lumbar_hyperlordosis = _flag(_("Arched lower back (hyperlordosis)"))
    pelvic_tilt = _choice(_("Pelvic tilt"), PelvicTilt.choices)
    pelvic_high_side = _side(_("Pelvis higher on"), ONE_SIDE)
    pelvic_rotation = _side(_("Pelvis rotated forward on"), ONE_SIDE)
    knee_hyperextension = _side(_("Locked (hyperextended) knees"))
    weight_on_leg = _side(_("Habitually stands on"), ONE_SIDE)
    note = models.TextField(_("Note"), blank=True)

    class Meta:
        verbose_name = _("posture")
        verbose_name_plural = _("postures")
        constraints = [
            models.CheckConstraint(
                condition=_known(
                    ("pelvic_tilt", PelvicTilt.choices),
                    ("pelvic_high_side", ONE_SIDE),
                    ("pelvic_rotation", ONE_SIDE),
                    ("knee_hyperextension", Laterality.choices),
                    ("weight_on_leg", ONE_SIDE),
                ),
                name="posture_known",
            )
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class LowerLimbRecord(SectionRecord):
    SECTION = "lower_limb"

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="lower_limb_record"
    )
    stiff_hip = _side(_("Stiff hip"))
    short_stride = _side(_("Shorter stride"))
    stiff_ankle = _side(_("Stiff ankle (impact passed to the knee)"))
    gait = _choice(_("Gait"), Gait.choices)
    sole_wear_left = _choice(_("Shoe-sole wear, left"), SoleWear.choices)
    sole_wear_right = _choice(_("Shoe-sole wear, right"), SoleWear.choices)
    note = models.TextField(_("Note"), blank=True)

    class Meta:
        verbose_name = _("pelvis, hip, ankle and gait")
        verbose_name_plural = _("pelvis, hip, ankle and gait")
        constraints = [
            models.CheckConstraint(
                condition=_known(
                    ("stiff_hip", Laterality.choices),
                    ("short_stride", Laterality.choices),
                    ("stiff_ankle", Laterality.choices),
                    ("gait", Gait.choices),
                    ("sole_wear_left", SoleWear.choices),
                    ("sole_wear_right", SoleWear.choices),
                ),
                name="lower_limb_known",
            )
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class PalpationRecord(SectionRecord):
    SECTION = "palpation"

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="palpation_record"
    )
    mass = _flag(_("A mass can be felt"))
    side = _side(_("Side"))
    size_cm = _amount(_("Size (cm)"), 4)
    hard = _flag(_("Hard"))
    warm = _flag(_("Warm"))
    red = _flag(_("Red"))
    tender = _flag(_("Tender"))
    pulsating = _flag(_("Pulsating"))
    growing = _flag(_("Growing (patient reports)"))
    note = models.TextField(_("Note"), blank=True)

    class Meta:
        verbose_name = _("back of the knee")
        verbose_name_plural = _("back of the knee")
        constraints = [
            models.CheckConstraint(
                condition=_known(("side", Laterality.choices)) & _within("size_cm", *MASS_SIZE_CM),
                name="palpation_known_and_in_range",
            )
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class HabitsRecord(SectionRecord):
    SECTION = "habits"

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="habits_record"
    )
    bag_side = _side(_("Carries the bag on"), ONE_SIDE)
    leg_on_top = _side(_("Crosses legs with this leg on top"), ONE_SIDE)
    stands_on_one_leg = _side(_("Stands resting on one leg"), ONE_SIDE)
    sitting_hours = _amount(_("Hours sitting a day"), 3)
    work_style = _choice(_("Work"), WorkStyle.choices)
    footwear = _choice(_("Shoes"), Footwear.choices)
    supporter_all_day = _flag(_("Wears a knee supporter all day"))
    fluid_litres = _amount(_("Fluids a day (litres)"), 3)
    heavy_sweating = _flag(_("Sweats heavily"))
    cold_extremities = _flag(_("Cold hands and feet"))
    night_cramps = _flag(_("Cramps at night"))

    class Meta:
        verbose_name = _("daily habits")
        verbose_name_plural = _("daily habits")
        constraints = [
            models.CheckConstraint(
                condition=_known(
                    ("bag_side", ONE_SIDE),
                    ("leg_on_top", ONE_SIDE),
                    ("stands_on_one_leg", ONE_SIDE),
                    ("work_style", WorkStyle.choices),
                    ("footwear", Footwear.choices),
                )
                & _within("sitting_hours", *SITTING_HOURS)
                & _within("fluid_litres", *FLUID_LITRES),
                name="habits_known_and_in_range",
            )
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class RedFlagsRecord(SectionRecord):
    """The red-flag screen's answers, the history and the Wells items found on examination."""

    SECTION = "red_flags"

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="red_flags_record"
    )
    leg_swelling = _side(_("One leg swollen"), ONE_SIDE)
    swelling_sudden = _flag(_("The swelling came on suddenly"))
    leg_warm = _flag(_("The leg is warm or hot"))
    stairs_or_walking_harder = _flag(_("Stairs or walking are getting harder"))
    night_pain = _flag(_("Strong pain at night"))
    numbness = _flag(_("Numbness"))
    pain_not_improving = _flag(_("Pain for two weeks or more without improvement"))
    fever = _flag(_("Fever"))
    trauma_cannot_bear_weight = _flag(_("Recent injury and cannot bear weight"))
    cancer = _choice(_("Cancer"), CANCER_CHOICES)
    paralysis_or_cast = _flag(_wells_label("paralysis_or_cast"))
    bedridden_or_surgery = _flag(_wells_label("bedridden_or_surgery"))
    previous_dvt = _flag(_wells_label("previous_dvt"))
    wells_deep_vein_tenderness = _flag(_wells_label("deep_vein_tenderness"))
    wells_entire_leg_swollen = _flag(_wells_label("entire_leg_swollen"))
    wells_pitting_oedema = _flag(_wells_label("pitting_oedema"))
    wells_collateral_veins = _flag(_wells_label("collateral_veins"))
    wells_alternative_as_likely = _flag(_("Another explanation at least as likely (−2)"))

    class Meta:
        verbose_name = _("red-flag screen")
        verbose_name_plural = _("red-flag screens")
        constraints = [
            models.CheckConstraint(
                condition=_known(("leg_swelling", ONE_SIDE), ("cancer", CANCER_CHOICES)),
                name="red_flags_known",
            )
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


# section code -> its record model, in the order of the assessment's sections
SECTION_RECORDS = {
    model.SECTION: model
    for model in (
        ComplaintRecord,
        PostureRecord,
        LowerLimbRecord,
        PalpationRecord,
        HabitsRecord,
        RedFlagsRecord,
    )
}
RECORD_RELATIONS = tuple(f"{code}_record" for code in SECTION_RECORDS)


def section_of(assessment, code: str) -> dict:
    """The saved section `code` of `assessment` ({} when never saved)."""
    try:
        record = getattr(assessment, f"{code}_record")
    except SECTION_RECORDS[code].DoesNotExist:
        return {}
    return record.as_section()
