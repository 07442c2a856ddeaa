"""The clinic admin's reading of the audit trail: filter by patient, staff member, date and kind;
export what the filter shows as CSV; check the hash chain."""

import csv

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from clinic import access, audit, dates, pagination, spreadsheets
from clinic.audit_display import describe, related_names
from clinic.models import AuditEntry

KIND_CHOICES = [
    ("change", gettext_lazy("Created, changed or removed")),
    ("view", gettext_lazy("Viewed")),
    ("download", gettext_lazy("Downloaded")),
    ("export", gettext_lazy("Exported")),
    ("login", gettext_lazy("Logged in or out, failed log-ins")),
    ("refused", gettext_lazy("Refused pages")),
]
CHANGE_ACTIONS = [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.DELETE]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilter(django_filters.FilterSet):
    patient = django_filters.NumberFilter(
        field_name="patient__number",
        label=gettext_lazy("Patient number"),
        min_value=1,
        max_value=99_999_999,  # patient numbers have at most 8 digits; larger is not an int
    )
    # One staff member by id (the links from the staff page and from a row's name), kept as a
    # hidden field: a list of every staff member would grow with the clinic (a chain's admin
    # may see hundreds). Found by name below instead.
    actor = django_filters.ModelChoiceFilter(
        queryset=None, label=gettext_lazy("Staff member"), widget=forms.HiddenInput
    )
    staff = django_filters.CharFilter(
        method="by_staff_name",
        label=gettext_lazy("Staff member (name or login name)"),
        max_length=60,
    )
    # Patients by search, not in the list: a clinic has thousands of patient accounts.
    patient_account = django_filters.CharFilter(
        method="by_patient_account",
        label=gettext_lazy("Done by a patient (number or name)"),
        max_length=60,
    )
    since = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__gte",
        label=gettext_lazy("From"),
        widget=DATE,
        validators=[dates.validate_in_calendar],
    )
    until = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__lte",
        label=gettext_lazy("Until"),
        widget=DATE,
        validators=[dates.validate_in_calendar],
    )
    kind = django_filters.ChoiceFilter(
        choices=KIND_CHOICES, method="by_kind", label=gettext_lazy("What happened")
    )

    class Meta:
        model = AuditEntry
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff = access.staff_for(user).order_by("-is_active", "display_name", "username")
        self.filters["actor"].queryset = staff
        self.form.fields["actor"].queryset = staff

    def by_staff_name(self, queryset, name, value):
        """Entries of staff accounts whose name or login name holds every word typed."""
        for word in value.replace("\u3000", " ").split():
            queryset = queryset.filter(
                Q(actor__display_name__icontains=word) | Q(actor__username__icontains=word)
            )
        return queryset.filter(actor__role__in=access.STAFF) if value.strip() else queryset

    def by_patient_account(self, queryset, name, value):
        """The entries of the patient's own account (their portal): by patient number, or by
        a part of the name as written or in kana."""
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(actor__patient_record__number=int(value[:9]))
        words = value.replace("\u3000", " ").split()
        for word in words:
            queryset = queryset.filter(
                Q(actor__patient_record__family_name__icontains=word)
                | Q(actor__patient_record__given_name__icontains=word)
                | Q(actor__patient_record__family_name_kana__icontains=word)
                | Q(actor__patient_record__given_name_kana__icontains=word)
            )
        return queryset.filter(actor__role=access.Role.PATIENT)

    def by_kind(self, queryset, name, value):
        if value == "change":
            return queryset.filter(action__in=CHANGE_ACTIONS)
        events = {
            "login": [audit.LOGIN, audit.LOGOUT, audit.LOGIN_FAILED, audit.LOCKED_OUT],
            "refused": [audit.REFUSED],
        }.get(value, [value])
        return queryset.filter(action=AuditEntry.Action.ACCESS, additional_data__event__in=events)


def _filtered(request):
    entries = access.audit_for(request.user).select_related("content_type", "patient", "actor")
    return AuditFilter(request.GET or None, queryset=entries.order_by("-id"), user=request.user)


