"""The recall list (issue 15, item 5): whom to call back, and the two ways to do it.

Who is on it (not archived, in the clinic, or for a practitioner their own patients: those
whose last completed visit was with them):
- **Next visit overdue** by more than OVERDUE_AFTER_DAYS days, with nothing booked from today
  on (booked, checked in or in session). The next visit is due on the latest signed visit
  record's "next visit suggested" when that is after the last completed visit: it is the
  practitioner's own word at the latest visit (often the plan's interval, sometimes changed for
  this patient). Otherwise it is due at the last completed visit + the current published plan's
  visit interval. A patient with neither is not on the list (nothing says when they are due).
- **Prepaid ticket about to expire**: an open ticket (not closed, visits left) valid until a
  day from today to TICKET_DAYS days ahead. Listed even with a visit booked (shown beside it):
  one booking seldom uses the visits left.
A patient contacted (any way, any reason) in the last RECENT_CONTACT_DAYS days stays on the
list, greyed, with the day.

The list runs a fixed number of queries whatever its length (one for the overdue, one for the
tickets, one for their patients, one for the last contacts).

Contacting: `send_email` and `note_call` record a RecallContact (audited like every row of
it); the e-mail leaves only once that record is committed.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import day_sql
from assessments.models import CarePlan, PlanStatus, VisitRecord, VisitRecordStatus
from clinic import mail
from patients.models import (
    Appointment,
    AppointmentStatus,
    Patient,
    RecallChannel,
    RecallContact,
    RecallReason,
    Ticket,
)

log = logging.getLogger("hikagami.recall")

OVERDUE_AFTER_DAYS = 7
TICKET_DAYS = 30
RECENT_CONTACT_DAYS = 7
MAX_ROWS = 300  # per section; the page says when there are more
NOTE_MAX = 300
UPCOMING = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_SESSION)


@dataclass(frozen=True)
class Scope:
    clinic_id: int
    practitioner_id: int | None = None  # only the patients last seen by this practitioner


@dataclass
class Row:
    patient: Patient
    reason: str  # a RecallReason
    last_visit: dt.date | None
    due_on: dt.date | None = None
    overdue_days: int | None = None
    ticket: Ticket | None = None
    booked_on: dt.date | None = None
    last_contact: RecallContact | None = None
    contacted_recently: bool = False

    @property
    def email_refusal(self) -> str | None:
        return email_refusal(self.patient)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _completed(clinic_id):
    return Appointment.objects.filter(
        clinic_id=clinic_id, status=AppointmentStatus.COMPLETED
    ).order_by()


def _upcoming(clinic_id, *, today):
    return Appointment.objects.filter(
        clinic_id=clinic_id, status__in=UPCOMING, start__gte=_midnight(today)
    ).order_by()


def _overdue_sql(scope: Scope, *, today: dt.date) -> tuple[str, tuple]:
    # Each patient's last completed visit, found on the raw start; its local day is computed for
    # that one row per patient only (SQLite casts a day in Python: once per visit of three years
    # of a clinic was most of the page's time).
    newest_first = Window(
        RowNumber(), partition_by=[F("patient_id")], order_by=[F("start").desc(), F("id").desc()]
    )
    last_ids = (
        _completed(scope.clinic_id)
        .filter(patient__is_archived=False)
        .annotate(recency=newest_first)
        .filter(recency=1)
        .values("id")
    )
    last_visits, p1 = _sql(
        Appointment.objects.filter(pk__in=last_ids)
        .order_by()
        .annotate(last_day=TruncDate("start"))
        .values("patient_id", "last_day", "practitioner_id")
    )
    plans, p2 = _sql(
        CarePlan.objects.filter(
            clinic_id=scope.clinic_id,
            status=PlanStatus.PUBLISHED,
            visit_interval_days__isnull=False,
        )
        .values("patient_id", "version", "visit_interval_days")
        .order_by()
    )
    records, p3 = _sql(
        VisitRecord.objects.filter(clinic_id=scope.clinic_id, status=VisitRecordStatus.SIGNED)
        .values("id", "patient_id", "signed_at", "next_visit_on")
        .order_by()
    )
    booked, p4 = _sql(_upcoming(scope.clinic_id, today=today).values("patient_id"))
    latest = "ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY {}) AS recency"
    today_sql = "%s"
    overdue = day_sql.days_between(today_sql, "due_on")
    own = "AND practitioner_id = %s" if scope.practitioner_id else ""
    sql = f"""
