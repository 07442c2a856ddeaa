"""The till's writes (会計): checking a visit out, selling items and prepaid tickets, voiding and
refunding. Each is one transaction that validates everything before it writes; a payment is never
changed or deleted afterwards, only voided (its day, before the close) or refunded.

Receipt numbers are the clinic's counter, bumped inside the payment's own transaction: a refused
or rolled-back checkout gives its number back, so the sequence has no gaps. A ticket's visit is
taken by a conditional UPDATE (`visits_left > 0`) under the row's lock: of two desks using the
last visit at once, one gets it and the other is told the ticket is used up."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic.access import roles_of
from clinic.models import Clinic, Role
from patients import money
from patients.models import (
    MONEY_METHODS,
    Appointment,
    DayClose,
    LineKind,
    Menu,
    Patient,
    Payment,
    PaymentLine,
    PaymentMethod,
    Product,
    Refund,
    Ticket,
    TicketPackage,
)

TILL_ROLES = frozenset({Role.FRONT_DESK, Role.ADMIN})


@dataclass
class Charge:
    """What the desk asks to charge, before anything is checked."""

    treatment: Menu | None = None  # the visit's menu, charged at its price
    ticket: Ticket | None = None  # ... or paid with a visit of this ticket
    items: list[tuple[Product, int]] = field(default_factory=list)
    package: TicketPackage | None = None  # a prepaid ticket sold
    discount: int = 0  # yen off the total
    discount_reason: str = ""
    method: str = PaymentMethod.CASH


def _check_till(by, clinic_id) -> None:
    if by.clinic_id != clinic_id or not roles_of(by) & TILL_ROLES:
        raise PermissionDenied


def day_is_closed(*, clinic_id, day) -> bool:
    return DayClose.objects.filter(clinic_id=clinic_id, day=day).exists()


def _refuse_if_closed(clinic_id, day) -> Clinic:
    """Lock the clinic's row (as the day's close does), then refuse a closed day: a checkout
    waiting on a close at that moment finds the day closed once it gets the lock."""
    clinic = Clinic.objects.select_for_update(no_key=True).get(pk=clinic_id)
    if day_is_closed(clinic_id=clinic_id, day=day):
        raise ValidationError(
            _("Today's till is closed: no payment, void or refund can be added to it."),
            code="day_closed",
        )
    return clinic


def _ticket_description(ticket: Ticket) -> str:
    return _("%(name)s (visit %(n)s of %(total)s)") % {
        "name": ticket.name,
        "n": ticket.visits - ticket.visits_left + 1,
        "total": ticket.visits,
    }


def _charge_problems(charge: Charge, day) -> dict[str, list[str]]:
    """What the form's fields say wrong before the lines are drawn (in the user's language)."""
    errors: dict[str, list[str]] = {}
    ticket = charge.ticket
    if ticket is not None and not ticket.usable_on(day):
        errors["ticket"] = [_("This ticket cannot be used today (used up, expired or refunded).")]
    elif (
        ticket is not None
        and charge.treatment
        and ticket.menu_id not in (None, charge.treatment.pk)
    ):
        errors["ticket"] = [
            _("This ticket is for %(menu)s, not for this visit's menu.") % {"menu": ticket.menu}
        ]
    if charge.discount and not charge.discount_reason.strip():
        errors["discount_reason"] = [_("Say why the discount is given.")]
    if charge.discount and charge.package is not None:
        # A ticket refunds by what it was sold for: a discount shared with it would let a
        # refund give back more than was paid. A cheaper ticket is a ticket type of its own.
        errors.setdefault("discount", []).append(
            _("No discount on a receipt that sells a prepaid ticket: sell the ticket on its own.")
        )
    return errors


def draft_lines(*, charge: Charge, day) -> list[dict]:
    """The lines `charge` makes, in Japanese (the receipt's language), checked field by field.
    Raises ValidationError keyed by the checkout form's fields."""
    errors = _charge_problems(charge, day)
    lines = []
    with translation.override("ja"):  # the receipt's words; the refusals above are the user's
        if charge.ticket is not None:
            lines.append(
                {
                    "kind": LineKind.TICKET_USE,
                    "description": _ticket_description(charge.ticket),
                    "unit_price": 0,
                    "quantity": 1,
                    "ticket": charge.ticket,
                    "menu": charge.treatment,
                }
            )
        elif charge.treatment is not None:
            lines.append(
                {
                    "kind": LineKind.TREATMENT,
                    "description": charge.treatment.name,
                    "unit_price": charge.treatment.price,
                    "quantity": 1,
                    "menu": charge.treatment,
                }
            )
        for product, quantity in charge.items:
            lines.append(
                {
                    "kind": LineKind.ITEM,
                    "description": product.name,
                    "unit_price": product.price,
                    "quantity": quantity,
                    "product": product,
                }
            )
        if charge.package is not None:
            lines.append(
                {
                    "kind": LineKind.TICKET_SALE,
                    "description": charge.package.name,
                    "unit_price": charge.package.price,
                    "quantity": 1,
                    "package": charge.package,
                }
            )
        if charge.discount:
            lines.append(
                {
                    "kind": LineKind.DISCOUNT,
                    "description": _("Discount"),
                    "unit_price": -charge.discount,
                    "quantity": 1,
                    "reason": charge.discount_reason.strip(),
                }
            )
    codes = money.problems([money.Line(x["kind"], x["unit_price"], x["quantity"]) for x in lines])
    messages = {
        "no_lines": ("__all__", _("Nothing to charge: choose the treatment, an item or a ticket.")),
        "too_many_lines": ("items", _("Too many lines on one receipt.")),
        "quantity": ("items", _("A quantity is between 1 and 99.")),
        "price": ("items", _("A price is between 0 and 1,000,000 yen.")),
        "discount_amount": ("discount", _("A discount is between 1 and 1,000,000 yen.")),
        "discount_exceeds": ("discount", _("The discount is more than the total.")),
    }
    for code in codes:
        name, text = messages[code]
        errors.setdefault(name, []).append(text)
    total = money.total([money.Line(x["kind"], x["unit_price"], x["quantity"]) for x in lines])
    if total > 0 and charge.method not in MONEY_METHODS:
        errors.setdefault("method", []).append(_("Choose cash, card or QR code payment."))
    if errors:
        raise ValidationError(errors)
    return lines


def _check_visit(appointment: Appointment, patient: Patient) -> None:
    if appointment.patient_id != patient.pk:
        raise ValueError("the visit is another patient's")
    if not appointment.is_seen:
        raise ValidationError(
            _("Only a visit the patient came to (checked in or later) is checked out."),
            code="not_seen",
        )
    if appointment.payments.filter(voided_at__isnull=True).exists():
        raise ValidationError(
            _("This visit is already checked out. Void that payment first to charge it again."),
            code="already_paid",
        )


def _take_receipt_number(clinic_id) -> int:
    Clinic.objects.filter(pk=clinic_id).update(next_receipt_number=F("next_receipt_number") + 1)
    return Clinic.objects.values_list("next_receipt_number", flat=True).get(pk=clinic_id) - 1


def _snapshot(payment: Payment, clinic: Clinic, lines: list[dict]) -> dict:
    """What the receipt says, frozen: a later change of the clinic's name or a menu's price
    never rewrites a receipt already given."""
    return {
        "number": payment.number,
        "day": payment.business_day.isoformat(),
        "clinic": {
            "name": clinic.name,
            "address": clinic.address,
            "phone": clinic.phone,
            "registration_number": clinic.invoice_registration_number,
        },
        "patient": {"name": payment.patient.full_name, "number": payment.patient.number_display},
        "lines": [
            {
                "kind": str(line["kind"]),
                "description": line["description"],
                "unit_price": line["unit_price"],
                "quantity": line["quantity"],
                "amount": line["unit_price"] * line["quantity"],
            }
            for line in lines
        ],
        "total": payment.total,
        "tax_rate": payment.tax_rate,
        "tax": payment.tax,
        "method": payment.method,
    }


@transaction.atomic
def checkout(
    *, patient: Patient, charge: Charge, by, appointment: Appointment | None = None, now=None
) -> Payment:
    """Charge `charge` to `patient` (for `appointment`, when a visit is checked out), taking the
    next receipt number. Raises ValidationError (nothing written) when it cannot be charged."""
    _check_till(by, patient.clinic_id)
    now = now or timezone.now()
    day = timezone.localdate(now)
    # Every write of the till takes the clinic's row first, then the visit, payment or ticket
    # rows: one order, so no two desks wait on each other.
    clinic = _refuse_if_closed(patient.clinic_id, day)
    if appointment is not None:
        appointment = Appointment.objects.select_for_update(no_key=True).get(pk=appointment.pk)
        _check_visit(appointment, patient)
    _check_same_clinic(patient.clinic_id, charge)
    if charge.ticket is not None:
        charge.ticket = Ticket.objects.select_for_update(no_key=True).get(pk=charge.ticket.pk)
        if charge.ticket.patient_id != patient.pk:
            raise ValueError("the ticket is another patient's")
    lines = draft_lines(charge=charge, day=day)
    total = sum(line["unit_price"] * line["quantity"] for line in lines)
    method = charge.method if total > 0 or charge.ticket is None else PaymentMethod.TICKET
    payment = Payment(
        clinic=clinic,
        patient=patient,
        appointment=appointment,
        practitioner_id=appointment.practitioner_id if appointment else None,
        business_day=day,
        method=method,
        total=total,
        tax_rate=clinic.tax_rate,
        tax=money.tax_included(total, clinic.tax_rate),
        taken_at=now,
        taken_by=by,
    )
    payment.number = _take_receipt_number(clinic.pk)
    payment.receipt = _snapshot(payment, clinic, lines)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as clash:
        # The visit was checked out at another desk meanwhile; any other clash is a bug, raised.
        paid = appointment is not None and appointment.payments.filter(voided_at__isnull=True)
        if not (paid and paid.exists()):
            raise
        refused = ValidationError(_("This visit is already checked out."), code="already_paid")
        raise refused from clash
    for position, line in enumerate(lines, start=1):
        saved = PaymentLine.objects.create(
            payment=payment,
            position=position,
            kind=line["kind"],
            description=line["description"],
            unit_price=line["unit_price"],
            quantity=line["quantity"],
            amount=line["unit_price"] * line["quantity"],
            menu=line.get("menu"),
            product=line.get("product"),
            package=line.get("package"),
            ticket=line.get("ticket"),
            reason=line.get("reason", ""),
        )
        if line["kind"] == LineKind.TICKET_USE:
            _use_visit(line["ticket"])
        elif line["kind"] == LineKind.TICKET_SALE:
            _issue_ticket(line["package"], saved, patient, day)
    return payment


def _check_same_clinic(clinic_id, charge: Charge) -> None:
    owned = [charge.treatment, charge.ticket, charge.package, *(p for p, _q in charge.items)]
    if any(thing is not None and thing.clinic_id != clinic_id for thing in owned):
        raise ValueError("a menu, item or ticket of another clinic")


def _use_visit(ticket: Ticket) -> None:
    """Take one visit from `ticket`, locked by the caller (so a second desk waits, then finds
    the visit gone)."""
    if ticket.visits_left <= 0 or ticket.closed_at is not None:
        raise ValidationError(
            {"ticket": _("This ticket has no visit left: it was just used at another desk.")}
        )
    ticket.visits_left -= 1
    ticket.save(update_fields=["visits_left"])


def _issue_ticket(package: TicketPackage, line: PaymentLine, patient: Patient, day) -> Ticket:
    return Ticket.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        package=package,
        sold_on=line,
        name=package.name,
        menu_id=package.menu_id,
        visits=package.visits,
        visits_left=package.visits,
        price=package.price,
        regular_price=package.regular_price,
        refund_fee_percent=package.refund_fee_percent,
        refundable_after_expiry=package.refundable_after_expiry,
        terms=package.terms,
        terms_version=package.terms_version,
        valid_from=day,
        valid_until=money.valid_until(day, package.valid_months),
    )


