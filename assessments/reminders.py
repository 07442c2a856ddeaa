"""Gentle e-mail reminders for patients who have logged nothing for a few days."""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import override

from assessments.models import CarePlan, ExerciseLog, PlanStatus, SafetyCheck
from clinic import audit, mail
from patients.models import Patient

QUIET_DAYS = 3


def due(today: dt.date):
    """Active portal users with a published plan, opted in, silent for QUIET_DAYS days, and not
    reminded today."""
    since = today - dt.timedelta(days=QUIET_DAYS - 1)
    logged = ExerciseLog.objects.filter(patient=OuterRef("pk"), day__gte=since)
    checked = SafetyCheck.objects.filter(patient=OuterRef("pk"), day__gte=since)
    has_plan = CarePlan.objects.filter(patient=OuterRef("pk"), status=PlanStatus.PUBLISHED)
    return (
        Patient.objects.filter(
            portal_user__is_active=True, reminders_opt_out=False, is_archived=False
        )
        .exclude(email="")
        .exclude(last_reminded_on=today)
        .filter(Exists(has_plan))
        .exclude(Exists(logged))
        .exclude(Exists(checked))
        .select_related("clinic")
    )


def send_due(today: dt.date) -> int:
    sent = 0
    for patient in due(today):
        # Claim the day first: a second run (or a parallel one) finds it taken and sends nothing.
        # The claim is an update() (atomic across runs), so the trail gets it by hand, in the
        # same transaction.
        with transaction.atomic():
            claimed = (
                Patient.objects.filter(pk=patient.pk)
                .exclude(last_reminded_on=today)
                .update(last_reminded_on=today)
            )
            if claimed:
                audit.changed(
                    patient,
                    {"last_reminded_on": [str(patient.last_reminded_on), str(today)]},
                    note="reminder",
                )
        if not claimed:
            continue
        with override("ja"):
            mail.send(
                subject=_("A gentle reminder from %(clinic)s") % {"clinic": patient.clinic.name},
                body=_(
                    "%(name)s, how are your exercises going? A short entry in today's log helps "
                    "your practitioner adjust your plan. If something feels wrong, stop and "
                    "contact us.\n\nTo stop these reminders, untick them on your patient page."
                )
                % {"name": patient.full_name},
                to=[patient.email],
            )
        sent += 1
    return sent