@access.allow(*access.ADMIN)
def audit_list(request):
    """Newest first, 50 a page by keyset (`?before=` / `?after=` an entry's id), with a count
    that stops at 1,000: the same queries however long the trail and however many people."""
    trail = _filtered(request)
    entries = trail.qs if trail.form.is_valid() or not trail.is_bound else trail.qs.none()
    page = pagination.newest_first_page(entries, request.GET)
    related = related_names(page.rows)
    rows = [_row(entry, related) for entry in page.rows]
    count = pagination.capped_count(entries)
    # Reading the trail is in the trail too (after the page was read, so it shows next time).
    audit.viewed(request.user.clinic, f"audit_list?{request.GET.urlencode()}".rstrip("?"))
    query, everyone = _queries(request)
    return render(
        request,
        "clinic/audit_list.html",
        {
            "filter": trail,
            "page": page,
            "rows": rows,
            "query": query,
            "query_without_actor": everyone,
            "count": count.value,
            "more": count.capped,
            "chosen": trail.form.cleaned_data.get("actor") if trail.form.is_valid() else None,
        },
    )


def _queries(request) -> tuple[str, str]:
    """The filter's query string without the cursor (for the page links and the CSV), and that
    without the staff member too (for "all staff")."""
    query = request.GET.copy()
    for cursor in ("page", "before", "after"):
        query.pop(cursor, None)
    everyone = query.copy()
    everyone.pop("actor", None)
    return query.urlencode(), everyone.urlencode()


def _row(entry, related) -> dict:
    """An entry as `describe` shows it, with the staff member's id for a link to their entries."""
    row = describe(entry, related)
    actor = entry.actor
    row["staff_id"] = actor.pk if actor and actor.role in access.STAFF else None
    return row


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = [
    gettext_lazy("Time"),
    gettext_lazy("By"),
    gettext_lazy("What happened"),
    gettext_lazy("Record"),
    gettext_lazy("Record name"),
    gettext_lazy("Patient number"),
    gettext_lazy("Patient"),
    gettext_lazy("Changes"),
    gettext_lazy("Detail"),
    pgettext_lazy("network", "Address"),
    gettext_lazy("Entry"),
    gettext_lazy("Hash"),
]


def _cell(value) -> str:
    return str(spreadsheets.cell(value))


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet software reads UTF-8 Japanese correctly
    yield writer.writerow([str(label) for label in CSV_HEADER])
    for entry in entries.iterator(chunk_size=500):
        row = describe(entry)  # linked records as #id: the CSV streams, one entry at a time
        patient = entry.patient
        yield writer.writerow(
            _cell(value)
            for value in [
                row["when"].isoformat(timespec="seconds"),
                row["who"],
                row["what"],
                row["record"],
                entry.object_repr,
                patient.number_display if patient else "",
                patient.full_name if patient else "",
                "; ".join(
                    f"{label}: {before} → {after}" if before else f"{label}: {after}"
                    for label, before, after in row["changes"]
                ),
                row["detail"],
                entry.remote_addr or "",
                entry.pk,
                entry.entry_hash,
            ]
        )


@access.allow(*access.ADMIN)
def audit_export(request):
    trail = _filtered(request)
    if trail.form.is_bound and not trail.form.is_valid():
        # Shown with the errors next to the fields, rather than exporting more than was asked.
        return redirect(f"{reverse('audit_list')}?{request.GET.urlencode()}")
    entries = trail.qs
    audit.exported(request.user.clinic, f"audit.csv?{request.GET.urlencode()}".rstrip("?"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@access.allow(*access.ADMIN)
@require_POST
def audit_verify(request):
    check = audit.check_and_anchor(request.user.clinic_id, source=f"admin {request.user.pk}")
    _record_check(request.user.clinic, check)
    if check.ok:
        messages.success(
            request,
            _("The trail is intact: %(count)s entries checked, none changed or removed.")
            % {"count": check.checked},
        )
    else:
        messages.error(
            request,
            _(
                "The trail has been altered outside the application at entry %(id)s "
                "(after %(count)s intact entries). Keep the backups and investigate."
            )
            % {"id": check.broken_at, "count": check.checked},
        )
    return redirect("audit_list")


def _record_check(clinic, check):
    """The check itself goes into the trail (after it was walked, so it is not part of it)."""
    result = "intact" if check.ok else f"altered at {check.broken_at or 'the end'}"
    audit.viewed(clinic, f"audit_verify: {check.checked} entries, {result}")
