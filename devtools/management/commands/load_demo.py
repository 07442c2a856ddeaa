"""Create (or refresh) the demo clinic: one user per role, ~30 patients, a week of visits.

Idempotent: every object is looked up before it is created, so running it twice adds nothing.
"""

import datetime as dt
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments import homecare, plans, visit_records
from assessments.library import install_shipped
from assessments.models import AssessmentStatus, ExerciseLog, FunctionalScale, PlanItem, PlanStatus
from clinic import audit, two_factor
from clinic.models import Clinic, Role, User
from devtools import demo_till, records
from patients import menus, normalize, services, working_hours
from patients.models import (
    Appointment,
    AppointmentStatus,
    AssessmentNeed,
    CancelReason,
    Closure,
    DayOff,
    Menu,
    MenuColour,
    Patient,
)

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("demo-admin", Role.ADMIN, "管理 花子"),
    ("demo-practitioner", Role.PRACTITIONER, "整体 一郎"),
    ("demo-practitioner2", Role.PRACTITIONER, "施術 美咲"),
    ("demo-frontdesk", Role.FRONT_DESK, "受付 さくら"),
]
# family, given, family kana, given kana, sex, birth year, work style
DEMO_PATIENTS = [
    ("山田", "太郎", "ヤマダ", "タロウ", "male", 1978, "desk"),
    ("佐藤", "美穂", "サトウ", "ミホ", "female", 1985, "standing"),
    ("鈴木", "健一", "スズキ", "ケンイチ", "male", 1962, "driving"),
    ("高橋", "由美子", "タカハシ", "ユミコ", "female", 1956, "mixed"),
    ("田中", "翔太", "タナカ", "ショウタ", "male", 1994, "desk"),
    ("伊藤", "さやか", "イトウ", "サヤカ", "female", 1990, "standing"),
    ("渡辺", "誠", "ワタナベ", "マコト", "male", 1970, "desk"),
    ("中村", "優子", "ナカムラ", "ユウコ", "female", 1981, "desk"),
    ("小林", "大輔", "コバヤシ", "ダイスケ", "male", 1988, "standing"),
    ("加藤", "恵", "カトウ", "メグミ", "female", 1975, "mixed"),
    ("吉田", "浩二", "ヨシダ", "コウジ", "male", 1959, "driving"),
    ("山本", "奈々", "ヤマモト", "ナナ", "female", 1999, "standing"),
    ("松本", "隆", "マツモト", "タカシ", "male", 1967, "desk"),
    ("井上", "真理", "イノウエ", "マリ", "female", 1973, "desk"),
    ("木村", "拓也", "キムラ", "タクヤ", "male", 1983, "driving"),
    ("林", "千尋", "ハヤシ", "チヒロ", "female", 1992, "mixed"),
    ("斎藤", "和夫", "サイトウ", "カズオ", "male", 1950, "mixed"),
    ("清水", "明美", "シミズ", "アケミ", "female", 1964, "standing"),
    ("山口", "悠斗", "ヤマグチ", "ユウト", "male", 2001, "desk"),
    ("森", "陽子", "モリ", "ヨウコ", "female", 1979, "desk"),
    ("池田", "修", "イケダ", "オサム", "male", 1955, "driving"),
    ("橋本", "彩", "ハシモト", "アヤ", "female", 1996, "standing"),
    ("阿部", "直樹", "アベ", "ナオキ", "male", 1986, "desk"),
    ("石川", "久美子", "イシカワ", "クミコ", "female", 1960, "mixed"),
    ("山下", "剛", "ヤマシタ", "ツヨシ", "male", 1977, "standing"),
    ("中島", "舞", "ナカジマ", "マイ", "female", 1989, "desk"),
    ("前田", "勇気", "マエダ", "ユウキ", "male", 1998, "driving"),
    ("藤田", "礼子", "フジタ", "レイコ", "female", 1968, "standing"),
    ("小川", "颯", "オガワ", "ハヤテ", "male", 2003, "desk"),
    ("岡田", "智子", "オカダ", "トモコ", "female", 1971, "desk"),
]
# name, minutes, price (yen, tax included), colour, assessment
DEMO_MENUS = [
    ("整体 45分", 45, 6600, MenuColour.BLUE, AssessmentNeed.NONE),
    ("初診 整体 (評価つき) 60分", 60, 8800, MenuColour.GREEN, AssessmentNeed.INITIAL),
    ("再評価 整体 60分", 60, 7700, MenuColour.ORANGE, AssessmentNeed.REASSESSMENT),
    ("短時間ケア 30分", 30, 3800, MenuColour.SKY, AssessmentNeed.NONE),
]
DEMO_VISIT_MENU = "整体 45分"
# Monday to Friday 09:00-20:00, Saturday 09:00-18:00, closed on Sunday.
DEMO_WEEK = {day: (dt.time(9), dt.time(20)) for day in range(5)} | {
    5: (dt.time(9), dt.time(18)),
    6: None,
}
# Weekly shifts (weekday, start, end): the first practitioner with a lunch break, the second
# off on Wednesdays. Every demo visit slot (SLOTS, 45 minutes) sits inside them.
MORNING, AFTERNOON = (dt.time(9), dt.time(13)), (dt.time(14), dt.time(19))
DEMO_SHIFTS = {
    "demo-practitioner": [(day, *MORNING) for day in range(6)]
    + [(day, *AFTERNOON) for day in range(5)]
    + [(5, dt.time(14), dt.time(18))],
    "demo-practitioner2": [(day, dt.time(9), dt.time(18)) for day in (0, 1, 3, 4, 5)],
}
REASONS = ["右膝裏の痛み", "左ふくらはぎのだるさ", "腰の張り", "肩こり", "再評価", "膝裏のつっぱり"]
SLOTS = [
    dt.time(9, 30),
    dt.time(10, 30),
    dt.time(11, 30),
    dt.time(14, 0),
    dt.time(15, 0),
    dt.time(16, 30),
]


