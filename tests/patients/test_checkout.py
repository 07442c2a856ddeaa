"""The till's writes (patients/checkout.py): checkout, tickets, voids and refunds, on the
database, each refusal leaving nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clinic.models import Clinic
from patients import checkout
from patients.models import (
    AppointmentStatus,
    DayClose,
    LineKind,
    Payment,
    PaymentMethod,
    Refund,
    Ticket,
)
from tests.factories import (
    AppointmentFactory,
    MenuFactory,
    ProductFactory,
    TicketPackageFactory,
)

pytestmark = pytest.mark.django_db


def _seen_visit(cast, menu=None):
    visit = AppointmentFactory(
        patient=cast.patient,
        practitioner=cast.practitioner,
        menu=menu,
        start=timezone.now() - dt.timedelta(minutes=30),
        end=timezone.now(),
    )
    visit.status = AppointmentStatus.COMPLETED
    visit.save(update_fields=["status"])
    return visit


@pytest.fixture
def menu(ours):
    return MenuFactory(clinic=ours.clinic, name="整体60分", price=6600)


def _checkout(cast, charge, visit=None, by=None, now=None):
    return checkout.checkout(
        patient=cast.patient, charge=charge, appointment=visit, by=by or cast.frontdesk, now=now
    )


def test_a_visit_is_charged_its_menu_price_and_numbered_from_one(ours, menu):
    visit = _seen_visit(ours, menu)
    payment = _checkout(ours, checkout.Charge(treatment=menu), visit)
    assert (payment.number, payment.total, payment.tax, payment.method) == (1, 6600, 600, "cash")
    assert payment.practitioner == ours.practitioner
    assert payment.receipt["lines"][0]["description"] == "整体60分"
    assert payment.receipt["clinic"]["name"] == ours.clinic.name
    second = _checkout(ours, checkout.Charge(items=[(ProductFactory(clinic=ours.clinic), 2)]))
    assert second.number == 2 and second.total == 6600


def test_a_refused_checkout_writes_nothing_and_keeps_the_number(ours, menu):
    visit = _seen_visit(ours, menu)
    with pytest.raises(ValidationError) as refused:
        _checkout(
            ours, checkout.Charge(treatment=menu, discount=7000, discount_reason="誤り"), visit
        )
    assert "discount" in refused.value.message_dict
    assert not Payment.objects.exists()
    assert Clinic.objects.get(pk=ours.clinic.pk).next_receipt_number == 1


def test_a_discount_needs_a_reason(ours, menu):
    with pytest.raises(ValidationError) as refused:
        _checkout(ours, checkout.Charge(treatment=menu, discount=600), _seen_visit(ours, menu))
    assert "discount_reason" in refused.value.message_dict
    paid = _checkout(
        ours,
        checkout.Charge(treatment=menu, discount=600, discount_reason="初回割引"),
        _seen_visit(ours, menu),
    )
    assert paid.total == 6000
    assert paid.lines.get(kind=LineKind.DISCOUNT).reason == "初回割引"


def test_a_booked_visit_is_not_checked_out_and_a_paid_one_not_twice(ours, menu):
    with pytest.raises(ValidationError):
        _checkout(ours, checkout.Charge(treatment=menu), ours.appointment)
    visit = _seen_visit(ours, menu)
    _checkout(ours, checkout.Charge(treatment=menu), visit)
    with pytest.raises(ValidationError):
        _checkout(ours, checkout.Charge(treatment=menu), visit)


def test_only_the_desk_and_the_admin_take_payments(ours, theirs, menu):
    for who in (ours.practitioner, ours.patient_user, theirs.frontdesk):
        with pytest.raises(PermissionDenied):
            _checkout(ours, checkout.Charge(treatment=menu), by=who)
    assert _checkout(ours, checkout.Charge(treatment=menu), by=ours.admin).total == 6600


def test_a_ticket_is_sold_then_used_visit_by_visit(ours, menu):
    package = TicketPackageFactory(clinic=ours.clinic, menu=menu, visits=2)
    sale = _checkout(ours, checkout.Charge(package=package, method=PaymentMethod.CARD))
    ticket = Ticket.objects.get(patient=ours.patient)
    assert (sale.total, ticket.visits_left, ticket.terms_version) == (24000, 2, "2026-12")
    first = _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), _seen_visit(ours, menu))
    assert (first.total, first.method) == (0, PaymentMethod.TICKET)
    _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), _seen_visit(ours, menu))
    ticket.refresh_from_db()
    assert ticket.visits_left == 0
    with pytest.raises(ValidationError) as refused:
        _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), _seen_visit(ours, menu))
    assert "ticket" in refused.value.message_dict


def test_a_ticket_for_one_menu_does_not_pay_for_another(ours, menu):
    other = MenuFactory(clinic=ours.clinic, name="骨盤30分", price=3300)
    package = TicketPackageFactory(clinic=ours.clinic, menu=menu)
    _checkout(ours, checkout.Charge(package=package))
    ticket = Ticket.objects.get()
    with pytest.raises(ValidationError) as refused:
        _checkout(ours, checkout.Charge(treatment=other, ticket=ticket), _seen_visit(ours, other))
    assert "ticket" in refused.value.message_dict


def test_an_expired_ticket_is_refused_the_day_after_its_last_day(ours, menu):
    package = TicketPackageFactory(clinic=ours.clinic, valid_months=1)
    sold = timezone.now()
    _checkout(ours, checkout.Charge(package=package), now=sold)
    ticket = Ticket.objects.get()
    last = timezone.make_aware(dt.datetime.combine(ticket.valid_until, dt.time(12)))
    _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), now=last)
    ticket.refresh_from_db()
    with pytest.raises(ValidationError):
        _checkout(
            ours, checkout.Charge(treatment=menu, ticket=ticket), now=last + dt.timedelta(days=1)
        )


def test_a_void_gives_ticket_visits_back_and_keeps_the_number(ours, menu):
    package = TicketPackageFactory(clinic=ours.clinic)
    _checkout(ours, checkout.Charge(package=package))
    ticket = Ticket.objects.get()
    used = _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), _seen_visit(ours, menu))
    with pytest.raises(ValidationError):
        checkout.void_payment(payment=used, reason="  ", by=ours.frontdesk)
    checkout.void_payment(payment=used, reason="別の患者さんで入力", by=ours.frontdesk)
    ticket.refresh_from_db()
    used.refresh_from_db()
    assert ticket.visits_left == 5 and used.is_void and used.number == 2


def test_a_void_of_an_earlier_day_is_refused(ours, menu):
    paid = _checkout(
        ours, checkout.Charge(treatment=menu), now=timezone.now() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        checkout.void_payment(payment=paid, reason="誤り", by=ours.frontdesk)


def test_a_refund_never_exceeds_what_was_paid(ours, menu):
    paid = _checkout(ours, checkout.Charge(treatment=menu))
    with pytest.raises(ValidationError) as refused:
        checkout.refund_payment(
            payment=paid, amount=6601, method="cash", reason="過請求", by=ours.frontdesk
        )
    assert "amount" in refused.value.message_dict
    checkout.refund_payment(
        payment=paid, amount=6000, method="cash", reason="過請求", by=ours.frontdesk
    )
    assert checkout.refundable(paid) == 600
    with pytest.raises(ValidationError):
        checkout.refund_payment(
            payment=paid, amount=601, method="cash", reason="過請求", by=ours.frontdesk
        )


def test_a_ticket_refunds_by_the_terms_it_was_sold_under(ours, menu):
    package = TicketPackageFactory(clinic=ours.clinic, price=24000, regular_price=6600)
    _checkout(ours, checkout.Charge(package=package))
    ticket = Ticket.objects.get()
    _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), _seen_visit(ours, menu))
    package.refund_fee_percent = 50
    package.save()
    refund = checkout.refund_ticket(ticket=ticket, method="cash", reason="転居", by=ours.frontdesk)
    # 24,000 - 1 visit at 6,600 = 17,400, less the 10% fee of the terms as sold: 15,660.
    assert refund.amount == 15660
    ticket.refresh_from_db()
    assert ticket.visits_left == 0 and ticket.closed_at is not None
    assert checkout.refundable(ticket.sold_on.payment) == 0


def test_a_closed_day_takes_no_payment(ours, menu):
    DayClose.objects.create(
        clinic=ours.clinic,
        day=timezone.localdate(),
        float_yen=0,
        expected_cash=0,
        counted_cash=0,
        difference=0,
        closed_at=timezone.now(),
        closed_by=ours.frontdesk,
    )
    with pytest.raises(ValidationError):
        _checkout(ours, checkout.Charge(treatment=menu))
    assert not Payment.objects.exists() and not Refund.objects.exists()


def test_a_receipt_that_sells_a_ticket_takes_no_discount(ours, menu):
    """A ticket refunds by its price: a discount shared with it could give back more than was
    paid (24,000 paid 19,000 would refund 21,600)."""
    package = TicketPackageFactory(clinic=ours.clinic)
    with pytest.raises(ValidationError) as refused:
        _checkout(ours, checkout.Charge(package=package, discount=5000, discount_reason="特価"))
    assert "discount" in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_a_refusal_is_in_the_users_language_and_the_receipt_in_japanese(ours, menu):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            _checkout(ours, checkout.Charge(treatment=menu, discount=600))
        assert refused.value.message_dict["discount_reason"] == ["Say why the discount is given."]
        paid = _checkout(ours, checkout.Charge(treatment=menu, discount=600, discount_reason="x"))
    assert paid.receipt["lines"][1]["description"] == "割引"


def test_a_visit_is_not_given_back_to_a_ticket_closed_meanwhile(ours, menu):
    package = TicketPackageFactory(clinic=ours.clinic)
    _checkout(ours, checkout.Charge(package=package))
    ticket = Ticket.objects.get()
    used = _checkout(ours, checkout.Charge(treatment=menu, ticket=ticket), _seen_visit(ours, menu))
    checkout.refund_ticket(ticket=ticket, method="cash", reason="解約", by=ours.frontdesk)
    with pytest.raises(ValidationError):
        checkout.refund_payment(
            payment=used,
            amount=0,
            method="cash",
            reason="戻す",
            return_visits=True,
            by=ours.frontdesk,
        )
    assert not Refund.objects.filter(visits_returned__gt=0).exists()
