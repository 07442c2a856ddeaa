"""The patient page and the record's disclosure export: the patient's people-side record (patients/)
with the findings and plans beside it, so the page lives on the floor that sees both."""

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessments import disclosure, timeline
from assessments import selectors as assessment_selectors
from assessments.views.assessments import assessments_of, progress_of
from clinic import access, audit
from patients import scheduling, selectors
from patients.models import ACTIVE_STATUSES
from patients.services import day_start


@access.allow(*access.STAFF)
def patient_detail(request, pk):
    patient = selectors.get_patient(request, pk)
    audit.viewed(patient, "patient_page")
    today = timezone.localdate()
    visits = patient.appointments.select_related("practitioner")
    upcoming = Q(status__in=scheduling.OPEN, end__gte=day_start(today))
    coming = list(visits.filter(upcoming).order_by("start")[:10])
    # Visits that happened (or were due): a cancelled or missed one never counts as past.
    past = list(visits.exclude(upcoming).filter(status__in=ACTIVE_STATUSES).order_by("-start")[:10])
    timeline.record_labels(patient, [*coming, *past])
    assessments = assessments_of(patient, request.user)
    return render(
        request,
        "assessments/patient_detail.html",
        {
            "patient": patient,
            "age": patient.age_on(today),
            "upcoming": coming,
            "past": past,
            "consents": patient.consents.select_related("recorded_by")[:6],
            "assessments": assessments,
            "timeline": timeline.timeline(patient, request.user, assessments),
            "progress": progress_of(patient, request.user, today),
            # the till's panel: tickets for all staff, payments for the desk and admins only
            "tickets": assessment_selectors.open_tickets_of(request.user, patient, today=today),
            "payments": assessment_selectors.last_payments_of(request.user, patient),
        },
    )


def _disclosure(request, pk, suffix: str, render, content_type: str):
    patient = selectors.get_patient(request, pk)
    audit.exported(patient, f"disclosure.{suffix}")
    response = HttpResponse(render(disclosure.build(patient)), content_type=content_type)
    filename = f"record-{patient.number_display}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access.allow(*access.ADMIN)
def patient_export_json(request, pk):
    return _disclosure(request, pk, "json", disclosure.to_json, "application/json")


@access.allow(*access.ADMIN)
def patient_export_pdf(request, pk):
    return _disclosure(request, pk, "pdf", disclosure.to_pdf, "application/pdf")
