"""A clinic's own asymmetry thresholds: the one write path (the screen reads them through
`services.effective_thresholds`; the red-flag screen never does)."""

from decimal import Decimal

from django.db import transaction

from assessments.models import AsymmetryThreshold
from assessments.rules.measures import MEASURE_BY_CODE


@transaction.atomic
def set_threshold(
    *, clinic_id, measure: str, threshold: Decimal, note: str, by
) -> AsymmetryThreshold:
    """Replace the documented default of `measure` for the clinic, checked before it is saved
    (an unknown measure or an out-of-range value is refused with ValueError / ValidationError)."""
    if measure not in MEASURE_BY_CODE:
        raise ValueError(f"unknown measure: {measure}")
    row = (
        AsymmetryThreshold.objects.select_for_update(no_key=True)
        .filter(clinic_id=clinic_id, measure=measure)
        .first()
    ) or AsymmetryThreshold(clinic_id=clinic_id, measure=measure)
    row.threshold, row.note, row.updated_by = threshold, note, by
    row.full_clean()
    row.save()
    return row
