"""The desk's till: check a visit out, sell without a visit, look at a payment, void it, refund
it, refund a ticket's unused visits. Front desk and admin only (they take the money)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import access
from patients import checkout, selectors
from patients.till_forms import (
    CHECKOUT_FIELDS,
    CheckoutForm,
    RefundForm,
    TicketRefundForm,
    VoidForm,
)


def _refused_into(form, refused: ValidationError, fields=None) -> None:
    """Put a service's refusal next to the field it is about (or on top of the form)."""
    fields = fields or {}
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for name, errors in refused.error_dict.items():
        target = fields.get(name, name)
        if target not in form.fields:
            target = None
        for error in errors:
            form.add_error(target, error)


def _checkout_page(request, *, patient, visit=None):
    today = timezone.localdate()
    menu = visit.menu if visit else None
    form = CheckoutForm(
        access.form_data(request),
        menu=menu,
        tickets=list(selectors.usable_tickets(patient, day=today, menu=menu)) if visit else [],
        products=selectors.products_for(request.user).filter(is_active=True),
        packages=selectors.packages_for(request.user).filter(is_active=True),
        with_visit=visit is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = checkout.checkout(
                patient=patient,
                appointment=visit,
                charge=checkout.Charge(**form.charge_fields()),
                by=request.user,
            )
        except ValidationError as refused:
            _refused_into(form, refused, CHECKOUT_FIELDS)
        else:
            messages.success(
                request,
                _("Checked out: receipt No. %(number)s, ¥%(total)s.")
                % {"number": payment.number_display, "total": f"{payment.total:,}"},
            )
            return redirect("patients:payment_detail", pk=payment.pk)
    paid = visit.payments.filter(voided_at__isnull=True).first() if visit else None
    context = {"form": form, "patient": patient, "visit": visit, "paid": paid}
    return render(request, "patients/checkout.html", context)


@access.allow(*access.DESK)
def visit_checkout(request, pk):
    visit = selectors.get_appointment(request, pk)
    return _checkout_page(request, patient=visit.patient, visit=visit)


@access.allow(*access.DESK)
def patient_sale(request, pk):
    return _checkout_page(request, patient=selectors.get_patient(request, pk))


@access.allow(*access.DESK)
def payment_detail(request, pk):
    payment = selectors.get_payment(request, pk)
    context = {
        "payment": payment,
        "lines": payment.lines.select_related("ticket").all(),
        "refunds": payment.refunds.select_related("refunded_by", "ticket").all(),
        "tickets_sold": [
            line.ticket_sold
            for line in payment.lines.filter(kind="ticket_sale").select_related("ticket_sold")
        ],
        "refundable": checkout.refundable(payment),
        "can_void": checkout.can_void(payment),
    }
    return render(request, "patients/payment_detail.html", context)


@access.allow(*access.DESK)
def payment_void(request, pk):
    payment = selectors.get_payment(request, pk)
    form = VoidForm(access.form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            checkout.void_payment(
                payment=payment, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as refused:
            _refused_into(form, refused)
        else:
            messages.success(
                request,
                _("Receipt No. %(number)s is void.") % {"number": payment.number_display},
            )
            return redirect("patients:payment_detail", pk=payment.pk)
    return render(request, "patients/payment_void.html", {"payment": payment, "form": form})


@access.allow(*access.DESK)
def payment_refund(request, pk):
    payment = selectors.get_payment(request, pk)
    returnable = checkout.visits_returnable(payment)
    form = RefundForm(access.form_data(request), can_return_visits=bool(returnable))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checkout.refund_payment(
                payment=payment,
                amount=data.get("amount") or 0,
                method=data["method"],
                reason=data["reason"],
                return_visits=data.get("return_visits", False),
                by=request.user,
            )
        except ValidationError as refused:
            _refused_into(form, refused)
        else:
            messages.success(request, _("The refund is recorded."))
            return redirect("patients:payment_detail", pk=payment.pk)
    context = {"payment": payment, "form": form, "refundable": checkout.refundable(payment)}
    return render(request, "patients/payment_refund.html", context)


@access.allow(*access.DESK)
def ticket_refund(request, pk):
    ticket = selectors.get_ticket(request, pk)
    quote = (
        None
        if ticket.closed_at
        else checkout.ticket_refund_quote(ticket, today=timezone.localdate())
    )
    form = TicketRefundForm(access.form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            refund = checkout.refund_ticket(
                ticket=ticket,
                method=form.cleaned_data["method"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as refused:
            _refused_into(form, refused)
        else:
            messages.success(
                request,
                _("Refunded ¥%(amount)s; the ticket is closed.") % {"amount": f"{refund.amount:,}"},
            )
            return redirect("patients:payment_detail", pk=refund.payment_id)
    return render(
        request, "patients/ticket_refund.html", {"ticket": ticket, "quote": quote, "form": form}
    )
