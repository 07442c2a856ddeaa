"""The desk's till pages: checkout of a visit and a sale, a payment, its void and refund, a
ticket's refund, and the admin's items and ticket types. Bad input comes back next to its field
with what was typed; nothing is written half-way."""

import pytest
from django.urls import reverse

from patients.models import Payment, Product, Refund, Ticket, TicketPackage
from tests.patients.till import (
    cast_package,
    cast_payment,
    cast_product,
    cast_ticket,
    cast_till_menu,
    seen_visit,
)

pytestmark = pytest.mark.django_db


def _visit(cast):
    return seen_visit(cast.patient, cast.practitioner, menu=cast_till_menu(cast))


def test_the_desk_checks_a_visit_out_in_cash(ours, login):
    visit = _visit(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:visit_checkout", kwargs={"pk": visit.pk})
    page = client.get(url)
    assert "整体60分" in page.content.decode() and "6,600" in page.content.decode()
    response = client.post(url, {"pay_with": "price", "method": "cash", "quantity_0": "1"})
    payment = Payment.objects.get(appointment=visit)
    assert response.url == reverse("patients:payment_detail", kwargs={"pk": payment.pk})
    assert (payment.total, payment.method, payment.taken_by) == (6600, "cash", ours.frontdesk)
    again = client.get(url).content.decode()
    assert 'id="already-paid"' in again


def test_items_and_a_discount_with_its_reason(ours, login):
    visit = _visit(ours)
    product = cast_product(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:visit_checkout", kwargs={"pk": visit.pk})
    posted = {
        "pay_with": "price",
        "method": "card",
        "item_0": product.pk,
        "quantity_0": "2",
        "discount": "1000",
        "discount_reason": "",
    }
    refused = client.post(url, posted)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Say why the discount is given." in text or "割引の理由" in text
    assert 'value="1000"' in text  # what was typed is kept
    assert not Payment.objects.exists()
    client.post(url, {**posted, "discount_reason": "回数券の案内"})
    payment = Payment.objects.get()
    assert payment.total == 6600 + 2 * product.price - 1000


def test_a_discount_larger_than_the_total_is_refused_next_to_the_field(ours, login):
    visit = _visit(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:visit_checkout", kwargs={"pk": visit.pk})
    response = client.post(
        url, {"pay_with": "price", "method": "cash", "discount": "9999", "discount_reason": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["discount"]
    assert not Payment.objects.exists()


def test_the_visit_is_paid_with_a_ticket(ours, login):
    ticket = cast_ticket(ours)
    visit = _visit(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:visit_checkout", kwargs={"pk": visit.pk})
    assert f'value="{ticket.pk}"' in client.get(url).content.decode()
    client.post(url, {"pay_with": str(ticket.pk), "method": "cash"})
    payment = Payment.objects.get(appointment=visit)
    ticket.refresh_from_db()
    assert (payment.total, payment.method, ticket.visits_left) == (0, "ticket", 4)


def test_a_ticket_id_not_offered_is_refused(ours, theirs, login):
    visit = _visit(ours)
    foreign = cast_ticket(theirs)
    response = login(ours.frontdesk).post(
        reverse("patients:visit_checkout", kwargs={"pk": visit.pk}),
        {"pay_with": str(foreign.pk), "method": "cash"},
    )
    assert response.status_code == 200 and response.context["form"].errors["pay_with"]
    assert not Payment.objects.filter(clinic=ours.clinic).exists()


def test_a_sale_without_a_visit_sells_a_ticket(ours, login):
    package = cast_package(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:patient_sale", kwargs={"pk": ours.patient.pk})
    client.post(url, {"pay_with": "none", "package": package.pk, "method": "qr"})
    ticket = Ticket.objects.get(patient=ours.patient)
    assert ticket.sold_on.payment.method == "qr" and ticket.visits_left == 5


def test_a_void_needs_a_reason_and_marks_the_payment(ours, login):
    payment = cast_payment(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:payment_void", kwargs={"pk": payment.pk})
    assert client.post(url, {"reason": ""}).context["form"].errors["reason"]
    client.post(url, {"reason": "別の患者さんで入力"})
    payment.refresh_from_db()
    assert payment.is_void and payment.void_reason == "別の患者さんで入力"
    page = client.get(reverse("patients:payment_detail", kwargs={"pk": payment.pk}))
    assert 'id="void-badge"' in page.content.decode()


def test_a_refund_over_what_is_left_is_refused(ours, login):
    payment = cast_payment(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:payment_refund", kwargs={"pk": payment.pk})
    response = client.post(url, {"amount": "7000", "method": "cash", "reason": "過請求"})
    assert response.context["form"].errors["amount"] and not Refund.objects.exists()
    client.post(url, {"amount": "600", "method": "cash", "reason": "過請求"})
    assert Refund.objects.get().amount == 600


def test_a_ticket_refund_shows_the_terms_and_the_sum(ours, login):
    ticket = cast_ticket(ours)
    client = login(ours.frontdesk)
    url = reverse("patients:ticket_refund", kwargs={"pk": ticket.pk})
    page = client.get(url).content.decode()
    assert ticket.terms in page and "21,600" in page  # 24,000 less its 10% fee
    client.post(url, {"method": "cash", "reason": "転居"})
    ticket.refresh_from_db()
    assert ticket.closed_at is not None and Refund.objects.get().amount == 21600
    assert 'id="nothing-refundable"' in client.get(url).content.decode()


@pytest.mark.parametrize("role", ["practitioner", "patient_user"])
def test_only_the_desk_and_the_admin_open_the_till(ours, login, role):
    client = login(getattr(ours, role))
    visit = _visit(ours)
    assert (
        client.get(reverse("patients:visit_checkout", kwargs={"pk": visit.pk})).status_code == 403
    )
    assert (
        client.get(
            reverse("patients:payment_detail", kwargs={"pk": cast_payment(ours).pk})
        ).status_code
        == 403
    )


def test_another_clinics_payment_is_not_found(ours, theirs, login):
    response = login(ours.frontdesk).get(
        reverse("patients:payment_detail", kwargs={"pk": cast_payment(theirs).pk})
    )
    assert response.status_code == 404


def test_the_admin_adds_a_ticket_type_with_its_terms(ours, login):
    client = login(ours.admin)
    url = reverse("patients:package_create")
    posted = {
        "name": "10回券",
        "visits": "60",
        "price": "60000",
        "valid_months": "12",
        "regular_price": "6600",
        "refund_fee_percent": "10",
        "terms": "未使用分は返金します。",
        "terms_version": "v1",
    }
    refused = client.post(url, posted)
    assert refused.context["form"].errors["visits"] and not TicketPackage.objects.exists()
    client.post(url, {**posted, "visits": "10"})
    assert TicketPackage.objects.get().visits == 10


def test_the_admin_takes_an_item_off_sale(ours, login):
    product = cast_product(ours)
    client = login(ours.admin)
    client.post(reverse("patients:product_on_sale", kwargs={"pk": product.pk}), {"on_sale": "0"})
    assert not Product.objects.get(pk=product.pk).is_active
    checkout_page = login(ours.frontdesk).get(
        reverse("patients:visit_checkout", kwargs={"pk": _visit(ours).pk})
    )
    assert product.name not in checkout_page.content.decode()


def test_the_desk_sees_a_check_out_button_on_seen_visits(ours, login):
    visit = _visit(ours)
    page = login(ours.frontdesk).get(reverse("patients:day_view")).content.decode()
    assert reverse("patients:visit_checkout", kwargs={"pk": visit.pk}) in page
