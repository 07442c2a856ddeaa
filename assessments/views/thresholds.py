from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments import selectors, thresholds
from assessments.forms import ThresholdForm
from assessments.rules.measures import MEASURE_BY_CODE, MEASURES
from clinic import access


@access.allow(*access.CLINICAL)
def threshold_list(request):
    overrides = {row.measure: row for row in selectors.thresholds_for(request.user)}
    rows = [{"measure": m, "override": overrides.get(m.code)} for m in MEASURES]
    return render(request, "assessments/thresholds.html", {"rows": rows})


@access.allow(*access.ADMIN)
def threshold_edit(request, code):
    measure = MEASURE_BY_CODE.get(code)
    if measure is None:
        raise Http404
    row = selectors.thresholds_for(request.user).filter(measure=code).first()
    initial = {
        "threshold": row.threshold if row else Decimal(str(measure.default_threshold)),
        "note": row.note if row else "",
    }
    form = ThresholdForm(access.form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        thresholds.set_threshold(
            clinic_id=request.user.clinic_id, measure=code, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Threshold saved: new screenings use it."))
        return redirect("assessments:thresholds")
    return render(
        request,
        "assessments/threshold_form.html",
        {"form": form, "measure": measure, "override": row},
    )
