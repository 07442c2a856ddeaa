"""Bench data for `make bench`: a patient with N earlier signed assessments and a current draft."""

from django.db import connection
from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus, CarePlan, PlanItem, PlanStatus
from clinic.models import Clinic, Role, User
from devtools import records
from patients.models import Patient

SECTIONS = {
    "complaint": {
        "region": "knee_back",
        "side": "right",
        "qualities": ["pulling"],
        "pain": 5,
        "provokers": ["walking"],
    },
    "measurements": {
        "slr": {"left": "75", "right": "55"},
        "knee_to_wall": {"left": "10", "right": "6.5"},
        "calf_circumference": {"left": "36.5", "right": "37"},
    },
    "habits": {"bag_side": "right", "leg_on_top": "right", "sitting_hours": "9"},
    "red_flags": {"night_pain": True},
}


def practitioner_for(clinic: Clinic) -> User:
    user, _ = User.objects.get_or_create(
        clinic=clinic,
        username=f"{clinic.slug}-practitioner",
        defaults={"role": Role.PRACTITIONER, "display_name": "ベンチ 施術者"},
    )
    return user


def assessment_with_history(clinic: Clinic, earlier: int) -> Assessment:
    """The current draft of a patient who has `earlier` signed assessments (made once, reused)."""
    practitioner = practitioner_for(clinic)
    patient = Patient.objects.filter(clinic=clinic, is_archived=False).order_by("number")[earlier]
    signed = patient.assessments.filter(status=AssessmentStatus.SIGNED).count()
    today = timezone.localdate()
    for _ in range(earlier - signed):
        records.record(
            patient=patient, practitioner=practitioner, sections=SECTIONS, today=today, sign_it=True
        )
    draft = patient.assessments.filter(status=AssessmentStatus.DRAFT).first()
    return draft or records.record(
        patient=patient, practitioner=practitioner, sections=SECTIONS, today=today
    )


