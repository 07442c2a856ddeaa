"""The clinic's outcomes page and its CSV (assessments/outcomes.py computes them)."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import outcomes
from assessments.forms import OutcomesForm
from assessments.models.findings import Laterality, Region
from assessments.rules.measures import MEASURES
from clinic import access, audit


def _period(request):
    """(the filter form, the period it asks for or None while it has errors)."""
    today = timezone.localdate()
    practitioners = access.practitioners_for(request.user.clinic_id)
    data = request.GET if request.GET else None
    form = OutcomesForm(data, practitioners=practitioners, initial=OutcomesForm.defaults(today))
    if data is None:
        values = OutcomesForm.defaults(today)
        return form, outcomes.Period(clinic_id=request.user.clinic_id, **values)
    if not form.is_valid():
        return form, None
    chosen = form.cleaned_data
    return form, outcomes.Period(
        clinic_id=request.user.clinic_id,
        start=chosen["start"],
        end=chosen["end"],
        practitioner_id=chosen["practitioner"].pk if chosen["practitioner"] else None,
        region=chosen["region"],
    )


@access.allow(*access.CLINICAL)
def outcomes_page(request):
    form, period = _period(request)
    numbers = None
    if period is not None:
        numbers = outcomes.summary(period, today=timezone.localdate())
        regions, sides = dict(Region.choices), dict(Laterality.choices)
        for group in numbers["groups"]:
            group["region_label"] = regions.get(group["region"], _("Not recorded"))
            group["side_label"] = sides.get(group["side"], "—")
    return render(
        request,
        "assessments/outcomes.html",
        {
            "form": form,
            "numbers": numbers,
            "period": period,
            "query": request.GET.urlencode(),
            "adherence_days": outcomes.ADHERENCE_DAYS,
            "meaningful": outcomes.MEANINGFUL_PAIN_CHANGE,
        },
    )


class _Echo:
    def write(self, value):
        return value


def _header() -> list[str]:
    header = [
        _("Patient number"),
        _("Where it hurts"),
        _("Side"),
        _("Assessments in the period"),
        _("Pain, first (0-10)"),
        _("Pain, latest (0-10)"),
    ]
    header += [_("%(measure)s: difference, first") % {"measure": m.label} for m in MEASURES]
    header += [_("%(measure)s: difference, latest") % {"measure": m.label} for m in MEASURES]
    header += [
        _("Days with home exercises done, last %(days)s days") % {"days": outcomes.ADHERENCE_DAYS},
        _("PSFS average, first"),
        _("PSFS average, latest"),
    ]
    return header


def _csv(period):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet software reads UTF-8 Japanese correctly
    yield writer.writerow(_header())
    regions, sides = dict(Region.choices), dict(Laterality.choices)
    for number, region, side, *values in outcomes.csv_rows(period, today=timezone.localdate()):
        yield writer.writerow([number, regions.get(region, ""), sides.get(side, ""), *values])


@access.allow(*access.CLINICAL)
def outcomes_csv(request):
    form, period = _period(request)
    if period is None:
        # the errors are shown next to the fields, rather than exporting what was not asked
        return redirect(f"{reverse('assessments:outcomes')}?{request.GET.urlencode()}")
    audit.exported(request.user.clinic, f"outcomes.csv?{request.GET.urlencode()}".rstrip("?"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv(period), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{stamp}.csv"'
    return response
