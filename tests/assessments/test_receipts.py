"""The receipt (領収書): rendered from the payment's frozen snapshot, read back from the PDF;
the original and its reissues (ReceiptIssue rows); the void and refund marks; who may print."""

import io
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from assessments import receipts
from patients import checkout
from patients import receipts as receipt_issues
from patients.models import ReceiptIssue
from tests.factories import PatientFactory, UserFactory
from tests.patients.till import cast_payment, cast_till_menu, seen_visit

pytestmark = pytest.mark.django_db
DEDUCTION_WORDS = ("医療費", "控除", "治療費")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def change_clinic(cast, **fields):
    """Save only these fields: a stale clinic row saved whole would put its receipt counter
    back (Clinic.next_receipt_number is bumped by the checkout in the database)."""
    for name, value in fields.items():
        setattr(cast.clinic, name, value)
    cast.clinic.save(update_fields=list(fields))


def receipt_url(payment):
    return reverse("assessments:payment_receipt", args=[payment.pk])


def printed(client, payment) -> str:
    response = client.get(receipt_url(payment))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"receipt-{payment.number_display}.pdf" in response["Content-Disposition"]
    return pdf_text(response.content)


def test_the_receipt_reads_back_number_patient_lines_total_and_tax(ours, login):
    payment = cast_payment(ours)
    text = printed(login(ours.frontdesk), payment)
    assert "領収書" in text and "No. 000001" in text
    assert f"{ours.patient.full_name}" in text and "様" in text
    assert "整体60分" in text and "¥6,600" in text and "合計" in text
    assert "10%対象 ¥6,600" in text and "内消費税 ¥600" in text
    assert "施術代として" in text and "現金" in text and ours.clinic.name in text
    assert "再発行" not in text and "取消" not in text and "返金" not in text


def test_the_registration_number_is_printed_when_set_and_not_when_empty(ours, login):
    desk = login(ours.frontdesk)
    assert "登録番号" not in printed(desk, cast_payment(ours))
    change_clinic(ours, invoice_registration_number="T1234567890123")
    sale = checkout.checkout(
        patient=ours.patient,
        charge=checkout.Charge(treatment=cast_till_menu(ours)),
        by=ours.frontdesk,
    )
    assert "登録番号 T1234567890123" in printed(desk, sale)


def test_a_tax_exempt_clinic_prints_no_tax_line(ours, login):
    change_clinic(ours, tax_rate=0)
    text = printed(login(ours.frontdesk), cast_payment(ours))
    assert "¥6,600" in text and "内消費税" not in text and "対象" not in text


def test_the_first_print_is_the_original_and_every_later_one_a_reissue(ours, login):
    payment = cast_payment(ours)
    desk = login(ours.frontdesk)
    assert "再発行" not in printed(desk, payment)
    assert "再発行" in printed(desk, payment)
    # the patient's own download counts with the desk's prints
    portal = login(ours.patient_user)
    response = portal.get(reverse("assessments:portal_receipt", args=[payment.pk]))
    assert "再発行" in pdf_text(response.content)
    issues = ReceiptIssue.objects.filter(payment=payment)
    assert [issue.issued_by for issue in issues] == [
        ours.frontdesk,
        ours.frontdesk,
        ours.patient_user,
    ]


def test_a_void_payment_still_prints_marked_void(ours, login):
    payment = cast_payment(ours)
    checkout.void_payment(payment=payment, reason="打ち間違い", by=ours.frontdesk)
    text = printed(login(ours.frontdesk), payment)
    assert "取消" in text and "000001" in text and "¥6,600" in text


def test_a_refund_is_noted_below_the_total(ours, login):
    payment = cast_payment(ours)
    checkout.refund_payment(
        payment=payment, amount=1000, method="cash", reason="施術時間不足", by=ours.frontdesk
    )
    text = printed(login(ours.frontdesk), payment)
    assert "返金 ¥1,000" in text and "¥6,600" in text


def test_no_receipt_ever_says_medical_expenses_or_deduction(ours, login):
    desk = login(ours.frontdesk)
    payment = cast_payment(ours)
    texts = [printed(desk, payment), printed(desk, payment)]
    checkout.refund_payment(
        payment=payment, amount=600, method="cash", reason="返金テスト", by=ours.frontdesk
    )
    texts.append(printed(desk, payment))
    other = checkout.checkout(
        patient=ours.patient, charge=checkout.Charge(treatment=cast_till_menu(ours)), by=ours.admin
    )
    checkout.void_payment(payment=other, reason="誤り", by=ours.admin)
    texts.append(printed(desk, other))
    for text in texts:
        assert not [word for word in DEDUCTION_WORDS if word in text]


def test_the_receipt_keeps_what_it_said_at_checkout(ours, login):
    payment = cast_payment(ours)
    old_name, old_patient = ours.clinic.name, ours.patient.full_name
    change_clinic(
        ours,
        name="新しい名前の整体院",
        phone="03-9999-9999",
        invoice_registration_number="T9999999999999",
    )
    ours.patient.family_name = "改姓"
    ours.patient.save()
    menu = cast_till_menu(ours)
    menu.name, menu.price = "値上げ後のコース", 8800
    menu.save()
    text = printed(login(ours.frontdesk), payment)
    assert old_name in text and old_patient in text and "整体60分" in text and "¥6,600" in text
    for later in ("新しい名前の整体院", "03-9999-9999", "T9999999999999", "改姓", "¥8,800"):
        assert later not in text


