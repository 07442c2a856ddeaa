"""What the desk does to a visit from the calendar (issue 14, item 4): book from a free slot
finding the patient by name or kana, book a weekly series after a preview, edit the menu and
note, move it (the same hours and overlap rules as booking), cancel it with a reason."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEntry, Role
from patients import services
from patients.models import Appointment, AppointmentStatus, CancelReason, Closure, Shift
from tests.factories import AppointmentFactory, MenuFactory, PatientFactory, UserFactory

BOOK = reverse("patients:book")


def day_ahead(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def typed(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def visit(cast, start, *, minutes=45, patient=None, **more):
    return AppointmentFactory(
        patient=patient or cast.other_patient,
        practitioner=more.pop("practitioner", cast.practitioner),
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        **more,
    )


def audited(appointment):
    kind = ContentType.objects.get_for_model(Appointment)
    return AuditEntry.objects.filter(content_type=kind, object_pk=str(appointment.pk))


@pytest.fixture
def menu(ours):
    return MenuFactory(clinic=ours.clinic, name="整体 45分", minutes=45)


@pytest.fixture
def sasaki(ours):
    return PatientFactory(
        clinic=ours.clinic,
        family_name="佐々木",
        given_name="花子",
        family_name_kana="ササキ",
        given_name_kana="ハナコ",
    )


# Finding the patient -----------------------------------------------------------------------


def test_the_search_finds_a_patient_by_kana_typed_in_hiragana(ours, theirs, login, sasaki):
    PatientFactory(clinic=theirs.clinic, family_name="佐々木", family_name_kana="ササキ")
    url = reverse("patients:patient_matches")
    response = login(ours.frontdesk).get(url, {"q": "ささき"})
    assert response.context["matches"] == [sasaki]
    page = response.content.decode()
    assert f'name="patient" value="{sasaki.pk}"' in page and "ササキ ハナコ" in page


def test_the_search_lists_no_archived_patient_and_nothing_for_an_empty_query(ours, login, sasaki):
    sasaki.is_archived = True
    sasaki.save()
    client = login(ours.frontdesk)
    url = reverse("patients:patient_matches")
    assert client.get(url, {"q": "ササキ"}).context["matches"] == []
    assert client.get(url, {"q": "  "}).context["matches"] == []
    assert client.get(url, {"q": "x" * 5000}).status_code == 200


def booking(cast, start, **changes):
    data = {
        "patient_query": "",
        "practitioner": cast.practitioner.pk,
        "start": typed(start),
        "reason": "腰の張り",
    }
    data.update(changes)
    return data


def test_the_desk_books_the_patient_picked_from_the_search_without_their_number(
    ours, login, menu, sasaki
):
    start = at(day_ahead(7), 10)
    data = booking(ours, start, patient_query="ささき", patient=sasaki.pk, menu=menu.pk)
    response = login(ours.frontdesk).post(BOOK, data)
    assert response.status_code == 302
    booked = Appointment.objects.get(patient=sasaki)
    assert (booked.start, booked.end, booked.menu) == (start, at(day_ahead(7), 10, 45), menu)


def test_a_patient_number_still_works(ours, login, menu, sasaki):
    data = booking(ours, at(day_ahead(7), 10), patient_number=sasaki.number, menu=menu.pk)
    assert login(ours.frontdesk).post(BOOK, data).status_code == 302
    assert Appointment.objects.filter(patient=sasaki).exists()


def test_booking_without_a_patient_says_so_next_to_the_search_and_keeps_what_was_typed(
    ours, login, menu
):
    data = booking(ours, at(day_ahead(7), 10), patient_query="だれか", menu=menu.pk)
    response = login(ours.frontdesk).post(BOOK, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["patient_query"]
    page = response.content.decode()
    assert 'value="だれか"' in page and "腰の張り" in page
    assert not Appointment.objects.filter(start=at(day_ahead(7), 10)).exists()


def test_another_clinics_patient_cannot_be_picked_by_id(ours, theirs, login, menu):
    data = booking(ours, at(day_ahead(7), 10), patient=theirs.patient.pk, menu=menu.pk)
    response = login(ours.frontdesk).post(BOOK, data)
    assert list(response.context["form"].errors) == ["patient"]
    assert not Appointment.objects.filter(patient=theirs.patient, start__gte=at(day_ahead(7), 0))


def test_the_search_button_lists_the_matches_and_books_nothing(ours, login, menu, sasaki):
    data = booking(ours, at(day_ahead(7), 10), patient_query="ササキ", find="1", menu=menu.pk)
    response = login(ours.frontdesk).post(BOOK, data)
    assert response.status_code == 200
    assert response.context["matches"] == [sasaki]
    assert not response.context["form"].is_bound
    assert not Appointment.objects.filter(patient=sasaki).exists()


def test_a_free_slots_link_fills_in_the_practitioner_start_menu_and_patient(
    ours, login, menu, sasaki
):
    start = f"{day_ahead(7):%Y-%m-%d}T10:15"
    query = {"practitioner": ours.practitioner.pk, "start": start, "menu": menu.pk}
    response = login(ours.frontdesk).get(BOOK, {**query, "patient": sasaki.pk})
    initial = response.context["form"].initial
    assert initial["practitioner"] == ours.practitioner.pk and initial["menu"] == menu.pk
    assert initial["start"] == dt.datetime.fromisoformat(start)
    assert initial["patient"] == sasaki.pk and response.context["patient"] == sasaki
    assert response.context["from_calendar"]


@pytest.mark.parametrize("start", ["tomorrow", "2026-02-30T10:00", "0001-01-01T00:00", "9" * 40])
def test_a_bad_start_in_the_link_is_left_out(ours, login, start):
    response = login(ours.frontdesk).get(BOOK, {"start": start, "practitioner": "x"})
    assert response.status_code == 200
    assert "start" not in response.context["form"].initial


def test_a_booking_from_the_calendar_goes_back_to_the_calendar(ours, login, menu, sasaki):
    data = booking(ours, at(day_ahead(7), 10), patient=sasaki.pk, menu=menu.pk, from_calendar="1")
    response = login(ours.frontdesk).post(BOOK, data)
    assert response["Location"].startswith(reverse("patients:calendar"))


# A weekly series -----------------------------------------------------------------------------


@pytest.fixture
def series_clashes(ours):
    """Week 3 of the series taken by another visit, week 4 a holiday."""
    first = at(day_ahead(7), 10)
    visit(ours, first + dt.timedelta(weeks=2, minutes=15), patient=ours.other_patient)
    holiday = (first + dt.timedelta(weeks=3)).date()
    Closure.objects.create(clinic=ours.clinic, day=holiday, reason="祝日")
    return first


def test_a_weekly_series_is_previewed_date_by_date_and_nothing_is_saved(
    ours, login, menu, sasaki, series_clashes
):
    before = Appointment.objects.count()
    data = booking(ours, series_clashes, patient=sasaki.pk, menu=menu.pk, weeks=5)
    response = login(ours.frontdesk).post(BOOK, data)
    preview = response.context["preview"]
    assert [d.start for d in preview] == [series_clashes + dt.timedelta(weeks=n) for n in range(5)]
    problems = [bool(d.problem) for d in preview]
    assert problems == [False, False, True, True, False]
    assert "10:15" in preview[2].problem and "祝日" in preview[3].problem
    assert response.context["free_count"] == 3
    assert Appointment.objects.count() == before


def test_confirming_the_series_books_its_free_dates_together(
    ours, login, menu, sasaki, series_clashes
):
    data = booking(
        ours, series_clashes, patient=sasaki.pk, menu=menu.pk, weeks=5, confirm_series="1"
    )
    response = login(ours.frontdesk).post(BOOK, data)
    assert response.status_code == 302
    booked = Appointment.objects.filter(patient=sasaki).order_by("start")
    weeks = [0, 1, 4]
    assert [v.start for v in booked] == [series_clashes + dt.timedelta(weeks=n) for n in weeks]
    assert all(v.menu == menu and v.created_by == ours.frontdesk for v in booked)


def test_a_date_taken_after_the_preview_is_left_out_when_saving(ours, menu, sasaki):
    first = at(day_ahead(7), 10)
    args = {"patient": sasaki, "practitioner": ours.practitioner, "start": first, "menu": menu}
    preview = services.preview_series(weeks=3, **args)
    assert not any(d.problem for d in preview)
    visit(ours, first + dt.timedelta(weeks=1))  # someone books week 2 meanwhile
    booked, refused = services.book_series(weeks=3, reason="", booked_by=ours.frontdesk, **args)
    assert [v.start for v in booked] == [first, first + dt.timedelta(weeks=2)]
    assert [d.start for d in refused] == [first + dt.timedelta(weeks=1)]


@pytest.mark.parametrize("weeks", ["0", "13", "-1", "x"])
def test_a_series_longer_than_12_weeks_gets_a_message(ours, login, menu, sasaki, weeks):
    data = booking(ours, at(day_ahead(7), 10), patient=sasaki.pk, menu=menu.pk, weeks=weeks)
    response = login(ours.frontdesk).post(BOOK, data)
    assert list(response.context["form"].errors) == ["weeks"]
    assert not Appointment.objects.filter(patient=sasaki).exists()


# Editing, moving and cancelling ------------------------------------------------------------


def detail(pk):
    return reverse("patients:appointment_detail", args=[pk])


def test_the_desk_changes_a_visits_menu_and_note_and_the_end_follows(ours, login, menu):
    longer = MenuFactory(clinic=ours.clinic, name="初診 60分", minutes=60)
    booked = visit(ours, at(day_ahead(7), 10), menu=menu)
    data = {"menu": longer.pk, "reason": "再評価", "note": "タオル持参"}
    response = login(ours.frontdesk).post(detail(booked.pk), data)
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.menu, booked.end, booked.note) == (longer, at(day_ahead(7), 11), "タオル持参")
    assert audited(booked).filter(actor=ours.frontdesk).exists()


def test_a_longer_menu_that_runs_into_the_next_visit_is_refused(ours, login, menu):
    longer = MenuFactory(clinic=ours.clinic, name="初診 90分", minutes=90)
    booked = visit(ours, at(day_ahead(7), 10), menu=menu)
    visit(ours, at(day_ahead(7), 11), patient=PatientFactory(clinic=ours.clinic))
    response = login(ours.frontdesk).post(detail(booked.pk), {"menu": longer.pk, "note": "x"})
    assert response.status_code == 200
    assert "11:00" in response.context["form"].errors["menu"][0]
    booked.refresh_from_db()
    assert booked.menu == menu and booked.note == ""


def test_a_note_too_long_is_refused_and_kept(ours, login, menu):
    booked = visit(ours, at(day_ahead(7), 10), menu=menu)
    response = login(ours.frontdesk).post(detail(booked.pk), {"menu": menu.pk, "note": "長" * 301})
    assert list(response.context["form"].errors) == ["note"]
    assert "長" * 301 in response.content.decode()


def move(pk):
    return reverse("patients:appointment_move", args=[pk])


def test_a_visit_moves_to_a_free_slot_keeping_its_length(ours, login, menu):
    booked = visit(ours, at(day_ahead(7), 10), menu=menu)
    target = at(day_ahead(8), 14, 30)
    response = login(ours.frontdesk).post(
        move(booked.pk), {"start": typed(target), "practitioner": ours.practitioner.pk}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("patients:calendar"))
    booked.refresh_from_db()
    assert (booked.start, booked.end) == (target, target + dt.timedelta(minutes=45))
    assert audited(booked).filter(actor=ours.frontdesk).exists()


def test_a_visit_moves_to_another_practitioner(ours, login, menu):
    other = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER)
    booked = visit(ours, at(day_ahead(7), 10), menu=menu)
    login(ours.frontdesk).post(
        move(booked.pk), {"start": typed(booked.start), "practitioner": other.pk}
    )
    booked.refresh_from_db()
    assert booked.practitioner == other


def test_moving_onto_another_visit_is_refused_with_the_clash_next_to_the_start(ours, login):
    booked = visit(ours, at(day_ahead(7), 10))
    visit(ours, at(day_ahead(7), 14), patient=PatientFactory(clinic=ours.clinic))
    response = login(ours.frontdesk).post(
        move(booked.pk),
        {"start": typed(at(day_ahead(7), 14, 30)), "practitioner": ours.practitioner.pk},
    )
    assert "14:00" in response.context["form"].errors["start"][0]
    booked.refresh_from_db()
    assert booked.start == at(day_ahead(7), 10)


def test_a_visit_may_move_over_its_own_time(ours, login):
    booked = visit(ours, at(day_ahead(7), 10), minutes=60)
    target = at(day_ahead(7), 10, 30)
    login(ours.frontdesk).post(
        move(booked.pk), {"start": typed(target), "practitioner": ours.practitioner.pk}
    )
    booked.refresh_from_db()
    assert booked.start == target


def test_moving_outside_the_practitioners_shift_says_why(ours, login):
    day = day_ahead(7)
    Shift.objects.create(
        clinic=ours.clinic,
        practitioner=ours.practitioner,
        weekday=day.weekday(),
        start=dt.time(9),
        end=dt.time(12),
    )
    booked = visit(ours, at(day, 10))
    response = login(ours.frontdesk).post(
        move(booked.pk), {"start": typed(at(day, 15)), "practitioner": ours.practitioner.pk}
    )
    assert "09:00-12:00" in response.context["form"].errors["practitioner"][0]
    booked.refresh_from_db()
    assert booked.start == at(day, 10)


@pytest.mark.parametrize("start", ["2020-01-01T10:00", "not a time", "2099-01-01T10:00"])
def test_moving_to_a_bad_or_past_time_gets_a_message_on_the_start(ours, login, start):
    booked = visit(ours, at(day_ahead(7), 10))
    response = login(ours.frontdesk).post(
        move(booked.pk), {"start": start, "practitioner": ours.practitioner.pk}
    )
    assert list(response.context["form"].errors) == ["start"]
    assert start in response.content.decode()


def test_a_visit_checked_in_cannot_be_moved(ours, login):
    booked = visit(ours, at(day_ahead(7), 10), status=AppointmentStatus.CHECKED_IN)
    response = login(ours.frontdesk).post(
        move(booked.pk),
        {"start": typed(at(day_ahead(7), 15)), "practitioner": ours.practitioner.pk},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    booked.refresh_from_db()
    assert booked.start == at(day_ahead(7), 10)


def test_the_move_page_opens_with_the_slot_picked_on_the_calendar(ours, login):
    booked = visit(ours, at(day_ahead(7), 10))
    start = f"{day_ahead(8):%Y-%m-%d}T16:00"
    response = login(ours.frontdesk).get(
        move(booked.pk), {"start": start, "practitioner": ours.practitioner.pk}
    )
    assert response.context["form"].initial["start"] == dt.datetime.fromisoformat(start)


def cancel(pk):
    return reverse("patients:appointment_cancel", args=[pk])


def test_a_visit_is_cancelled_with_its_reason_kept_and_audited(ours, login):
    booked = visit(ours, at(day_ahead(7), 10))
    response = login(ours.frontdesk).post(
        cancel(booked.pk), {"reason": CancelReason.PATIENT, "note": "発熱のため"}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    assert (booked.cancel_reason, booked.cancel_note) == (CancelReason.PATIENT, "発熱のため")
    assert booked.status_changed_by == ours.frontdesk
    entry = audited(booked).filter(actor=ours.frontdesk).latest("pk")
    assert "cancel_reason" in str(entry.changes) and "発熱のため" in str(entry.changes)


@pytest.mark.parametrize("reason", ["", "bored", None])
def test_cancelling_without_a_reason_says_so_and_saves_nothing(ours, login, reason):
    booked = visit(ours, at(day_ahead(7), 10))
    data = {"note": "理由なし"} | ({"reason": reason} if reason is not None else {})
    response = login(ours.frontdesk).post(cancel(booked.pk), data)
    assert list(response.context["form"].errors) == ["reason"]
    assert "理由なし" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED and booked.cancel_reason == ""


def test_a_no_show_is_recorded_only_once_the_time_has_come(ours, login):
    ahead = visit(ours, at(day_ahead(7), 10))
    client = login(ours.frontdesk)
    response = client.post(cancel(ahead.pk), {"reason": CancelReason.NO_SHOW})
    assert "reason" in response.context["form"].errors
    ahead.refresh_from_db()
    assert ahead.status == AppointmentStatus.BOOKED
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    missed = visit(ours, start, minutes=1)
    client.post(cancel(missed.pk), {"reason": CancelReason.NO_SHOW})
    missed.refresh_from_db()
    assert (missed.status, missed.cancel_reason) == (AppointmentStatus.NO_SHOW, "no_show")


def test_a_completed_visit_cannot_be_cancelled(ours, login):
    done = visit(ours, at(day_ahead(-1), 10), status=AppointmentStatus.COMPLETED)
    response = login(ours.frontdesk).post(cancel(done.pk), {"reason": CancelReason.CLINIC})
    assert response.context["form"].non_field_errors()
    done.refresh_from_db()
    assert done.status == AppointmentStatus.COMPLETED


def test_the_one_click_status_button_no_longer_cancels_without_a_reason(ours, login):
    booked = visit(ours, at(day_ahead(7), 10))
    login(ours.frontdesk).post(
        reverse("patients:appointment_status", args=[booked.pk]), {"status": "cancelled"}
    )
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_the_day_lists_link_cancel_to_the_reason_form(ours, login):
    start = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=30)
    booked = visit(ours, start)
    page = login(ours.frontdesk).get(
        reverse("patients:day_view"), {"date": f"{timezone.localtime(start):%Y-%m-%d}"}
    )
    assert cancel(booked.pk) in page.content.decode()


def test_a_cancelled_visit_is_never_a_past_visit(ours, login):
    gone = visit(ours, at(day_ahead(-3), 10), patient=ours.patient)
    gone.status, gone.cancel_reason = AppointmentStatus.CANCELLED, CancelReason.CLINIC
    gone.save()
    missed = visit(ours, at(day_ahead(-2), 10), patient=ours.patient)
    missed.status = AppointmentStatus.NO_SHOW
    missed.save()
    done = visit(ours, at(day_ahead(-1), 10), patient=ours.patient)
    done.status = AppointmentStatus.COMPLETED
    done.save()
    page = login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    assert list(page.context["past"]) == [done]
    assert gone not in page.context["upcoming"]
    portal = login(ours.patient_user).get(reverse("assessments:portal_home"))
    assert gone not in portal.context["upcoming"]


def test_a_visit_page_shows_the_cancellation_reason(ours, login):
    booked = visit(ours, at(day_ahead(7), 10))
    services.cancel_appointment(
        appointment=booked, reason=CancelReason.CLINIC, note="施術者急病", by=ours.frontdesk
    )
    page = login(ours.frontdesk).get(detail(booked.pk)).content.decode()
    assert "施術者急病" in page
    assert not login(ours.frontdesk).get(detail(booked.pk)).context["movable"]


def test_the_services_refuse_a_visit_of_another_clinic(ours, theirs):
    booked = visit(ours, at(day_ahead(7), 10))
    with pytest.raises(PermissionDenied):
        services.cancel_appointment(
            appointment=booked, reason=CancelReason.CLINIC, note="", by=theirs.frontdesk
        )
    with pytest.raises(ValidationError):
        services.move_appointment(
            appointment=booked,
            practitioner=theirs.practitioner,
            start=booked.start,
            by=theirs.frontdesk,
        )
    with pytest.raises(PermissionDenied):
        services.move_appointment(
            appointment=booked,
            practitioner=ours.practitioner,
            start=booked.start + dt.timedelta(hours=1),
            by=theirs.frontdesk,
        )
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED and booked.practitioner == ours.practitioner