def _reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field_name: _("Say why.")})
    return reason


def void_refusal(payment: Payment, *, today) -> str | None:
    """Why `payment` cannot be voided today, or None when it can."""
    if payment.is_void:
        return _("This payment is already void.")
    if payment.business_day != today:
        return _("Only a payment of today can be voided; refund it instead.")
    if payment.refunds.exists():
        return _("This payment has a refund: it cannot be voided.")
    if day_is_closed(clinic_id=payment.clinic_id, day=today):
        return _("Today's till is closed: no payment, void or refund can be added to it.")
    return None


def can_void(payment: Payment) -> bool:
    return void_refusal(payment, today=timezone.localdate()) is None


@transaction.atomic
def void_payment(*, payment: Payment, reason: str, by, now=None) -> Payment:
    """Cancel a payment entered by mistake: only on its own day, before the close, and before
    any refund. Its receipt number stays (marked void); visits taken from tickets go back, and
    a ticket it sold is closed (refused if the ticket was already used)."""
    _check_till(by, payment.clinic_id)
    now = now or timezone.now()
    reason = _reason(reason)
    _refuse_if_closed(payment.clinic_id, timezone.localdate(now))
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
    refusal = void_refusal(payment, today=timezone.localdate(now))
    if refusal:
        raise ValidationError(refusal, code="not_voidable")
    sold = list(Ticket.objects.select_for_update(no_key=True).filter(sold_on__payment=payment))
    if any(ticket.visits_left != ticket.visits for ticket in sold):
        raise ValidationError(
            _("A ticket sold on this payment has been used: refund its unused visits instead."),
            code="ticket_used",
        )
    for line in payment.lines.filter(kind=LineKind.TICKET_USE):
        _give_visit_back(line.ticket_id)
    for ticket in sold:
        ticket.visits_left, ticket.closed_at = 0, now
        ticket.save(update_fields=["visits_left", "closed_at"])
    payment.voided_at, payment.voided_by, payment.void_reason = now, by, reason
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return payment