def test_a_practitioner_may_not_print_a_receipt(ours, login):
    payment = cast_payment(ours)
    assert login(ours.practitioner).get(receipt_url(payment)).status_code == 403
    with pytest.raises(PermissionDenied):
        receipt_issues.issue_receipt(payment=payment, by=ours.practitioner)
    assert not ReceiptIssue.objects.exists()


def test_another_clinics_payment_is_not_found(ours, theirs, login):
    payment = cast_payment(theirs)
    for user in (ours.frontdesk, ours.admin):
        assert login(user).get(receipt_url(payment)).status_code == 404
    assert not ReceiptIssue.objects.exists()


def test_a_patient_cannot_fetch_another_patients_receipt(ours, theirs, login):
    other_user = UserFactory(clinic=ours.clinic, role="patient", username="hk-other-pt")
    other = PatientFactory(clinic=ours.clinic, portal_user=other_user)
    visit = seen_visit(other, ours.practitioner, menu=cast_till_menu(ours))
    theirs_payment = checkout.checkout(
        patient=other,
        appointment=visit,
        charge=checkout.Charge(treatment=cast_till_menu(ours)),
        by=ours.frontdesk,
    )
    mine = login(ours.patient_user)
    for payment in (theirs_payment, cast_payment(theirs)):
        url = reverse("assessments:portal_receipt", args=[payment.pk])
        assert mine.get(url).status_code == 404
    assert mine.get(receipt_url(cast_payment(ours))).status_code == 403  # the desk's URL
    with pytest.raises(PermissionDenied):
        receipt_issues.issue_receipt(payment=theirs_payment, by=ours.patient_user)
    assert not ReceiptIssue.objects.exists()


def test_text_from_the_records_is_printed_as_text_never_fetched(ours):
    """The snapshot's words go through an autoescaped template and the static-only fetcher."""
    snapshot = {
        **cast_payment(ours).receipt,
        "lines": [
            {
                "kind": "item",
                "description": '<img src="file:///etc/passwd"><link rel="attachment" '
                'href="http://169.254.169.254/">',
                "unit_price": 100,
                "quantity": 1,
                "amount": 100,
            }
        ],
    }
    issue = ReceiptIssue(issued_at=ours.patient.created_at)
    content = receipts.render_receipt(
        snapshot, issued=receipt_issues.Issued(issue, 1), voided=False, refunds=[]
    )
    text = pdf_text(content)
    assert "file:///etc/passwd" in text and "root:" not in text
    assert not PdfReader(io.BytesIO(content)).attachments


def test_a_visit_on_a_prepaid_ticket_reads_as_a_treatment_paid_by_ticket_with_no_tax_line():
    snapshot = {
        "number": 7,
        "day": "2026-05-03",
        "clinic": {"name": "院", "address": "", "phone": "", "registration_number": ""},
        "patient": {"name": "山田 花子", "number": "000001"},
        "lines": [
            {
                "kind": "ticket_use",
                "description": "5回券 (5回中2回目)",
                "unit_price": 0,
                "quantity": 1,
                "amount": 0,
            }
        ],
        "total": 0,
        "tax_rate": 10,
        "tax": 0,
        "method": "ticket",
    }
    issued = receipt_issues.Issued(ReceiptIssue(), 1)
    context = receipts.receipt_context(snapshot, issued=issued, voided=False, refunds=[])
    assert (context["purpose"], context["method"], context["tax"]) == ("施術代", "回数券", None)
    assert context["number"] == "000007" and context["total"] == "¥0"


def test_the_purpose_names_each_kind_of_line_once():
    lines = [{"kind": k} for k in ("treatment", "item", "item", "ticket_sale", "discount")]
    assert receipts.purpose_of(lines) == "施術代・物品代・回数券代"
    assert receipts.purpose_of([{"kind": "item"}]) == "物品代"


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_prints_at_the_same_moment_give_one_original(ours):
    payment = cast_payment(ours)
    barrier = threading.Barrier(2)
    copies = []

    def issue():
        try:
            barrier.wait(timeout=10)
            copies.append(receipt_issues.issue_receipt(payment=payment, by=ours.frontdesk).copy)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(copies) == [1, 2]
    assert ReceiptIssue.objects.filter(payment=payment).count() == 2


@pytest.mark.parametrize(
    ("total", "tax_rate", "method", "boxed"),
    [
        (54_998, 10, "cash", False),  # ¥49,999 before its ¥4,999 tax
        (55_000, 10, "cash", True),  # ¥50,000 before tax
        (49_999, 0, "cash", False),
        (50_000, 0, "qr", True),
        (110_000, 10, "card", False),  # a card payment says so: no stamp
    ],
)
def test_a_receipt_of_50000_yen_before_tax_leaves_a_box_for_the_revenue_stamp(
    total, tax_rate, method, boxed
):
    from patients import money

    snapshot = {"total": total, "tax_rate": tax_rate, "method": method}
    snapshot["tax"] = money.tax_included(total, tax_rate)
    assert receipts.needs_stamp_box(snapshot) is boxed


def test_the_revenue_stamp_box_is_printed_on_a_large_cash_receipt(ours, login):
    from tests.factories import MenuFactory

    small = cast_payment(ours)
    menu = MenuFactory(clinic=ours.clinic, name="集中コース", price=60_000)
    visit = seen_visit(ours.patient, ours.practitioner, menu=menu)
    payment = checkout.checkout(
        patient=ours.patient,
        appointment=visit,
        charge=checkout.Charge(treatment=menu),
        by=ours.frontdesk,
    )
    assert "収入印紙" in printed(login(ours.frontdesk), payment)
    assert "収入印紙" not in printed(login(ours.frontdesk), small)