KNEE_BACK_PLAN = {
    "complaint": {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": 5},
    "posture": {"thoracic_kyphosis": True},
    "measurements": {
        "slr": {"left": "75", "right": "55"},
        "knee_to_wall": {"left": "10", "right": "6.5"},
    },
    "lower_limb": {"stiff_hip": "right"},
    "habits": {
        "work_style": "desk",
        "leg_on_top": "right",
        "bag_side": "right",
        "cold_extremities": True,
    },
    "red_flags": {},
}


def published_plan(clinic: Clinic):
    """A published plan with five home exercises for a bench patient (made once, reused)."""
    from assessments import plans
    from assessments.library import install_shipped

    found = CarePlan.objects.filter(
        clinic=clinic, status=PlanStatus.PUBLISHED, patient__number=1
    ).first()
    if found:
        return found
    install_shipped(clinic=clinic)
    practitioner = practitioner_for(clinic)
    patient = Patient.objects.get(clinic=clinic, number=1)
    today = timezone.localdate()
    assessment = records.record(
        patient=patient,
        practitioner=practitioner,
        sections=KNEE_BACK_PLAN,
        today=today,
        sign_it=True,
    )
    plan = plans.create_draft(assessment=assessment, by=practitioner, today=today)
    return plans.publish(plan=plan, by=practitioner, today=today, referral_explained=True)


def patient_with_logs(clinic: Clinic, number: int, days: int):
    """A patient with a published plan, a portal account and `days` days of home logs.

    Bench data only: the logs go in with bulk_create (they are generated, not clinical records
    anyone wrote)."""
    import datetime as dt

    from assessments import plans
    from assessments.library import install_shipped
    from assessments.models import ExerciseLog

    patient = Patient.objects.get(clinic=clinic, number=number)
    plan = patient.care_plans.filter(status=PlanStatus.PUBLISHED).first()
    if plan is None:
        install_shipped(clinic=clinic)
        practitioner = practitioner_for(clinic)
        today = timezone.localdate()
        assessment = records.record(
            patient=patient,
            practitioner=practitioner,
            sections=KNEE_BACK_PLAN,
            today=today,
            sign_it=True,
        )
        plan = plans.create_draft(assessment=assessment, by=practitioner, today=today)
        plan = plans.publish(plan=plan, by=practitioner, today=today, referral_explained=True)
        plan.published_at = timezone.now() - dt.timedelta(days=days)
        plan.save(update_fields=["published_at"])
    if patient.portal_user is None:
        patient.portal_user = User.objects.create(
            username=f"{clinic.slug}-patient-{number}",
            clinic=clinic,
            role=Role.PATIENT,
            display_name=patient.full_name,
        )
        patient.save()
    if not ExerciseLog.objects.filter(patient=patient).exists():
        today = timezone.localdate()
        codes = [
            item["code"]
            for item in plan.snapshot["items"]
            if item["kind"] == PlanItem.Kind.EXERCISE
        ]
        ExerciseLog.objects.bulk_create(
            ExerciseLog(
                clinic_id=patient.clinic_id,
                patient=patient,
                plan=plan,
                item_code=code,
                day=today - dt.timedelta(days=offset),
                done=offset % 5 != 0,
                sets=2,
                pain=(offset % 7) if index == 0 else None,
            )
            for offset in range(1, days + 1)
            for index, code in enumerate(codes)
        )
    return patient


OUTCOMES_EVERY = 10  # one patient in ten assessed in the year: 10,000 of 100,000
OUTCOMES_MEASURES = {  # first visit, latest visit: (left, right)
    "slr": (("75", "55"), ("75", "65")),
    "knee_to_wall": (("10", "6.5"), ("10", "8")),
    "calf_circumference": (("36.5", "37"), ("36.5", "36.5")),
    "weight_bearing": (("32", "28"), ("31", "29")),
}


def outcomes_cohort(clinic: Clinic) -> int:
    """Every tenth patient with two signed assessments in the last year (200 and 30 days ago),
    complaint, measurements and two PSFS scales; made once, reused. Returns the patients seeded.

    Bench data only: generated rows go in with bulk_create, without the services' audit (no one
    wrote them)."""
    import datetime as dt
    from decimal import Decimal

    from django.db.models.functions import Mod

    from assessments.models import (
        ComplaintRecord,
        FunctionalActivity,
        FunctionalScale,
        MeasuredSide,
        Measurement,
    )
    from assessments.models.findings import Region
    from assessments.rules.measures import MEASURES

    practitioner = practitioner_for(clinic)
    seeded = Assessment.objects.filter(
        clinic=clinic, practitioner=practitioner, status=AssessmentStatus.SIGNED
    ).values("patient_id")
    patients = list(
        Patient.objects.filter(clinic=clinic, is_archived=False, number__gt=100)  # not the others'
        .annotate(every=Mod("number", OUTCOMES_EVERY))
        .filter(every=0)
        .exclude(pk__in=seeded)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    units = {measure.code: measure.unit for measure in MEASURES}
    now = timezone.now()
    today = timezone.localdate()
    regions = (Region.KNEE_BACK, Region.LOWER_BACK, Region.CALF, Region.SHOULDER_NECK)
    for start in range(0, len(patients), 2000):
        chunk = patients[start : start + 2000]
        visits = [
            Assessment(
                clinic=clinic,
                patient_id=pk,
                practitioner=practitioner,
                status=AssessmentStatus.SIGNED,
                signed_at=now - dt.timedelta(days=days),
                signed_by=practitioner,
                updated_by=practitioner,
            )
            for pk in chunk
            for days in (200, 30)
        ]
        Assessment.objects.bulk_create(visits)  # both engines return the new ids
        ComplaintRecord.objects.bulk_create(
            ComplaintRecord(
                assessment_id=visit.pk,
                region=regions[visit.patient_id % len(regions)],
                side=("left", "right", "both")[visit.patient_id % 3],
                pain=6 - 3 * (index % 2) + visit.patient_id % 3,
            )
            for index, visit in enumerate(visits)
        )
        Measurement.objects.bulk_create(
            Measurement(
                assessment_id=visit.pk,
                measure=code,
                side=side,
                value=Decimal(pair[index % 2][0 if side == MeasuredSide.LEFT else 1]),
                unit=units[code],
            )
            for index, visit in enumerate(visits)
            for code, pair in OUTCOMES_MEASURES.items()
            for side in (MeasuredSide.LEFT, MeasuredSide.RIGHT)
        )
        scales = [
            FunctionalScale(patient_id=pk, recorded_on=today - dt.timedelta(days=days))
            for pk in chunk
            for days in (199, 29)
        ]
        FunctionalScale.objects.bulk_create(scales)
        FunctionalActivity.objects.bulk_create(
            FunctionalActivity(
                scale_id=scale.pk, position=position, name=name, score=score + 3 * (index % 2)
            )
            for index, scale in enumerate(scales)
            for position, (name, score) in enumerate((("階段", 3), ("正座", 5)))
        )
    if patients and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
            for model in (Assessment, ComplaintRecord, Measurement, FunctionalScale):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
            cursor.execute(f"ANALYZE {FunctionalActivity._meta.db_table}")
    return len(patients)


CALENDAR_PRACTITIONERS = 6
CALENDAR_SLOTS = (9, 10, 11, 14, 15, 16, 17, 18)  # one 45-minute visit an hour, 8 a day


def calendar_history(clinic: Clinic, days: int) -> int:
    """Six practitioners of `clinic` (its patients seeded already) with `days` days of visits up
    to today and a week ahead: 8 a day each, every day (no hours saved: the default week), one
    in ten cancelled. Made once, reused; returns the visits in the clinic.

    Bench data only: the visits go in with bulk_create (generated, not bookings anyone made)."""
    import datetime as dt

    from patients.models import Appointment, AppointmentStatus, CancelReason, Menu

    menu, _ = Menu.objects.get_or_create(
        clinic=clinic, name="整体 45分", defaults={"minutes": 45, "price": 5500}
    )
    staff = [
        User.objects.get_or_create(
            clinic=clinic,
            username=f"{clinic.slug}-cal-{n}",
            defaults={"role": Role.PRACTITIONER, "display_name": f"施術 {n}"},
        )[0]
        for n in range(1, CALENDAR_PRACTITIONERS + 1)
    ]
    visits = Appointment.objects.filter(clinic=clinic)
    if visits.exists():
        return visits.count()
    patients = list(
        Patient.objects.filter(clinic=clinic, is_archived=False)
        .order_by("number")
        .values_list("pk", flat=True)[:2000]
    )
    today = timezone.localdate()
    rows, n = [], 0
    for offset in range(-days, 8):
        day = today + dt.timedelta(days=offset)
        past = offset < 0
        for p_index, practitioner in enumerate(staff):
            for hour in CALENDAR_SLOTS:
                start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
                cancelled = n % 10 == 0
                status = (
                    AppointmentStatus.CANCELLED
                    if cancelled
                    else AppointmentStatus.COMPLETED
                    if past
                    else AppointmentStatus.BOOKED
                )
                rows.append(
                    Appointment(
                        clinic=clinic,
                        patient_id=patients[(n * 7 + p_index) % len(patients)],
                        practitioner=practitioner,
                        menu=menu,
                        start=start,
                        end=start + dt.timedelta(minutes=45),
                        status=status,
                        cancel_reason=CancelReason.PATIENT if cancelled else "",
                    )
                )
                n += 1
        if len(rows) >= 20_000:
            Appointment.objects.bulk_create(rows)
            rows = []
    Appointment.objects.bulk_create(rows)
    return visits.count()


TILL_METHODS = ("cash", "card", "qr")


def till_history(clinic: Clinic, days: int) -> int:
    """`days` days of the calendar's visits (calendar_history), each completed one checked out
    at its menu's price (cash, card and QR in turn; one in twenty with a ¥500 discount), as the
    till's month report and the repeat numbers read them. Made once, reused; returns the
    payments in the clinic.

    Bench data only: bulk_create, receipt numbers in visit order (what checkout would give)."""
    from patients import money
    from patients.models import Appointment, AppointmentStatus, LineKind, Payment, PaymentLine

    calendar_history(clinic, days)
    payments = Payment.objects.filter(clinic=clinic)
    if payments.exists():
        return payments.count()
    desk = User.objects.get(clinic=clinic, username=f"{clinic.slug}-frontdesk")
    visits = (
        Appointment.objects.filter(clinic=clinic, status=AppointmentStatus.COMPLETED)
        .select_related("menu", "patient")
        .order_by("start", "id")
    )
    number, batch = 0, []

    def flush():
        made = Payment.objects.bulk_create([p for p, _rows in batch])
        for (_p, rows), saved in zip(batch, made, strict=True):
            for line in rows:
                line.payment = saved
        PaymentLine.objects.bulk_create([line for _p, rows in batch for line in rows])
        batch.clear()

    for visit in visits.iterator(chunk_size=5000):
        number += 1
        discount = 500 if number % 20 == 0 else 0
        total = visit.menu.price - discount
        payment = Payment(
            clinic=clinic,
            number=number,
            patient=visit.patient,
            appointment=visit,
            practitioner_id=visit.practitioner_id,
            business_day=timezone.localdate(visit.end),
            method=TILL_METHODS[number % 3],
            total=total,
            tax_rate=10,
            tax=money.tax_included(total, 10),
            taken_at=visit.end,
            taken_by=desk,
            receipt={"number": number, "total": total},
        )
        rows = [
            PaymentLine(
                position=1,
                kind=LineKind.TREATMENT,
                description=visit.menu.name,
                unit_price=visit.menu.price,
                quantity=1,
                amount=visit.menu.price,
                menu=visit.menu,
            )
        ]
        if discount:
            rows.append(
                PaymentLine(
                    position=2,
                    kind=LineKind.DISCOUNT,
                    description="割引",
                    unit_price=-discount,
                    quantity=1,
                    amount=-discount,
                    reason="ベンチ",
                )
            )
        batch.append((payment, rows))
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    Clinic.objects.filter(pk=clinic.pk).update(next_receipt_number=number + 1)
    return payments.count()
