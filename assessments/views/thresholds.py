from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments.forms import ThresholdForm
from assessments.models import AsymmetryThreshold
from assessments.rules.measures import MEASURE_BY_CODE, MEASURES
from clinic import access


@access.allow(*access.CLINICAL)
def threshold_list(request):
    overrides = {
        row.measure: row
        for row in AsymmetryThreshold.objects.filter(
            clinic_id=request.user.clinic_id
        ).select_related("updated_by")
    }
    rows = [{"measure": m, "override": overrides.get(m.code)} for m in MEASURES]
    return render(request, "assessments/thresholds.html", {"rows": rows})


@access.allow(*access.ADMIN)
def threshold_edit(request, code):
    measure = MEASURE_BY_CODE.get(code)
    if measure is None:
        raise Http404
    row = AsymmetryThreshold.objects.filter(clinic_id=request.user.clinic_id, measure=code).first()
    initial = {
        "threshold": row.threshold if row else Decimal(str(measure.default_threshold)),
        "note": row.note if row else "",
    }
    form = ThresholdForm(access.form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        AsymmetryThreshold.objects.update_or_create(
            clinic_id=request.user.clinic_id,
            measure=code,
            defaults={**form.cleaned_data, "updated_by": request.user},
        )
        messages.success(request, _("Threshold saved: new screenings use it."))
        return redirect("assessments:thresholds")
    return render(
        request,
        "assessments/threshold_form.html",
        {"form": form, "measure": measure, "override": row},
    )
