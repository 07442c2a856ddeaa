"""Reads the patients' views share, each scoped through `clinic.access` (404 for another
clinic's ids, nothing for a role that may not see them)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clinic import access, pagination
from clinic.models import Role, holding
from patients import normalize, scheduling, search, services
from patients.models import (
    ACTIVE_STATUSES,
    Appointment,
    Closure,
    DayOff,
    Menu,
    Patient,
    Payment,
    Product,
    Shift,
    Ticket,
    TicketPackage,
)

# Buttons say what they do; the badge beside them says where the visit is.
ACTION_LABELS = {
    scheduling.CHECKED_IN: gettext_lazy("Check in"),
    scheduling.IN_SESSION: gettext_lazy("Start session"),
    scheduling.COMPLETED: gettext_lazy("Finish session"),
    scheduling.BOOKED: gettext_lazy("Undo check-in"),
    scheduling.NO_SHOW: gettext_lazy("Mark no-show"),
    scheduling.CANCELLED: gettext_lazy("Cancel visit"),
}
# These cannot be undone: the button asks first.
CONFIRM_ACTIONS = {scheduling.NO_SHOW, scheduling.CANCELLED, scheduling.COMPLETED}


def patients_for(user):
    return access.scoped(user, Patient.objects.all(), roles=access.STAFF)


LIST_ORDER = ("family_name_kana", "given_name_kana", "id")


def patient_page(user, *, query="", archived=False, after=None, before=None, per_page):
    """One page of the clinic's patients in kana order, after or before a cursor
    (clinic.pagination), with a count capped at pagination.COUNT_CAP.

    The list walks its index from the cursor. A search (patients.search) collects the ordering
    keys of at most COUNT_CAP + 1 matches through the trigram index, orders those here and reads
    the page's rows by id: no search reads more than that, however large the clinic, and no
    planner can choose to walk the whole list looking for matches. A search matching more than
    COUNT_CAP patients lists none and asks for more of the name (`too_many`): ordering tens of
    thousands of 佐藤 to show 25 would read them all, and the desk needs a narrower search then."""
    listed = patients_for(user).filter(is_archived=archived)
    after, before = access.parse_id(after), access.parse_id(before)
    if not normalize.fold(query):
        page = pagination.keyset_page(
            listed, order=LIST_ORDER, per_page=per_page, after=after, before=before
        )
    else:
        cap = pagination.COUNT_CAP
        scope = search.Scope(clinic_id=user.clinic_id, archived=archived, limit=cap + 1)
        found = search.matching(listed, query, scope).order_by()
        keys = list(found.values_list(*LIST_ORDER)[: cap + 1])
        if len(keys) > cap:
            # Too many to list; a patient number typed in full is still shown (digits match
            # phones too, so 9012 alone can match more than the cap).
            number = search.exact_number(query)
            exact = list(listed.filter(number=number)) if number is not None else []
            page = pagination.KeysetPage(exact, pagination.Count(cap, True))
        else:
            page = pagination.keys_page(listed, keys, per_page=per_page, after=after, before=before)
    page.extra["hint"] = search.hint(query)
    page.extra["too_many"] = page.count.capped and bool(normalize.fold(query))
    return page


def get_patient(request, pk):
    return get_object_or_404(patients_for(request.user), pk=pk)


def appointments_for(user):
    """The clinic's visits for staff; a patient's own visits for that patient."""
    if access.role_of(user) == Role.PATIENT:
        return access.scoped(
            user, Appointment.objects.filter(patient__portal_user=user), roles=access.PATIENT
        )
    return access.scoped(user, Appointment.objects.all(), roles=access.STAFF)


def get_appointment(request, pk):
    return get_object_or_404(appointments_for(request.user).select_related("patient"), pk=pk)


def own_patient_record(request):
    """The patient record of the logged-in portal account (not archived), or 404."""
    own = Patient.objects.filter(portal_user=request.user, is_archived=False)
    return get_object_or_404(access.scoped(request.user, own, roles=access.PATIENT))


def _day_bounds(day: dt.date):
    return services.day_start(day), services.day_start(day + dt.timedelta(days=1))


def day_appointments(user, day: dt.date, practitioner_id=None):
    start, end = _day_bounds(day)
    visits = appointments_for(user).filter(start__gte=start, start__lt=end)
    if practitioner_id:
        visits = visits.filter(practitioner_id=practitioner_id)
    visits = visits.select_related("patient", "practitioner", "menu").order_by("start", "id")
    live = Payment.objects.filter(appointment=OuterRef("pk"), voided_at__isnull=True)
    visits = visits.annotate(is_paid=Exists(live))
    roles, now = access.roles_of(user), timezone.now()
    for visit in visits:
        steps = scheduling.next_steps(visit.status, roles, services.visit_time(visit, now))
        # Cancelling asks why: a link to its form, not a one-click button.
        visit.can_cancel = scheduling.CANCELLED in steps
        visit.action_choices = [
            (step, ACTION_LABELS[step], step in CONFIRM_ACTIONS)
            for step in steps
            if step != scheduling.CANCELLED
        ]
    return visits


# The clinic's booking set-up: menus for everyone who books, the rest for its admin.


def menus_for(user):
    return access.scoped(user, Menu.objects.all(), roles=access.STAFF)


def get_menu(request, pk):
    return access.get_scoped(request.user, Menu.objects.all(), pk, roles=access.ADMIN)


def closures_for(user, *, since: dt.date):
    """The clinic's closures from `since` on, for its admin."""
    return access.scoped(user, Closure.objects.filter(day__gte=since), roles=access.ADMIN)


