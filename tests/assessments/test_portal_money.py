"""The patient's view of their money (their receipts and prepaid tickets, on the portal), and the
same on the staff patient page: the desk sees tickets and the last payments, a practitioner the
tickets only (visits left), never a payment."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients import checkout
from patients.models import ReceiptIssue, Ticket
from tests.factories import PatientFactory, UserFactory
from tests.patients.till import cast_payment, cast_ticket, cast_till_menu

pytestmark = pytest.mark.django_db
MONEY = reverse("assessments:portal_money")


def _page(client, url=MONEY):
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def _age(ticket, **fields):
    """Move a ticket in time or use it up (test set-up: the till has no such write)."""
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


def test_the_patient_sees_their_receipts_and_their_tickets_with_the_terms_as_sold(ours, login):
    payment, ticket = cast_payment(ours), cast_ticket(ours)
    ticket.package.terms, ticket.package.terms_version = "新しい規約", "2099-01"
    ticket.package.save()  # a later change of the type never reaches a ticket already sold
    _response, page = _page(login(ours.patient_user))
    assert payment.number_display in page and "6,600" in page and "24,000" in page
    assert reverse("assessments:portal_receipt", args=[payment.pk]) in page
    assert "5回券" in page and "残り5/5回" in page
    assert ticket.valid_until.strftime("%Y") in page
    assert ticket.terms in page and "2026-12" in page
    assert "新しい規約" not in page and "2099-01" not in page


def test_the_patient_sees_no_other_patients_money(ours, theirs, login):
    cast_payment(theirs)
    other_user = UserFactory(clinic=ours.clinic, role="patient", username="hk-other-pt2")
    other = PatientFactory(clinic=ours.clinic, portal_user=other_user)
    sale = checkout.checkout(
        patient=other, charge=checkout.Charge(treatment=cast_till_menu(ours)), by=ours.frontdesk
    )
    response, page = _page(login(ours.patient_user))
    assert response.context["payments"] == [] and response.context["tickets"] == []
    assert reverse("assessments:portal_receipt", args=[sale.pk]) not in page


def test_a_ticket_says_whether_it_is_valid_used_up_expired_or_closed(ours, login):
    ticket = cast_ticket(ours)
    client = login(ours.patient_user)
    states = {}
    today = timezone.localdate()
    for label, fields in (
        ("open", {}),
        ("used_up", {"visits_left": 0}),
        ("expired", {"visits_left": 3, "valid_until": today - dt.timedelta(days=1)}),
        ("closed", {"closed_at": timezone.now()}),
    ):
        _age(ticket, **fields)
        response, page = _page(client)
        states[label] = response.context["tickets"][0].state
    assert states == {k: k for k in states}
    assert "終了（返金・取消）" in page


def test_a_ticket_running_out_within_30_days_is_marked(ours, login):
    ticket = cast_ticket(ours)
    _age(ticket, valid_until=timezone.localdate() + dt.timedelta(days=10))
    response, page = _page(login(ours.patient_user))
    assert response.context["tickets"][0].expiring and "text-danger" in page


def test_the_patient_downloads_their_own_receipt_and_it_is_recorded(ours, login):
    payment = cast_payment(ours)
    url = reverse("assessments:portal_receipt", args=[payment.pk])
    response = login(ours.patient_user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    issue = ReceiptIssue.objects.get()
    assert (issue.payment, issue.issued_by) == (payment, ours.patient_user)


def test_a_void_or_refunded_payment_is_marked_in_the_list(ours, login):
    payment = cast_payment(ours)
    checkout.refund_payment(
        payment=payment, amount=1000, method="cash", reason="返金", by=ours.frontdesk
    )
    other = checkout.checkout(
        patient=ours.patient, charge=checkout.Charge(treatment=cast_till_menu(ours)), by=ours.admin
    )
    checkout.void_payment(payment=other, reason="誤り", by=ours.admin)
    response, page = _page(login(ours.patient_user))
    refunded = {p.pk: p.refunded for p in response.context["payments"]}
    assert refunded == {payment.pk: 1000, other.pk: 0}
    assert "¥1,000返金" in page and "取消" in page


def test_staff_may_not_open_the_portal_pages(ours, login):
    payment = cast_payment(ours)
    for user in (ours.frontdesk, ours.practitioner, ours.admin):
        client = login(user)
        assert client.get(MONEY).status_code == 403
        url = reverse("assessments:portal_receipt", args=[payment.pk])
        assert client.get(url).status_code == 403


def test_the_portal_links_to_the_money_page(ours, login):
    _response, page = _page(login(ours.patient_user), reverse("assessments:portal_home"))
    assert MONEY in page


@pytest.mark.parametrize("count", [1, 6])
def test_the_money_page_costs_the_same_queries_however_many_payments(
    ours, login, count, django_assert_num_queries
):
    for _ in range(count):
        cast_ticket(ours)
        del ours.ticket
    client = login(ours.patient_user)
    client.get(MONEY)
    # session, user, the patient record, the payments (with refunds), the tickets
    with django_assert_num_queries(5):
        client.get(MONEY)


# The staff patient page's panel --------------------------------------------------------------


def _patient_page(client, cast):
    return _page(client, reverse("assessments:patient_detail", args=[cast.patient.pk]))


def test_the_desk_sees_open_tickets_and_the_last_payments_with_their_receipts(ours, login):
    payment, ticket = cast_payment(ours), cast_ticket(ours)
    _age(ticket, valid_until=timezone.localdate() + dt.timedelta(days=20))
    response, page = _patient_page(login(ours.frontdesk), ours)
    assert [t.pk for t in response.context["tickets"]] == [ticket.pk]
    assert 'class="text-danger fw-bold expiring"' in page
    assert payment.number_display in page and "¥6,600" in page
    assert reverse("assessments:payment_receipt", args=[payment.pk]) in page


def test_a_used_up_expired_or_closed_ticket_is_not_listed_as_open(ours, login):
    ticket = cast_ticket(ours)
    client = login(ours.frontdesk)
    today = timezone.localdate()
    for fields in (
        {"visits_left": 0},
        {"visits_left": 5, "valid_until": today - dt.timedelta(days=1)},
        {"valid_until": today + dt.timedelta(days=90), "closed_at": timezone.now()},
    ):
        _age(ticket, **fields)
        response, _page_text = _patient_page(client, ours)
        assert response.context["tickets"] == []


def test_a_practitioner_sees_the_tickets_but_no_payment(ours, login):
    payment, ticket = cast_payment(ours), cast_ticket(ours)
    response, page = _patient_page(login(ours.practitioner), ours)
    assert [t.pk for t in response.context["tickets"]] == [ticket.pk]
    assert response.context["payments"] == [] and 'id="last-payments"' not in page
    assert reverse("assessments:payment_receipt", args=[payment.pk]) not in page
    assert "6,600" not in page and "24,000" not in page


def test_the_desks_patient_page_costs_the_same_queries_for_1_or_6_payments(ours, login):
    cast_ticket(ours)
    client = login(ours.frontdesk)
    url = reverse("assessments:patient_detail", args=[ours.patient.pk])
    counts = []
    for _ in range(2):
        for _ in range(1 if not counts else 5):
            checkout.checkout(
                patient=ours.patient,
                charge=checkout.Charge(treatment=cast_till_menu(ours)),
                by=ours.frontdesk,
            )
        client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as counted:
            client.get(url)
        counts.append(len(counted.captured_queries))
    assert counts[0] == counts[1]
