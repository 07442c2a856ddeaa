"""Receipts (領収書) and the patient's view of their money: the desk prints a payment's receipt;
a patient lists their own receipts and prepaid tickets and downloads their own receipts.
Practitioners print no receipt (403). Each print is a `ReceiptIssue` (patients/receipts.py)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessments import receipts, selectors
from clinic import access
from patients import selectors as patient_selectors


def _pdf(document: receipts.ReceiptFile) -> HttpResponse:
    response = HttpResponse(document.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


@access.allow(*access.DESK)
def payment_receipt(request, pk):
    payment = patient_selectors.get_payment(request, pk)
    return _pdf(receipts.receipt_pdf(payment=payment, by=request.user))


@access.allow(*access.PATIENT)
def portal_money(request):
    patient = patient_selectors.own_patient_record(request)
    today = timezone.localdate()
    return render(
        request,
        "assessments/portal_money.html",
        {
            "patient": patient,
            "payments": selectors.payments_of(patient),
            "tickets": selectors.tickets_of(patient, today=today),
        },
    )


@access.allow(*access.PATIENT)
def portal_receipt(request, pk):
    payment = selectors.get_own_payment(request, pk)
    return _pdf(receipts.receipt_pdf(payment=payment, by=request.user))
