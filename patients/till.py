"""The day's close (日計): the cash counted in the drawer against what the ledger says it should
hold, and the day's figures frozen as they were. Once a day is closed, patients/checkout.py takes
no payment, void or refund on it; a correction goes on a later day as a refund."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.access import roles_of
from clinic.models import Clinic
from patients import money, takings
from patients.checkout import TILL_ROLES
from patients.models import DayClose, PaymentMethod

MAX_CASH_YEN = 100_000_000


def _check_closer(by, clinic_id) -> None:
    if by.clinic_id != clinic_id or not roles_of(by) & TILL_ROLES:
        raise PermissionDenied


def close_problems(*, day: dt.date, today: dt.date, float_yen, counted_cash) -> dict:
    """What is wrong with the figures typed before anything is read (field → message)."""
    errors = {}
    if day > today:
        errors["day"] = _("A day is closed on the day or after, never before.")
    for name, value in (("float_yen", float_yen), ("counted_cash", counted_cash)):
        if not isinstance(value, int) or not 0 <= value <= MAX_CASH_YEN:
            errors[name] = _("Between 0 and 100,000,000 yen.")
    return errors


@transaction.atomic
def close_day(
    *, clinic_id, day: dt.date, float_yen: int, counted_cash: int, note: str, by, now=None
):
    """Close `day`'s till: expected cash = float + cash taken − cash refunded; the difference is
    counted − expected and needs a note when it is not 0. Raises ValidationError (nothing
    written) for a day in the future, a second close, or a difference without a note."""
    _check_closer(by, clinic_id)
    now = now or timezone.now()
    note = (note or "").strip()
    errors = close_problems(
        day=day, today=timezone.localdate(now), float_yen=float_yen, counted_cash=counted_cash
    )
    if errors:
        raise ValidationError(errors)
    # The clinic's row is the lock checkout takes for its receipt number: a payment being
    # written now finishes before the figures are read.
    Clinic.objects.select_for_update(no_key=True).get(pk=clinic_id)
    if DayClose.objects.filter(clinic_id=clinic_id, day=day).exists():
        raise ValidationError(_("This day is already closed."), code="closed")
    figures = takings.figures(by, day, day)
    cash = figures.method(PaymentMethod.CASH)
    expected = money.expected_cash(float_yen=float_yen, cash_in=cash.taken, cash_out=cash.refunded)
    difference = counted_cash - expected
    if difference and not note:
        raise ValidationError(
            {"note": _("The count differs from the expected cash: say why in a note.")}
        )
    close = DayClose(
        clinic_id=clinic_id,
        day=day,
        float_yen=float_yen,
        expected_cash=expected,
        counted_cash=counted_cash,
        difference=difference,
        note=note,
        totals=figures.as_json() | _listed(by, day),
        closed_at=now,
        closed_by=by,
    )
    try:
        with transaction.atomic():
            close.save()
    except IntegrityError as clash:  # closed at another desk meanwhile
        raise ValidationError(_("This day is already closed."), code="closed") from clash
    return close


def _listed(by, day) -> dict:
    """The day's voids and refunds as they stood at the close, beside its figures."""
    voids = takings.day_payments(by, day).filter(voided_at__isnull=False)
    return {
        "voids": [{"number": p.number, "total": p.total, "reason": p.void_reason} for p in voids],
        "refunds": [
            {
                "number": r.payment.number,
                "amount": r.amount,
                "method": r.method,
                "visits_returned": r.visits_returned,
                "reason": r.reason,
            }
            for r in takings.day_refunds(by, day)
        ],
    }
