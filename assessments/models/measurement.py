"""The bilateral measurements as typed rows: one row per measure and side, a Decimal and a unit.

The ranges a value may take are the rules' own (`rules/measures.py`, `rules/weight.py`) and are
held by the database as check constraints, so a value out of range cannot be stored by any path.
`measurements_section()` gives the rows back in the shape the measurements section always had
({code: {"left": "41", "right": "37.5"[, "unit": "kg"]}, "body_weight_kg": "62"}), for the forms,
the summaries and the rules' facts.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.rules.facts import Side
from assessments.rules.measures import KG, MEASURE_BY_CODE, MEASURES, PERCENT, UNITS, as_text
from assessments.rules.weight import (
    BODY_WEIGHT,
    BODY_WEIGHT_MAX,
    BODY_WEIGHT_MIN,
    KG_PER_SIDE_MAX,
    WEIGHT_BEARING,
)


class MeasuredSide(models.TextChoices):
    LEFT = Side.LEFT, _("Left")
    RIGHT = Side.RIGHT, _("Right")


def unit_bounds(code: str) -> dict:
    """unit -> (minimum, maximum) one side's value may take for the measure `code`. Weight on
    each foot is typed in % (0-100) or read off a scale in kg (up to the heaviest body weight)."""
    measure = MEASURE_BY_CODE[code]
    if code == WEIGHT_BEARING:
        return {PERCENT: (Decimal(0), measure.maximum), KG: (Decimal(0), KG_PER_SIDE_MAX)}
    return {measure.unit: (measure.minimum, measure.maximum)}


def _in_range() -> Q:
    """Each measure in its own unit and range (any other code or unit is refused). Knee
    extension goes below 0 (a knee that cannot straighten fully); every other range starts at 0
    or above."""
    allowed = Q()
    for measure in MEASURES:
        for unit, (low, high) in unit_bounds(measure.code).items():
            allowed |= Q(measure=measure.code, unit=unit, value__gte=low, value__lte=high)
    return allowed


BODY_WEIGHT_IN_RANGE = Q(body_weight_kg__isnull=True) | Q(
    body_weight_kg__gte=BODY_WEIGHT_MIN, body_weight_kg__lte=BODY_WEIGHT_MAX
)


class Measurement(models.Model):
    """One side of one bilateral measure of an assessment. The rows of a draft are its working
    values, replaced on each save of the section; a signed assessment's change by amendment."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        related_name="measurement_rows",
        verbose_name=_("assessment"),
    )
    measure = models.CharField(
        _("measure"), max_length=40, choices=[(m.code, m.label) for m in MEASURES]
    )
    side = models.CharField(_("side"), max_length=5, choices=MeasuredSide.choices)
    value = models.DecimalField(_("value"), max_digits=5, decimal_places=1)
    unit = models.CharField(_("unit"), max_length=3, choices=[(unit, unit) for unit in UNITS])

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "measure", "side"], name="one_value_per_measure_and_side"
            ),
            # One constraint, not three: full_clean() checks each with a query.
            models.CheckConstraint(
                condition=Q(side__in=MeasuredSide.values) & _in_range(),
                name="measurement_known_and_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_measure_display()} ({self.get_side_display()}) {self.value} {self.unit}"


def measurements_section(assessment) -> dict:
    """The measurements section of `assessment`, read from its rows (prefetched or not) and its
    body weight, with each value written as it was always stored ("41", not "41.0")."""
    pairs: dict[str, dict] = {}
    for row in assessment.measurement_rows.all():
        pair = pairs.setdefault(row.measure, {})
        pair[row.side] = as_text(row.value)
        if row.measure == WEIGHT_BEARING:
            pair["unit"] = row.unit
    section = {}
    for measure in MEASURES:
        pair = pairs.get(measure.code)
        if pair:
            section[measure.code] = {
                **{side: pair[side] for side in MeasuredSide.values if side in pair},
                **({"unit": pair["unit"]} if "unit" in pair else {}),
            }
    if assessment.body_weight_kg is not None:
        section[BODY_WEIGHT] = as_text(assessment.body_weight_kg)
    return section
