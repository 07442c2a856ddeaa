"""The day's and the month's figures (patients/takings.py) against sums made by hand: voids left
out, refunds on the day they were given, discounts as their own row, a practitioner's own only,
another clinic's never; and the month's queries the same for 3 payments as for 300."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Role
from patients import checkout, takings
from tests.factories import MenuFactory, ProductFactory, TicketPackageFactory, UserFactory
from tests.patients.till import seen_visit

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def pay(cast, charge, *, day, practitioner=None, menu=None, hour=12):
    """A payment taken at `hour` on `day` (a visit's, when `practitioner` treated one)."""
    visit = None
    if practitioner is not None:
        visit = seen_visit(cast.patient, practitioner, menu=menu, start=at(day, hour - 1))
    return checkout.checkout(
        patient=cast.patient, charge=charge, appointment=visit, by=cast.frontdesk, now=at(day, hour)
    )


@pytest.fixture
def day():
    return timezone.localdate() - dt.timedelta(days=3)


@pytest.fixture
def ledger(ours, theirs, day):
    """One day of ours, with a sum made by hand for each figure; and a day of theirs."""
    menu = MenuFactory(clinic=ours.clinic, name="整体60分", price=6600)
    product = ProductFactory(clinic=ours.clinic, name="膝サポーター", price=3300)
    package = TicketPackageFactory(clinic=ours.clinic, name="5回券", price=24000, menu=menu)
    other = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, display_name="施術 美咲")
    before = day - dt.timedelta(days=1)
    earlier = pay(ours, checkout.Charge(treatment=menu), day=before, practitioner=other)
    cash = pay(ours, checkout.Charge(treatment=menu), day=day, practitioner=ours.practitioner)
    card = pay(
        ours,
        checkout.Charge(
            treatment=menu,
            items=[(product, 1)],
            discount=600,
            discount_reason="回数券のご案内",
            method="card",
        ),
        day=day,
        practitioner=other,
        hour=13,
    )
    sale = pay(ours, checkout.Charge(package=package, method="qr"), day=day, hour=14)
    ticket = sale.lines.get(kind="ticket_sale").ticket_sold
    pay(
        ours,
        checkout.Charge(treatment=menu, ticket=ticket),
        day=day,
        practitioner=ours.practitioner,
        menu=menu,
        hour=15,
    )
    mistake = pay(ours, checkout.Charge(items=[(product, 2)]), day=day, hour=16)
    checkout.void_payment(payment=mistake, reason="打ち間違い", by=ours.frontdesk, now=at(day, 16))
    for payment, amount in ((cash, 1000), (earlier, 500)):  # today, on today's and yesterday's
        checkout.refund_payment(
            payment=payment,
            amount=amount,
            method="cash",
            reason="説明不足",
            by=ours.frontdesk,
            now=at(day, 17),
        )
    theirs_menu = MenuFactory(clinic=theirs.clinic, price=99000)
    pay(theirs, checkout.Charge(treatment=theirs_menu), day=day, practitioner=theirs.practitioner)
    return {"menu": menu, "other": other, "cash": cash, "card": card, "mistake": mistake}


def test_the_days_totals_by_method_match_the_hand_sums(ours, ledger, day):
    figures = takings.figures(ours.frontdesk, day, day)
    assert figures.method("cash").taken == 6600
    assert figures.method("card").taken == 6600 + 3300 - 600
    assert figures.method("qr").taken == 24000
    assert figures.method("ticket").payments == 1 and figures.ticket_visits == 1
    assert figures.method("cash").refunded == 1500  # both refunds given on the day
    assert figures.taken == 6600 + 9300 + 24000
    assert figures.net == 6600 + 9300 + 24000 - 1500
    assert (figures.payment_count, figures.void_count, figures.refund_count) == (4, 1, 2)


def test_a_void_payment_is_not_counted_but_listed_with_its_reason(ours, ledger, day):
    figures = takings.figures(ours.frontdesk, day, day)
    assert figures.method("cash").payments == 1  # the void cash payment is not one of them
    voids = [p for p in takings.day_payments(ours.frontdesk, day) if p.is_void]
    assert [(p.pk, p.void_reason) for p in voids] == [(ledger["mistake"].pk, "打ち間違い")]


