"""The staff's home pages: the day's visits (patients/) beside the home-care safety alerts and the
watch list (assessments/), so they live on the floor that sees both."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from assessments import homecare, progress, selectors
from assessments.models import VisitRecordStatus
from clinic import access
from patients import calendar
from patients import selectors as patient_selectors
from patients.models import AppointmentStatus

# Beside the practitioner's "visit record" button: how far its record is.
RECORD_STATES = {
    VisitRecordStatus.DRAFT: gettext_lazy("draft"),
    VisitRecordStatus.SIGNED: gettext_lazy("signed"),
}


@access.allow(*access.DESK)
def frontdesk_home(request):
    """The desk's day: today's visits to check in, who is late, today on the calendar with the
    next free slots, and after each check-out the next booking at the plan's interval."""
    today, now = timezone.localdate(), timezone.now()
    visits = list(patient_selectors.day_appointments(request.user, today))
    waiting = [v for v in visits if v.status == AppointmentStatus.CHECKED_IN]
    menus = list(patient_selectors.menus_for(request.user).filter(is_active=True))
    menu = calendar.slot_menu(menus, None)
    ask = calendar.Request(
        days=[today],
        minutes=menu.minutes if menu else calendar.DEFAULT_MINUTES,
        slot_url=reverse("patients:book"),
        extra={"menu": menu.pk} if menu else {},
    )
    grid = calendar.build(request.user, ask, now=now)
    return render(
        request,
        "assessments/frontdesk_home.html",
        {
            "today": today,
            "visits": visits,
            "waiting": waiting,
            "late": calendar.late(visits, now=now),
            "grid": grid,
            "menu": menu,
            "free": calendar.next_free(grid, count=6),
            "next_bookings": _next_bookings(request.user, visits, now=now),
            "alerts": homecare.open_alerts(request.user.clinic_id)[:20],
        },
    )


def _next_bookings(user, visits, *, now):
    done = [v for v in visits if v.status == AppointmentStatus.COMPLETED]
    if not done:
        return []
    patient_ids = {v.patient_id for v in done}
    return calendar.next_bookings(
        user,
        done,
        intervals=selectors.visit_intervals(user, patient_ids),
        booked=patient_selectors.next_visits(user, patient_ids, after=now),
        book_url=reverse("patients:book"),
        calendar_url=reverse("patients:calendar"),
    )


@access.allow(access.Role.PRACTITIONER)
def practitioner_home(request):
    today = timezone.localdate()
    visits = list(patient_selectors.day_appointments(request.user, today, request.user.pk))
    records = selectors.visit_records_by_visit(request.user, visits)
    for visit in visits:
        record = records.get(visit.pk)
        visit.record_label = None if record is None else RECORD_STATES[record.status]
    return render(
        request,
        "assessments/practitioner_home.html",
        {
            "today": today,
            "visits": visits,
            "visit_red_flags": selectors.open_visit_red_flags(request.user)[:20],
            "alerts": homecare.open_alerts(request.user.clinic_id)[:20],
            "watch": progress.watch_list(request.user.clinic_id, today),
        },
    )