WITH last_visits AS ({last_visits}),
plans AS ({plans}),
intervals AS (
  SELECT patient_id, visit_interval_days FROM (
    SELECT patient_id, visit_interval_days, {latest.format("version DESC")} FROM plans
  ) latest WHERE recency = 1
),
records AS ({records}),
suggested AS (
  SELECT patient_id, next_visit_on FROM (
    SELECT patient_id, next_visit_on, {latest.format("signed_at DESC, id DESC")} FROM records
  ) latest WHERE recency = 1
),
booked AS ({booked}),
due AS (
  SELECT l.patient_id, l.last_day, l.practitioner_id,
    CASE WHEN s.next_visit_on > l.last_day THEN s.next_visit_on
      ELSE {day_sql.plus_days("l.last_day", "i.visit_interval_days")} END AS due_on
  FROM last_visits l
  LEFT JOIN intervals i ON i.patient_id = l.patient_id
  LEFT JOIN suggested s ON s.patient_id = l.patient_id
  WHERE NOT EXISTS (SELECT 1 FROM booked b WHERE b.patient_id = l.patient_id)
)
SELECT patient_id, last_day, due_on, {overdue} AS overdue_days FROM due
WHERE due_on IS NOT NULL AND {overdue} > %s {own}
ORDER BY overdue_days, patient_id
LIMIT {int(MAX_ROWS) + 1}"""
    day = day_sql.param(today)
    params = p1 + p2 + p3 + p4 + (day, day, OVERDUE_AFTER_DAYS)
    if scope.practitioner_id:
        params += (scope.practitioner_id,)
    return sql, params


def overdue(scope: Scope, *, today: dt.date) -> list[dict]:
    """[{patient_id, last_day, due_on, overdue_days}], least overdue first."""
    sql, params = _overdue_sql(scope, today=today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        {
            "patient_id": patient_id,
            "last_day": day_sql.as_date(last_day),
            "due_on": day_sql.as_date(due_on),
            "overdue_days": int(days),
        }
        for patient_id, last_day, due_on, days in rows
    ]


def expiring_tickets(scope: Scope, *, today: dt.date):
    """Open tickets valid until today … today + TICKET_DAYS, soonest first, with the patient's
    last completed visit and next booking."""
    last = _completed(scope.clinic_id).filter(patient=OuterRef("patient_id"))
    last = last.order_by("-start", "-id")
    booked = _upcoming(scope.clinic_id, today=today).filter(patient=OuterRef("patient_id"))
    tickets = (
        Ticket.objects.filter(
            clinic_id=scope.clinic_id,
            closed_at__isnull=True,
            visits_left__gt=0,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=TICKET_DAYS),
            patient__is_archived=False,
        )
        .annotate(
            last_start=Subquery(last.values("start")[:1]),
            last_practitioner=Subquery(last.values("practitioner_id")[:1]),
            booked_start=Subquery(booked.order_by("start").values("start")[:1]),
        )
        .order_by("valid_until", "id")
    )
    if scope.practitioner_id:
        tickets = tickets.filter(last_practitioner=scope.practitioner_id)
    return list(tickets[: MAX_ROWS + 1])


def last_contacts(clinic_id, patient_ids) -> dict[int, RecallContact]:
    latest = Window(
        RowNumber(),
        partition_by=[F("patient_id")],
        order_by=[F("contacted_at").desc(), F("id").desc()],
    )
    found = (
        RecallContact.objects.filter(clinic_id=clinic_id, patient_id__in=list(patient_ids))
        .select_related("contacted_by")
        .annotate(recency=latest)
        .filter(recency=1)
    )
    return {contact.patient_id: contact for contact in found}


def _local_day(moment):
    return timezone.localdate(moment) if moment else None


def recall_list(scope: Scope, *, today: dt.date) -> dict:
    """{"overdue": [Row], "tickets": [Row], "more_overdue": bool, "more_tickets": bool}."""
    late, tickets = overdue(scope, today=today), expiring_tickets(scope, today=today)
    ids = {row["patient_id"] for row in late} | {ticket.patient_id for ticket in tickets}
    patients = Patient.objects.filter(clinic_id=scope.clinic_id).in_bulk(list(ids))
    rows = {
        "overdue": [
            Row(
                patient=patients[row["patient_id"]],
                reason=RecallReason.OVERDUE,
                last_visit=row["last_day"],
                due_on=row["due_on"],
                overdue_days=row["overdue_days"],
            )
            for row in late[:MAX_ROWS]
        ],
        "tickets": [
            Row(
                patient=patients[ticket.patient_id],
                reason=RecallReason.TICKET_EXPIRING,
                last_visit=_local_day(ticket.last_start),
                ticket=ticket,
                booked_on=_local_day(ticket.booked_start),
            )
            for ticket in tickets[:MAX_ROWS]
        ],
    }
    contacts = last_contacts(scope.clinic_id, ids)
    since = today - dt.timedelta(days=RECENT_CONTACT_DAYS)
    for row in rows["overdue"] + rows["tickets"]:
        row.last_contact = contacts.get(row.patient.pk)
        row.contacted_recently = bool(
            row.last_contact and timezone.localdate(row.last_contact.contacted_at) > since
        )
    return {
        **rows,
        "more_overdue": len(late) > MAX_ROWS,
        "more_tickets": len(tickets) > MAX_ROWS,
    }


# Contacting -----------------------------------------------------------------------------

EMAIL_REFUSALS = {
    "no_email": gettext_lazy("No e-mail address on file."),
    "opted_out": gettext_lazy("The patient asked for no e-mail reminders."),
    "archived": gettext_lazy("The patient is archived."),
}


def email_refusal(patient) -> str | None:
    """Why no recall e-mail may go to this patient (a code of EMAIL_REFUSALS), or None."""
    if patient.is_archived:
        return "archived"
    if not patient.email:
        return "no_email"
    if patient.reminders_opt_out:
        return "opted_out"
    return None


def open_ticket_of(patient, *, today: dt.date) -> Ticket | None:
    """The patient's open ticket that expires first (the one a ticket recall is about)."""
    return (
        Ticket.objects.filter(
            patient=patient, closed_at__isnull=True, visits_left__gt=0, valid_until__gte=today
        )
        .order_by("valid_until", "id")
        .first()
    )