def _give_visit_back(ticket_id) -> None:
    """Give one visit back to a ticket (locked here): refused when the ticket was closed or is
    full meanwhile, so no refund says a visit went back that did not."""
    ticket = Ticket.objects.select_for_update(no_key=True).get(pk=ticket_id)
    if ticket.visits_left >= ticket.visits or ticket.closed_at is not None:
        raise ValidationError(
            _("The prepaid ticket was closed meanwhile: its visit cannot be given back."),
            code="ticket_closed",
        )
    ticket.visits_left += 1
    ticket.save(update_fields=["visits_left"])


def refundable(payment: Payment) -> int:
    """Money still refundable on `payment` here: its total less the tickets it sold (those
    refund from the ticket, by its terms) and less what was refunded here before."""
    sold = payment.lines.filter(kind=LineKind.TICKET_SALE).aggregate(s=Sum("amount"))["s"] or 0
    here = payment.refunds.filter(ticket__isnull=True).aggregate(s=Sum("amount"))["s"] or 0
    return max(0, payment.total - sold - here)


def visits_returnable(payment: Payment) -> list[PaymentLine]:
    """The ticket visits of `payment` not given back yet."""
    uses = payment.lines.filter(kind=LineKind.TICKET_USE, ticket__closed_at__isnull=True)
    returned = {r.ticket_id for r in payment.refunds.filter(visits_returned__gt=0)}
    return [line for line in uses if line.ticket_id not in returned]


