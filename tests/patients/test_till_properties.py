"""Property-based: any sequence of the till's operations (checkouts with items and discounts,
ticket sales and uses, voids, refunds, ticket refunds), each refused or done, leaves the ledger
whole: no ticket balance below zero or out of step with its uses, receipt numbers 1..N with no
gap or repeat, no payment refunded beyond what it took, and the day's takings equal to the sum
of its payments less its refunds.

Hypothesis's own Django TestCase isolates each example (pytest-django does not, #912).
"""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from patients import checkout, takings
from patients.models import LineKind, Payment, Refund, Ticket
from tests.conftest import _clinic_cast
from tests.factories import MenuFactory, ProductFactory, TicketPackageFactory
from tests.patients.till import seen_visit

RUNS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

yen = st.integers(min_value=0, max_value=40_000)
pick = st.integers(min_value=0, max_value=50)
operation = st.one_of(
    st.tuples(st.just("visit"), yen, st.integers(0, 3), st.sampled_from(["cash", "card", "qr"])),
    st.tuples(st.just("sell"), st.sampled_from(["cash", "card"])),
    st.tuples(st.just("use"), pick),
    st.tuples(st.just("void"), pick),
    st.tuples(st.just("refund"), pick, yen, st.booleans()),
    st.tuples(st.just("refund_ticket"), pick),
)


class TheLedgerStaysWhole(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = _clinic_cast("会計の整体院")
        cls.menu = MenuFactory(clinic=cls.cast.clinic, name="整体45分", price=6600)
        cls.product = ProductFactory(clinic=cls.cast.clinic, price=3300)
        cls.package = TicketPackageFactory(
            clinic=cls.cast.clinic, menu=cls.menu, visits=2, price=12000, regular_price=6600
        )

    def _visit(self):
        return seen_visit(self.cast.patient, self.cast.practitioner, menu=self.menu)

    def _apply(self, op):
        cast, desk = self.cast, self.cast.frontdesk
        kind = op[0]
        payments = list(Payment.objects.order_by("pk"))
        tickets = list(Ticket.objects.order_by("pk"))
        if kind == "visit":
            _, discount, items, method = op
            charge = checkout.Charge(
                treatment=self.menu,
                items=[(self.product, items)] if items else [],
                discount=discount,
                discount_reason="キャンペーン" if discount else "",
                method=method,
            )
            checkout.checkout(
                patient=cast.patient, appointment=self._visit(), charge=charge, by=desk
            )
        elif kind == "sell":
            charge = checkout.Charge(package=self.package, method=op[1])
            checkout.checkout(patient=cast.patient, charge=charge, by=desk)
        elif kind == "use" and tickets:
            ticket = tickets[op[1] % len(tickets)]
            charge = checkout.Charge(treatment=self.menu, ticket=ticket)
            checkout.checkout(
                patient=cast.patient, appointment=self._visit(), charge=charge, by=desk
            )
        elif kind == "void" and payments:
            checkout.void_payment(payment=payments[op[1] % len(payments)], reason="誤入力", by=desk)
        elif kind == "refund" and payments:
            _, index, amount, visits = op
            checkout.refund_payment(
                payment=payments[index % len(payments)],
                amount=amount,
                method="cash",
                reason="返金",
                return_visits=visits,
                by=desk,
            )
        elif kind == "refund_ticket" and tickets:
            ticket = tickets[op[1] % len(tickets)]
            checkout.refund_ticket(ticket=ticket, method="cash", reason="解約", by=desk)

    @RUNS
    @given(ops=st.lists(operation, max_size=14))
    def test_no_sequence_breaks_the_ledger(self, ops):
        for op in ops:
            try:
                self._apply(op)
            except ValidationError:
                pass  # refused: nothing of it may be written, which the checks below see
        self._check_tickets()
        self._check_numbers()
        self._check_refunds()
        self._check_the_day()

    def _check_tickets(self):
        for ticket in Ticket.objects.all():
            assert 0 <= ticket.visits_left <= ticket.visits
            if ticket.closed_at is not None:
                assert ticket.visits_left == 0
                continue
            used = ticket.uses.filter(kind=LineKind.TICKET_USE, payment__voided_at__isnull=True)
            returned = ticket.refunds.aggregate(n=Sum("visits_returned"))["n"] or 0
            assert ticket.visits_left == ticket.visits - used.count() + returned

    def _check_numbers(self):
        numbers = sorted(Payment.objects.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        self.cast.clinic.refresh_from_db()
        assert self.cast.clinic.next_receipt_number == len(numbers) + 1

    def _check_refunds(self):
        for payment in Payment.objects.all():
            given_back = payment.refunds.aggregate(s=Sum("amount"))["s"] or 0
            assert given_back <= payment.total
            if payment.is_void:
                assert given_back == 0

    def _check_the_day(self):
        today = timezone.localdate()
        live = Payment.objects.filter(voided_at__isnull=True, business_day=today)
        taken = live.aggregate(s=Sum("total"))["s"] or 0
        refunded = Refund.objects.filter(business_day=today).aggregate(s=Sum("amount"))["s"] or 0
        figures = takings.figures(self.cast.frontdesk, today, today)
        assert (figures.taken, figures.refunded) == (taken, refunded)
        assert figures.net == taken - refunded
        assert figures.payment_count == live.count()
        (row,) = takings.month_days(self.cast.frontdesk, today, today)
        assert sum(row.taken.values()) - row.refunded == figures.net