def get_closure(request, pk):
    return access.get_scoped(request.user, Closure.objects.all(), pk, roles=access.ADMIN)


def get_practitioner(request, pk):
    """A practitioner of the admin's clinic (active or not), for their shifts and days off."""
    staff = access.staff_for(request.user).filter(holding(Role.PRACTITIONER))
    return access.get_scoped(request.user, staff, pk, roles=access.ADMIN)


def days_off_for(user, *, practitioner, since: dt.date):
    return access.scoped(
        user,
        DayOff.objects.filter(practitioner=practitioner, day__gte=since),
        roles=access.ADMIN,
    )


def get_day_off(request, pk):
    return access.get_scoped(
        request.user, DayOff.objects.select_related("practitioner"), pk, roles=access.ADMIN
    )


def visits_on(user, day: dt.date, *, practitioner_id=None) -> int:
    """How many visits still hold time on `day` (for the warning when it is closed)."""
    start, end = _day_bounds(day)
    visits = appointments_for(user).filter(
        start__gte=start, start__lt=end, status__in=ACTIVE_STATUSES
    )
    if practitioner_id:
        visits = visits.filter(practitioner_id=practitioner_id)
    return visits.count()


# The calendar's reads.


def calendar_visits(user, *, first: dt.date, last: dt.date, practitioner_id=None):
    """The visits holding time from `first` to `last` (cancelled and missed ones do not), with
    their patient, practitioner and menu: one query, however many weeks the clinic has."""
    start, end = services.day_start(first), services.day_start(last + dt.timedelta(days=1))
    visits = appointments_for(user).filter(
        start__gte=start, start__lt=end, status__in=ACTIVE_STATUSES
    )
    if practitioner_id:
        visits = visits.filter(practitioner_id=practitioner_id)
    return visits.select_related("patient", "practitioner", "menu").order_by("start", "id")


MATCHES_SHOWN = 8


def patient_matches(user, query: str):
    """The first patients (not archived) the desk's search finds for a name, kana, number or
    phone: the booking form's "find the patient" list. None for an empty query."""
    if not normalize.fold(query or ""):
        return []
    page = patient_page(user, query=query, per_page=MATCHES_SHOWN)
    return list(page)


def bookable_patient(user, pk):
    """A patient of the user's clinic who may be booked (not archived), or None."""
    return patients_for(user).filter(pk=pk, is_archived=False).first() if pk else None


def next_visits(user, patient_ids, *, after: dt.datetime) -> dict:
    """Each patient's first visit booked after `after` (one query for them all)."""
    found = appointments_for(user).filter(
        patient_id__in=list(patient_ids), start__gt=after, status__in=scheduling.OPEN
    )
    first = {}
    for visit in found.order_by("start"):
        first.setdefault(visit.patient_id, visit)
    return first


def practitioners_with_shifts(user):
    """The clinic's practitioners, each with `has_shifts` (the hours page, in one query)."""
    shifts = Shift.objects.filter(practitioner=OuterRef("pk"))
    staff = access.staff_for(user).filter(holding(Role.PRACTITIONER), is_active=True)
    return access.scoped(
        user, staff.annotate(has_shifts=Exists(shifts)), roles=access.ADMIN
    ).order_by("display_name", "username")


# The till ------------------------------------------------------------------------------------


def payments_for(user):
    """The clinic's payments, for the desk and the admin (who take them)."""
    return access.scoped(user, Payment.objects.all(), roles=access.DESK)


def get_payment(request, pk):
    found = payments_for(request.user).select_related("patient", "appointment", "taken_by")
    return get_object_or_404(found, pk=pk)


def tickets_for(user):
    return access.scoped(user, Ticket.objects.all(), roles=access.DESK)


def get_ticket(request, pk):
    return get_object_or_404(tickets_for(request.user).select_related("patient"), pk=pk)


def usable_tickets(patient, *, day, menu=None):
    """The patient's tickets that can pay for a visit of `menu` on `day`."""
    found = patient.tickets.filter(
        closed_at__isnull=True, visits_left__gt=0, valid_from__lte=day, valid_until__gte=day
    )
    if menu is not None:
        found = found.filter(Q(menu__isnull=True) | Q(menu=menu))
    return found.order_by("valid_until", "id")


def products_for(user):
    return access.scoped(user, Product.objects.all(), roles=access.DESK)


def get_product(request, pk):
    return access.get_scoped(request.user, Product.objects.all(), pk, roles=access.ADMIN)


def packages_for(user):
    return access.scoped(user, TicketPackage.objects.select_related("menu"), roles=access.DESK)


def get_package(request, pk):
    return access.get_scoped(request.user, TicketPackage.objects.all(), pk, roles=access.ADMIN)
