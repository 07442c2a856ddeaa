"""The till's reports (会計): the day's takings and its close, the month, the accountant's CSV and
the prepaid balances. Desk and admin see the clinic's; a practitioner sees the day and the month
of their own payments only (the selectors filter), and nothing else of the till."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic import access, audit, dates, spreadsheets
from patients import money, takings, till
from patients.forms import DayCloseForm


def _day(request):
    day, problem = dates.query_day_or_say(request.GET.get("day"), default=timezone.localdate())
    if problem:
        messages.error(request, problem)
    return day


def _month(request):
    first, problem = dates.query_month(request.GET.get("month"), default=timezone.localdate())
    if problem:
        messages.error(request, problem)
    return takings.month_range(first)


def _day_url(day) -> str:
    return f"{reverse('patients:till_day')}?day={day.isoformat()}"


@access.allow(*access.STAFF)
def till_day(request):
    day = _day(request)
    close = takings.day_close(request.user, day)
    return render(
        request,
        "patients/till_day.html",
        {
            "day": day,
            "previous_day": dates.step(day, -1),
            "next_day": dates.step(day, 1),
            "figures": takings.figures(request.user, day, day),
            "payments": takings.day_payments(request.user, day),
            "refunds": takings.day_refunds(request.user, day),
            "close": close,
            "sees_all": takings.sees_all(request.user),
            "can_close": close is None
            and takings.sees_all(request.user)
            and day <= timezone.localdate(),
        },
    )


def _refused(form, refusal: ValidationError) -> None:
    """The service's messages next to the fields they name (the day is not a field: on top)."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for name, errors in refusal.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@access.allow(*access.DESK)
def till_close(request):
    day, problem = dates.query_day_or_say(request.GET.get("day"), default=timezone.localdate())
    if problem:  # the form posts to its own address, ?day= included: never close another day
        messages.error(request, problem)
        return redirect(_day_url(day))
    if takings.day_close(request.user, day):
        messages.info(request, _("This day is already closed."))
        return redirect(_day_url(day))
    form = DayCloseForm(access.form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            till.close_day(
                clinic_id=request.user.clinic_id, day=day, by=request.user, **form.cleaned_data
            )
        except ValidationError as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("The day is closed."))
            return redirect(_day_url(day))
    figures = takings.figures(request.user, day, day)
    return render(
        request,
        "patients/till_close.html",
        {"day": day, "form": form, "cash": figures.method("cash"), "figures": figures},
    )


@access.allow(*access.STAFF)
def till_month(request):
    first, last = _month(request)
    days = takings.month_days(request.user, first, last)
    return render(
        request,
        "patients/till_month.html",
        {
            "first": first,
            "previous_month": money.add_months(first, -1) if first > dates.FIRST_DAY else first,
            "next_month": money.add_months(first, 1) if last < dates.LAST_DAY else first,
            "days": days,
            "figures": takings.figures(request.user, first, last),
            "sees_all": takings.sees_all(request.user),
        },
    )


CSV_HEADER = [
    gettext_lazy("Date"),
    gettext_lazy("Receipt number"),
    gettext_lazy("Patient number"),
    gettext_lazy("Kind"),
    gettext_lazy("Paid by"),
    gettext_lazy("Amount (yen)"),
    gettext_lazy("Consumption tax included (yen)"),
    gettext_lazy("Practitioner"),
]


def _csv(rows):
    writer = csv.writer(spreadsheets.Echo())
    yield spreadsheets.BOM
    yield writer.writerow([str(label) for label in CSV_HEADER])
    for row in rows:
        yield writer.writerow([spreadsheets.cell(value) for value in row])


@access.allow(*access.DESK)
def till_export(request):
    first, last = _month(request)
    rows = takings.export_rows(request.user, first, last)
    audit.exported(request.user.clinic, f"takings.csv?month={first:%Y-%m}")
    response = StreamingHttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="takings-{first:%Y-%m}.csv"'
    return response


@access.allow(*access.DESK)
def prepaid_report(request):
    day = _day(request)
    return render(
        request,
        "patients/till_prepaid.html",
        {
            "report": takings.prepaid_balances(request.user, day),
            "long_months": takings.LONG_VALIDITY_MONTHS,
        },
    )