@transaction.atomic
def refund_payment(
    *, payment: Payment, amount: int, method: str, reason: str, by, return_visits=False, now=None
) -> Refund:
    """Give back `amount` yen of `payment` (and, with `return_visits`, the ticket visits it
    used), counted on today's takings."""
    _check_till(by, payment.clinic_id)
    now = now or timezone.now()
    day = timezone.localdate(now)
    _refuse_if_closed(payment.clinic_id, day)
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
    errors = {}
    if payment.is_void:
        raise ValidationError(_("A void payment cannot be refunded."), code="void")
    left = refundable(payment)
    if amount < 0 or amount > left:
        errors["amount"] = _("Between 0 and %(left)s yen.") % {"left": f"{left:,}"}
    if amount and method not in MONEY_METHODS:
        errors["method"] = _("Choose cash, card or QR code payment.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why.")
    uses = visits_returnable(payment) if return_visits else []
    if not amount and not uses:
        errors.setdefault("amount", _("Nothing to give back: enter an amount."))
    if errors:
        raise ValidationError(errors)
    refund = None
    if amount:
        refund = _refund_row(payment, amount, method, reason, by, now, day)
    for line in uses:
        _give_visit_back(line.ticket_id)
        refund = _refund_row(
            payment,
            0,
            PaymentMethod.TICKET,
            reason,
            by,
            now,
            day,
            ticket_id=line.ticket_id,
            visits_returned=1,
        )
    return refund


def _refund_row(
    payment, amount, method, reason, by, now, day, *, ticket_id=None, visits_returned=0
):
    return Refund.objects.create(
        clinic_id=payment.clinic_id,
        payment=payment,
        amount=amount,
        method=method,
        reason=reason.strip(),
        ticket_id=ticket_id,
        visits_returned=visits_returned,
        business_day=day,
        refunded_at=now,
        refunded_by=by,
    )


def ticket_refund_quote(ticket: Ticket, *, today) -> money.TicketRefund | None:
    already = ticket.refunds.aggregate(s=Sum("amount"))["s"] or 0
    return money.ticket_refund(
        ticket.terms_as_sold,
        visits_left=ticket.visits_left,
        valid_until=ticket.valid_until,
        today=today,
        already_refunded=already,
    )


@transaction.atomic
def refund_ticket(*, ticket: Ticket, method: str, reason: str, by, now=None) -> Refund:
    """Refund a ticket's unused visits by the terms it was sold under, and close it."""
    _check_till(by, ticket.clinic_id)
    now = now or timezone.now()
    day = timezone.localdate(now)
    _refuse_if_closed(ticket.clinic_id, day)
    ticket = Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Say why.")
    if method not in MONEY_METHODS:
        errors["method"] = _("Choose cash, card or QR code payment.")
    quote = None if ticket.closed_at else ticket_refund_quote(ticket, today=day)
    if quote is None or quote.amount == 0:
        errors["__all__"] = _("By its terms, nothing of this ticket is refundable.")
    if errors:
        raise ValidationError(errors)
    payment = ticket.sold_on.payment
    refund = _refund_row(payment, quote.amount, method, reason, by, now, day, ticket_id=ticket.pk)
    ticket.visits_left, ticket.closed_at = 0, now
    ticket.save(update_fields=["visits_left", "closed_at"])
    return refund