def _days_ago(days):
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _dated(sections):
    """The sections with the complaint's onset as a date (the cases give it in days ago)."""
    complaint = sections["complaint"]
    return {**sections, "complaint": {**complaint, "onset": _days_ago(complaint["onset"] or 10)}}


def _changed(sections, *, pain, slr_right=None, knee_to_wall_right=None):
    """A copy of a case with another pain score and, given, other right-side measurements."""
    measurements = {code: dict(sides) for code, sides in sections["measurements"].items()}
    if slr_right:
        measurements["slr"]["right"] = slr_right
    if knee_to_wall_right:
        measurements["knee_to_wall"]["right"] = knee_to_wall_right
    return {
        **sections,
        "complaint": {**sections["complaint"], "pain": pain},
        "measurements": measurements,
    }


# The article's worked patient: three weeks of right-sided knee-back pain, the right hamstring
# tighter. Pain for two weeks or more is a routine orthopaedic referral; nothing is withheld, so
# he keeps his stretches beside it (a precaution tells him what would mean "go now").
KNEE_BACK_RIGHT = {
    "complaint": {
        "region": "knee_back",
        "side": "right",
        "qualities": ["dull", "pulling"],
        "pain": 5,
        "onset": 21,
        "provokers": ["stairs", "walking"],
        "region_detail": "歩き始めに右膝裏がつっぱる",
    },
    "posture": {
        "rounded_shoulders": True,
        "lumbar_hyperlordosis": True,
        "pelvic_tilt": "anterior",
        "pelvic_high_side": "right",
        "weight_on_leg": "right",
    },
    "measurements": {
        "slr": {"left": "75", "right": "55"},
        "knee_to_wall": {"left": "10", "right": "6.5"},
        "calf_circumference": {"left": "36.5", "right": "37"},
        "iliac_crest_height": {"left": "98", "right": "99.5"},
    },
    "lower_limb": {
        "stiff_ankle": "right",
        "short_stride": "right",
        "gait": "toe_out",
        "sole_wear_right": "outer",
    },
    "palpation": {"tender": True},
    "habits": {
        "bag_side": "right",
        "leg_on_top": "right",
        "sitting_hours": "9",
        "work_style": "desk",
        "footwear": "flat",
        "cold_extremities": True,
    },
    "red_flags": {},
}
# A swollen, warm left calf: suspected DVT, same-day referral. Everything on the left leg is
# withheld (absolute); what is done on each leg goes on for the right leg only.
SWOLLEN_CALF = {
    "complaint": {
        "region": "calf",
        "side": "left",
        "qualities": ["heavy", "throbbing"],
        "pain": 6,
        "onset": 3,
        "provokers": ["walking"],
    },
    "measurements": {"calf_circumference": {"left": "41", "right": "37.5"}},
    "palpation": {"warm": True, "tender": True},
    "red_flags": {
        "leg_swelling": "left",
        "swelling_sudden": True,
        "leg_warm": True,
        "bedridden_or_surgery": True,
        "wells_deep_vein_tenderness": True,
    },
}