def _check_reason(patient, reason: str, *, today: dt.date) -> Ticket | None:
    if reason not in RecallReason.values:
        raise ValidationError(_("Choose why the patient is called back."), code="reason")
    if reason != RecallReason.TICKET_EXPIRING:
        return None
    ticket = open_ticket_of(patient, today=today)
    if ticket is None:
        raise ValidationError(_("The patient has no open prepaid ticket."), code="no_ticket")
    return ticket


def _record(*, patient, channel, reason, note, by, now) -> RecallContact:
    contact = RecallContact(
        clinic_id=patient.clinic_id,
        patient=patient,
        channel=channel,
        reason=reason,
        note=note,
        contacted_at=now,
        contacted_by=by,
    )
    contact.full_clean()
    contact.save()
    return contact


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def recall_message(patient, reason: str, *, ticket=None) -> tuple[str, str]:
    """(subject, body) of the recall e-mail, in Japanese. Kind, about visits only: never a
    finding, a diagnosis or the plan's content."""
    clinic = patient.clinic
    with translation.override("ja"):
        subject = _("From %(clinic)s") % {"clinic": clinic.name}
        lines = [_("Dear %(name)s,") % {"name": patient.full_name}, ""]
        if reason == RecallReason.TICKET_EXPIRING and ticket is not None:
            lines.append(
                _(
                    "Your prepaid ticket (%(ticket)s) has %(left)s visit(s) left and can be "
                    "used until %(until)s. We would be glad to see you before then."
                )
                % {
                    "ticket": ticket.name,
                    "left": ticket.visits_left,
                    "until": _day(ticket.valid_until),
                }
            )
        else:
            lines.append(
                _(
                    "It has been a while since your last visit. We hope you are keeping well. "
                    "Whenever you would like to continue, we would be glad to see you again."
                )
            )
        if clinic.phone:
            book = _("To book a visit, simply reply to this e-mail or call us at %(phone)s.")
        else:
            book = _("To book a visit, simply reply to this e-mail.")
        lines += ["", book % {"phone": clinic.phone}, ""]
        lines.append(_("If you have already booked, please ignore this message."))
        lines += ["", clinic.name]
    return subject, "\n".join(lines)


def send_email(*, patient, reason: str, by, now=None) -> RecallContact:
    """Record a recall e-mail and send it once the record is committed. ValidationError (with a
    code: no_email, opted_out, archived, reason, no_ticket) and nothing sent when it may not go."""
    now = now or timezone.now()
    refusal = email_refusal(patient)
    if refusal:
        raise ValidationError(EMAIL_REFUSALS[refusal], code=refusal)
    ticket = _check_reason(patient, reason, today=timezone.localdate(now))
    subject, body = recall_message(patient, reason, ticket=ticket)
    address = patient.email
    with transaction.atomic():
        contact = _record(
            patient=patient, channel=RecallChannel.EMAIL, reason=reason, note="", by=by, now=now
        )
        transaction.on_commit(
            lambda: mail.send(subject=subject, body=body, to=[address]), robust=True
        )
    return contact


def note_call(*, patient, reason: str, note: str, by, now=None) -> RecallContact:
    """Record a phone call. The note is required (what was said, or "no answer"): a call with
    nothing noted tells the next person calling nothing."""
    now = now or timezone.now()
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError(_("Note what was said (or that nobody answered)."), code="note")
    if len(note) > NOTE_MAX:
        raise ValidationError(_("At most 300 characters."), code="note_length")
    if patient.is_archived:
        raise ValidationError(EMAIL_REFUSALS["archived"], code="archived")
    _check_reason(patient, reason, today=timezone.localdate(now))
    with transaction.atomic():
        return _record(
            patient=patient, channel=RecallChannel.PHONE, reason=reason, note=note, by=by, now=now
        )