def test_a_refund_counts_on_the_day_it_was_given_not_the_payments(ours, ledger, day):
    before = day - dt.timedelta(days=1)
    assert takings.figures(ours.frontdesk, before, before).refunded == 0
    assert takings.figures(ours.frontdesk, before, before).taken == 6600
    refunds = list(takings.day_refunds(ours.frontdesk, day))
    assert sorted(r.amount for r in refunds) == [500, 1000]


def test_per_practitioner_sums_their_payments_and_visits(ours, ledger, day):
    rows = {row["id"]: row for row in takings.figures(ours.frontdesk, day, day).practitioners}
    assert (rows[ours.practitioner.pk]["yen"], rows[ours.practitioner.pk]["visits"]) == (6600, 2)
    assert (rows[ledger["other"].pk]["yen"], rows[ledger["other"].pk]["visits"]) == (9300, 1)
    assert (rows[None]["yen"], rows[None]["visits"]) == (24000, 0)  # the ticket sold


def test_per_menu_counts_visits_charged_and_on_a_ticket_and_discounts_apart(ours, ledger, day):
    figures = takings.figures(ours.frontdesk, day, day)
    [menu] = figures.menus
    assert (menu["name"], menu["visits"], menu["yen"], menu["ticket_visits"]) == (
        "整体60分",
        2,
        13200,
        1,
    )
    others = {row["kind"]: (row["count"], row["yen"]) for row in figures.others}
    assert others == {"item": (1, 3300), "ticket_sale": (1, 24000), "discount": (1, -600)}
    assert menu["yen"] + sum(yen for _count, yen in others.values()) == figures.taken


def test_a_practitioner_sees_only_their_own_payments(ours, ledger, day):
    mine = takings.figures(ours.practitioner, day, day)
    assert mine.taken == 6600 and mine.payment_count == 2  # the cash visit and the ticket visit
    assert mine.refunded == 1000  # the refund on their payment, not on the other's
    assert {p.practitioner_id for p in takings.day_payments(ours.practitioner, day)} == {
        ours.practitioner.pk
    }
    assert [row["id"] for row in mine.practitioners] == [ours.practitioner.pk]


def test_another_clinics_payments_never_appear(ours, theirs, ledger, day):
    assert 99000 not in [p.total for p in takings.day_payments(ours.frontdesk, day)]
    assert takings.figures(theirs.frontdesk, day, day).taken == 99000
    assert takings.figures(ours.patient_user, day, day).taken == 0


def test_the_month_has_a_row_a_day_and_the_same_totals(ours, ledger, day):
    first, last = takings.month_range(day.replace(day=1))
    rows = {row.day: row for row in takings.month_days(ours.frontdesk, first, last)}
    assert len(rows) == last.day
    assert (rows[day].taken, rows[day].refunded, rows[day].ticket_visits) == (
        {"cash": 6600, "card": 9300, "qr": 24000},
        1500,
        1,
    )
    month = takings.figures(ours.frontdesk, first, last)
    assert month.net == sum(row.net for row in rows.values())


def _month_queries(client, user, month: dt.date) -> int:
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("patients:till_month"), {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as selector:
        first, last = takings.month_range(month)
        takings.figures(user, first, last)
        takings.month_days(user, first, last)
    return len(page), len(selector)


def _payments(cast, menu, first, count):
    for n in range(count):
        day = first + dt.timedelta(days=n % 28)
        method = ("cash", "card", "qr")[n % 3]
        pay(cast, checkout.Charge(treatment=menu, method=method), day=day, hour=9 + n % 8)


def test_the_months_queries_are_the_same_for_3_payments_and_for_300(ours, login):
    menu = MenuFactory(clinic=ours.clinic, price=5500)
    large = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    small = (large - dt.timedelta(days=1)).replace(day=1)
    _payments(ours, menu, small, 3)
    _payments(ours, menu, large, 300)
    client = login(ours.frontdesk)
    client.get(reverse("patients:till_month"))  # the session's first reads, once
    assert _month_queries(client, ours.frontdesk, small) == _month_queries(
        client, ours.frontdesk, large
    )
    first, last = takings.month_range(large)
    assert takings.figures(ours.frontdesk, first, last).payment_count == 300
