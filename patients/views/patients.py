from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic import access, audit
from patients import selectors, services
from patients.forms import NewPatientForm, PatientForm, PatientSearchForm


@access.allow(*access.STAFF)
def patient_list(request):
    form = PatientSearchForm(request.GET or None)
    query, archived = "", False
    if form.is_valid():
        query, archived = form.cleaned_data["q"], form.cleaned_data["archived"]
    page = selectors.patient_page(
        request.user,
        query=query,
        archived=archived,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        per_page=settings.PATIENTS_PER_PAGE,
    )
    return render(
        request,
        "patients/patient_list.html",
        {"form": form, "page": page, "query": query, "archived": archived},
    )


@access.allow(*access.STAFF)
def patient_create(request):
    form = NewPatientForm(access.form_data(request))
    duplicates = []
    if request.method == "POST" and form.is_valid():
        if not request.POST.get("confirm_duplicates"):
            duplicates = list(
                services.possible_duplicates(
                    clinic_id=request.user.clinic_id,
                    family_name_kana=form.cleaned_data["family_name_kana"],
                    given_name_kana=form.cleaned_data["given_name_kana"],
                    birth_date=form.cleaned_data["birth_date"],
                    phone=form.cleaned_data["phone"],
                )
            )
        if not duplicates:
            patient = services.register_patient(
                patient=form.save(commit=False),
                clinic_id=request.user.clinic_id,
                recorded_by=request.user,
                consents=form.consents(),
            )
            messages.success(
                request,
                _("Registered %(name)s as patient %(number)s.")
                % {"name": patient.full_name, "number": patient.number_display},
            )
            return redirect("assessments:patient_detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "duplicates": duplicates})


@access.allow(*access.STAFF)
def patient_edit(request, pk):
    patient = selectors.get_patient(request, pk)
    form = PatientForm(access.form_data(request), instance=patient)
    if request.method == "GET":
        audit.viewed(patient, "patient_edit")
    if request.method == "POST" and form.is_valid():
        ended = services.update_patient(patient=form.save(commit=False), changed=form.changed_data)
        messages.success(request, _("Saved."))
        if ended:
            messages.warning(
                request,
                _(
                    "The e-mail address changed, so portal access at the old address ended and "
                    "its links stopped working. Send a new invitation to the new address."
                ),
            )
        return redirect("assessments:patient_detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@access.allow(*access.DESK)
@require_POST
def patient_archive(request, pk):
    patient = selectors.get_patient(request, pk)
    services.archive_patient(patient=patient, by=request.user)
    messages.success(
        request, _("%(name)s was archived. Every record is kept.") % {"name": patient.full_name}
    )
    return redirect("assessments:patient_detail", pk=patient.pk)


@access.allow(*access.DESK)
@require_POST
def patient_restore(request, pk):
    patient = selectors.get_patient(request, pk)
    services.restore_patient(patient=patient)
    messages.success(request, _("%(name)s is active again.") % {"name": patient.full_name})
    return redirect("assessments:patient_detail", pk=patient.pk)