class Command(BaseCommand):
    help = "Load the demo clinic (refuses to run with PRODUCTION=1)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("load_demo refuses to run under production settings.")
        with transaction.atomic(), audit.acting_as("load_demo"):
            clinic, _ = Clinic.objects.get_or_create(
                slug="demo",
                defaults={
                    "name": "ひかがみ整体院 (デモ)",
                    "phone": "03-1234-5678",
                    "address": "東京都渋谷区神宮前1-2-3",
                },
            )
            # The demo log-ins are password only: the clinic never requires a second factor.
            if clinic.require_two_factor:
                clinic.require_two_factor = False
                clinic.save(update_fields=["require_two_factor"])
            users = {
                name: self._user(clinic, name, role, display) for name, role, display in DEMO_USERS
            }
            patients = [
                self._patient(clinic, users["demo-frontdesk"], i, row)
                for i, row in enumerate(DEMO_PATIENTS)
            ]
            self._portal_user(clinic, patients[0])
            visit_menu = self._booking_setup(clinic, users)
            created = self._week_of_visits(
                clinic,
                [users["demo-practitioner"], users["demo-practitioner2"]],
                patients,
                users["demo-frontdesk"],
                visit_menu,
            )
            install_shipped(clinic=clinic)
            demo_cases = ((patients[0], KNEE_BACK_RIGHT), (patients[1], SWOLLEN_CALF))
            for patient, sections in demo_cases:
                self._signed_assessment(patient, users["demo-practitioner"], sections)
            self._three_weeks_of_logs(patients[0])
            self._follow_ups(patients, users["demo-practitioner"])
            _visits_with_records(
                patients[0], users["demo-practitioner"], users["demo-frontdesk"], visit_menu
            )
            paid = demo_till.load(
                clinic=clinic,
                desk=users["demo-frontdesk"],
                menu=visit_menu,
                ticket_patient=patients[0],
            )
        self.stdout.write(
            f"Demo clinic '{clinic.name}' (clinic code {clinic.slug}): {len(patients)} patients, "
            f"{created} new visits, {paid} new payments."
        )

    def _user(self, clinic, username, role, display):
        user, _ = User.objects.get_or_create(
            clinic=clinic, username=username, defaults={"role": role, "display_name": display}
        )
        user.clinic, user.role, user.is_active = clinic, role, True
        user.set_password(DEMO_PASSWORD)
        user.save()
        if two_factor.status_of(user).enrolled:
            two_factor.reset(member=user, by=None)  # so the printed log-ins work again
        return user

    def _patient(self, clinic, desk, index, row):
        family, given, family_kana, given_kana, sex, year, work = row
        birth = dt.date(year, 1 + index % 12, 1 + (index * 7) % 28)
        found = Patient.objects.filter(
            clinic=clinic, kana_key=normalize.fold(family_kana + given_kana), birth_date=birth
        ).first()
        if found:
            return found
        patient = Patient(
            family_name=family,
            given_name=given,
            family_name_kana=family_kana,
            given_name_kana=given_kana,
            birth_date=birth,
            sex=sex,
            work_style=work,
            phone=f"090-{1000 + index:04d}-{5678 + index:04d}",
            email=f"patient{index + 1}@example.jp",
            postal_code="150-0001",
            address=f"東京都渋谷区神宮前{index % 6 + 1}-{index + 1}-{index % 9 + 1}",
            occupation={
                "desk": "会社員",
                "standing": "販売員",
                "driving": "配送ドライバー",
                "mixed": "自営業",
            }[work],
        )
        return services.register_patient(
            patient=patient,
            clinic_id=clinic.pk,
            recorded_by=desk,
            consents={"treatment": True, "privacy": True},
        )

    def _signed_assessment(self, patient, practitioner, sections):
        if patient.assessments.exists():
            return
        today = timezone.localdate()
        sections = {
            **sections,
            "complaint": {
                **sections["complaint"],
                "onset": _days_ago(sections["complaint"]["onset"] or 10),
            },
        }
        assessment = records.record(
            patient=patient,
            practitioner=practitioner,
            sections=sections,
            today=today,
            sign_it=True,
        )
        plan = plans.create_draft(assessment=assessment, by=practitioner, today=today)
        plan.goals = "階段の上り下りを痛みなく行えるようにする"
        plan.patient_note = "無理のない範囲で、毎日少しずつ続けましょう。"
        plan.save(update_fields=["goals", "patient_note"])
        plans.publish(plan=plan, by=practitioner, today=today, referral_explained=True)

    def _follow_ups(self, patients, practitioner):
        """Demo history for the outcomes page: the worked patient reassessed today, three weeks
        after his first assessment, and three more patients assessed a month ago and again
        today; PSFS scores at both ends for the worked patient."""
        today = timezone.localdate()
        better = _changed(KNEE_BACK_RIGHT, pain=2, slr_right="65", knee_to_wall_right="8.5")
        self._reassess(patients[0], practitioner, KNEE_BACK_RIGHT, better, days_before=21)
        pains = {2: (6, 3), 3: (4, 4), 4: (7, 2)}  # patient index: (first, latest)
        for index, (first_pain, latest_pain) in pains.items():
            first = _changed(KNEE_BACK_RIGHT, pain=first_pain)
            latest = _changed(KNEE_BACK_RIGHT, pain=latest_pain, slr_right="60")
            self._reassess(patients[index], practitioner, first, latest, days_before=30)
        if not FunctionalScale.objects.filter(patient=patients[0]).exists():
            for days_ago, stairs, walk in ((21, 3, 4), (0, 7, 8)):
                homecare.save_functional_scale(
                    patient=patients[0],
                    day=today - dt.timedelta(days=days_ago),
                    activities=[
                        {"name": "階段を下りる", "score": stairs},
                        {"name": "30分歩く", "score": walk},
                    ],
                )

    def _reassess(self, patient, practitioner, first, latest, *, days_before):
        signed = patient.assessments.filter(status=AssessmentStatus.SIGNED)
        if signed.count() >= 2:
            return
        today = timezone.localdate()
        if not signed.exists():
            records.record(
                patient=patient,
                practitioner=practitioner,
                sections=_dated(first),
                today=today,
                sign_it=True,
            )
        # demo history: the first assessment was `days_before` days ago
        signed.update(signed_at=timezone.now() - dt.timedelta(days=days_before))
        records.record(
            patient=patient,
            practitioner=practitioner,
            sections=_dated(latest),
            today=today,
            sign_it=True,
        )

    def _three_weeks_of_logs(self, patient):
        """The demo patient's home log: most days done, pain easing from 5 to about 2."""
        plan = patient.care_plans.filter(status=PlanStatus.PUBLISHED).first()
        if plan is None:
            return
        today = timezone.localdate()
        if plan.published_at > timezone.now() - dt.timedelta(days=21):
            # demo history: the plan has been followed for three weeks
            plan.published_at = timezone.now() - dt.timedelta(days=22)
            plan.save(update_fields=["published_at"])
        codes = [
            item["code"]
            for item in plan.snapshot["items"]
            if item["kind"] == PlanItem.Kind.EXERCISE
        ]
        for days_ago in range(21, 0, -1):
            day = today - dt.timedelta(days=days_ago)
            for index, code in enumerate(codes):
                done = (days_ago + index) % 4 != 0
                ExerciseLog.objects.update_or_create(
                    patient=patient,
                    item_code=code,
                    day=day,
                    defaults={
                        "plan": plan,
                        "done": done,
                        "sets": 2 if done else None,
                        "pain": max(1, 5 - (21 - days_ago) // 6) if index == 0 else None,
                    },
                )

    def _portal_user(self, clinic, patient):
        user = self._user(clinic, "demo-patient", Role.PATIENT, patient.full_name)
        if patient.portal_user_id != user.pk:
            patient.portal_user = user
            patient.save()

    def _booking_setup(self, clinic, users):
        """Menus, the clinic's week, a holiday in the coming weeks, and each practitioner's
        shifts with a day off (after the week of visits, which stays bookable). Returns the
        menu the demo's visits are booked with."""
        admin = users["demo-admin"]
        for name, minutes, price, colour, assessment in DEMO_MENUS:
            if not Menu.objects.filter(clinic=clinic, name=name).exists():
                menu = Menu(clinic=clinic, name=name, minutes=minutes, price=price)
                menu.colour, menu.assessment = colour, assessment
                menus.add_menu(menu=menu, by=admin)
        working_hours.save_week(clinic=clinic, by=admin, week=DEMO_WEEK)
        today = timezone.localdate()
        opened = {weekday for weekday, hours in DEMO_WEEK.items() if hours}
        holiday = self._next_of(today + dt.timedelta(days=12), opened)
        if not Closure.objects.filter(clinic=clinic, day__gte=today).exists():
            closure = Closure(clinic=clinic, day=holiday, reason="院内研修")
            working_hours.add_closure(closure=closure, by=admin)
        for offset, (username, shifts) in enumerate(DEMO_SHIFTS.items()):
            practitioner = users[username]
            if not practitioner.shifts.exists():
                working_hours.save_shifts(practitioner=practitioner, by=admin, shifts=shifts)
            if not DayOff.objects.filter(practitioner=practitioner, day__gte=today).exists():
                worked = {weekday for weekday, _start, _end in shifts}
                day = self._next_of(today + dt.timedelta(days=8 + offset), worked)
                day_off = DayOff(practitioner=practitioner, day=day, reason="研修")
                working_hours.add_day_off(day_off=day_off, by=admin)
        return Menu.objects.get(clinic=clinic, name=DEMO_VISIT_MENU)

    @staticmethod
    def _next_of(day, weekdays):
        """The first day from `day` on that falls on one of `weekdays`."""
        while day.weekday() not in weekdays:
            day += dt.timedelta(days=1)
        return day

    def _week_of_visits(self, clinic, practitioners, patients, desk, menu):
        rng = random.Random(2026)
        today = timezone.localdate()
        now = timezone.now()
        created = 0
        # From this week's Monday (at least two days back) to six days ahead: the week calendar
        # opens on a populated week whatever the weekday, and the days off (8 days ahead and
        # later) stay free of visits.
        for offset in range(-max(2, today.weekday()), 7):
            day = today + dt.timedelta(days=offset)
            for p_index, practitioner in enumerate(practitioners):
                for s_index, slot in enumerate(SLOTS):
                    if (s_index + offset + p_index) % 3 == 2:
                        continue  # leave gaps so the day view looks like a real day
                    start = timezone.make_aware(dt.datetime.combine(day, slot))
                    if Appointment.objects.filter(practitioner=practitioner, start=start).exists():
                        continue
                    patient = patients[(offset * 7 + p_index * 3 + s_index * 5) % len(patients)]
                    try:
                        visit = services.book_appointment(
                            patient=patient,
                            practitioner=practitioner,
                            start=start,
                            menu=menu,
                            reason=rng.choice(REASONS),
                            booked_by=desk,
                        )
                    except (services.BookingConflict, services.OutsideHours):
                        continue  # a closed day, a day without a shift, or a clash
                    if visit.end < now:
                        visit.status = AppointmentStatus.COMPLETED
                    elif visit.start < now:
                        visit.status = AppointmentStatus.IN_SESSION
                    elif day == today and s_index == 0:
                        visit.status = AppointmentStatus.CHECKED_IN
                    visit.save(update_fields=["status"])
                    created += 1
        self._cancellation(clinic, desk)
        return created

    def _cancellation(self, clinic, desk):
        """One visit later this week cancelled by the patient, with the reason given."""
        ahead = Appointment.objects.filter(
            clinic=clinic, status=AppointmentStatus.BOOKED, start__gte=timezone.now()
        )
        if Appointment.objects.filter(clinic=clinic, cancel_reason=CancelReason.PATIENT).exists():
            return
        visit = ahead.order_by("-start").first()
        if visit is not None:
            services.cancel_appointment(
                appointment=visit, reason=CancelReason.PATIENT, note="仕事の都合", by=desk
            )


# The worked patient's week of visits, each with its signed visit record (施術記録): two of the
# plan's in-clinic items ticked, pain easing. Kept apart from the rest of the demo (one call in
# `handle`), at 12:15, a time `_week_of_visits` never books (its 11:30 visit ends then) and inside
# the first practitioner's morning shift. Four of the last seven days the clinic was open.
RECORDED_PAIN = ((6, 4), (5, 3), (4, 3), (4, 2))  # pain before, after: easing
RECORDED_AT = dt.time(12, 15)


def _visits_with_records(patient, practitioner, desk, menu):
    plan = visit_records.current_plan(patient)
    items = visit_records.clinic_items(plan)
    if plan is None or len(items) < 2:
        return
    ticked = {
        items[0].pk: {"side": items[0].side or "", "note": ""},
        items[-1].pk: {"side": items[-1].side or "", "note": "歩き方を確認"},
    }
    today = timezone.localdate()
    open_days = []
    for days_ago in range(7, 0, -1):
        start = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), RECORDED_AT)
        )
        end = start + dt.timedelta(minutes=menu.minutes)
        try:
            working_hours.check_bookable(
                clinic_id=patient.clinic_id, practitioner=practitioner, start=start, end=end
            )
        except working_hours.OutsideHours:
            continue  # a Sunday: the clinic is closed
        open_days.append((days_ago, start))
    picked = [open_days[i] for i in (0, 2, 4, -1)] if len(open_days) >= 5 else open_days
    for (days_ago, start), (before, after) in zip(picked, RECORDED_PAIN, strict=False):
        visit = Appointment.objects.filter(patient=patient, start=start).first()
        if visit is None:
            try:
                visit = services.book_appointment(
                    patient=patient,
                    practitioner=practitioner,
                    start=start,
                    menu=menu,
                    reason="施術",
                    booked_by=desk,
                )
            except services.BookingConflict:
                continue
            visit.status = AppointmentStatus.COMPLETED
            visit.save(update_fields=["status"])
        if hasattr(visit, "visit_record"):
            continue
        visit_records.start(
            appointment=visit,
            by=practitioner,
            data={
                "pain_before": before,
                "pain_after": after,
                "response": "better" if after < before else "same",
                "home_care": "as_planned" if days_ago <= 3 else "partly",
                "notes": "右ハムストリングの張りが軽くなってきた",
                "next_visit_on": (today - dt.timedelta(days=days_ago - 2)).isoformat(),
                "recheck": {
                    "new_swelling_or_heat": False,
                    "new_numbness": False,
                    "much_worse_pain": False,
                },
                "items": ticked,
            },
            today=today,
            sign_it=True,
        )
