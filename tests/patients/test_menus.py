"""Menus (施術メニュー): the admin defines them; the desk books one, the visit lasts its length."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEntry
from patients import services
from patients.models import Appointment, AssessmentNeed, Menu, MenuColour
from tests.factories import MenuFactory

BOOK = reverse("patients:book")
MENUS = reverse("patients:menu_list")
NEW = reverse("patients:menu_create")


def tomorrow_at(hour, minute=0):
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def menu_data(**changes):
    data = {
        "name": "初診 整体コース",
        "minutes": "60",
        "price": "8800",
        "colour": MenuColour.GREEN,
        "assessment": AssessmentNeed.INITIAL,
    }
    return data | changes


def booking(cast, when, **changes):
    data = {
        "patient_number": cast.patient.number,
        "practitioner": cast.practitioner.pk,
        "start": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"),
        "reason": "腰の張り",
    }
    return data | changes


def test_the_admin_adds_a_menu_and_it_is_on_the_trail(ours, login):
    response = login(ours.admin).post(NEW, menu_data())
    assert response.status_code == 302 and response["Location"] == MENUS
    menu = Menu.objects.get(clinic=ours.clinic, name="初診 整体コース")
    assert (menu.minutes, menu.price, menu.colour, menu.assessment, menu.is_active) == (
        60,
        8800,
        MenuColour.GREEN,
        AssessmentNeed.INITIAL,
        True,
    )
    kind = ContentType.objects.get_for_model(Menu)
    entry = AuditEntry.objects.get(content_type=kind, object_pk=str(menu.pk))
    assert entry.actor == ours.admin and entry.clinic_id == ours.clinic.pk
    page = login(ours.admin).get(MENUS).content.decode()
    assert "初診 整体コース" in page and "¥8,800" in page and "menu-colour-green" in page


@pytest.mark.parametrize(
    "field, value",
    [
        ("minutes", "33"),
        ("minutes", "0"),
        ("minutes", "245"),
        ("minutes", "ninety"),
        ("price", "-1"),
        ("price", "1000001"),
        ("price", "12.5"),
        ("colour", "#ff00ff"),
        ("assessment", "surgery"),
        ("name", ""),
        ("name", "コース\u200b"),
    ],
)
def test_bad_menu_input_gets_a_message_on_the_field_and_saves_nothing(ours, login, field, value):
    response = login(ours.admin).post(NEW, menu_data(**{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Menu.objects.filter(clinic=ours.clinic, is_active=True).exists()
    if field in ("minutes", "price"):
        assert f'value="{value}"' in response.content.decode()  # what was typed is kept


def test_two_menus_of_a_clinic_cannot_share_a_name(ours, theirs, login):
    MenuFactory(clinic=theirs.clinic, name="整体 45分")  # another clinic's: no matter
    client = login(ours.admin)
    assert client.post(NEW, menu_data(name="整体 45分")).status_code == 302
    response = client.post(NEW, menu_data(name="整体 45分", minutes="30"))
    assert list(response.context["form"].errors) == ["name"]
    assert Menu.objects.filter(clinic=ours.clinic, name="整体 45分").count() == 1


def test_the_admin_edits_a_menu_and_booked_visits_keep_their_times(ours, login):
    menu = MenuFactory(clinic=ours.clinic, minutes=45)
    start = tomorrow_at(10)
    visit = services.book_appointment(
        patient=ours.patient,
        practitioner=ours.practitioner,
        start=start,
        menu=menu,
        reason="",
        booked_by=ours.frontdesk,
    )
    url = reverse("patients:menu_edit", args=[menu.pk])
    response = login(ours.admin).post(url, menu_data(name=menu.name, minutes="60"))
    assert response.status_code == 302
    menu.refresh_from_db()
    visit.refresh_from_db()
    assert menu.minutes == 60 and visit.end == start + dt.timedelta(minutes=45)


def test_a_deactivated_menu_leaves_the_booking_form_and_its_visits_keep_it(ours, login):
    menu = MenuFactory(clinic=ours.clinic, name="整体 45分")
    other = MenuFactory(clinic=ours.clinic, name="整体 60分", minutes=60)
    visit = services.book_appointment(
        patient=ours.patient,
        practitioner=ours.practitioner,
        start=tomorrow_at(10),
        menu=menu,
        reason="",
        booked_by=ours.frontdesk,
    )
    url = reverse("patients:menu_offered", args=[menu.pk])
    assert login(ours.admin).post(url, {"offered": "0"}).status_code == 302
    menu.refresh_from_db()
    visit.refresh_from_db()
    assert not menu.is_active and visit.menu == menu
    offered = login(ours.frontdesk).get(BOOK).context["form"].fields["menu"].queryset
    assert list(offered) == [other]
    refused = login(ours.frontdesk).post(BOOK, booking(ours, tomorrow_at(14), menu=menu.pk))
    assert list(refused.context["form"].errors) == ["menu"]
    login(ours.admin).post(url, {"offered": "1"})
    menu.refresh_from_db()
    assert menu.is_active


def test_the_desk_books_a_menu_and_the_visit_lasts_its_length(ours, login):
    menu = MenuFactory(clinic=ours.clinic, name="整体 45分", minutes=45)
    client = login(ours.frontdesk)
    form = client.get(BOOK).context["form"]
    assert "menu" in form.fields and "minutes" not in form.fields
    response = client.post(BOOK, booking(ours, tomorrow_at(10), menu=menu.pk, minutes="90"))
    assert response.status_code == 302
    visit = Appointment.objects.get(patient=ours.patient, start=tomorrow_at(10))
    assert visit.menu == menu and visit.end == tomorrow_at(10, 45)
    day = client.get(reverse("patients:day_view"), {"date": tomorrow_at(10).date().isoformat()})
    assert "整体 45分" in day.content.decode()


def test_a_booking_in_a_clinic_with_menus_needs_one(ours, login):
    MenuFactory(clinic=ours.clinic)
    response = login(ours.frontdesk).post(BOOK, booking(ours, tomorrow_at(10), minutes="30"))
    assert list(response.context["form"].errors) == ["menu"]
    assert not Appointment.objects.filter(start=tomorrow_at(10)).exists()


def test_another_clinics_menu_cannot_be_booked(ours, theirs, login):
    MenuFactory(clinic=ours.clinic)
    theirs_menu = MenuFactory(clinic=theirs.clinic)
    response = login(ours.frontdesk).post(BOOK, booking(ours, tomorrow_at(10), menu=theirs_menu.pk))
    assert list(response.context["form"].errors) == ["menu"]
    with pytest.raises(ValidationError) as refused:
        services.book_appointment(
            patient=ours.patient,
            practitioner=ours.practitioner,
            start=tomorrow_at(10),
            menu=theirs_menu,
            reason="",
            booked_by=ours.frontdesk,
        )
    assert "menu" in refused.value.error_dict
    assert not Appointment.objects.filter(start=tomorrow_at(10)).exists()


def test_a_clinic_without_menus_types_the_length_starting_from_45_minutes(ours, login):
    form = login(ours.frontdesk).get(BOOK).context["form"]
    assert "menu" not in form.fields and form.fields["minutes"].initial == 45


def test_a_visit_booked_before_menus_shows_without_one(ours, login):
    day = ours.appointment.start.date().isoformat()
    response = login(ours.frontdesk).get(reverse("patients:day_view"), {"date": day})
    assert response.status_code == 200 and ours.appointment.menu is None
    assert "visit-menu" not in response.content.decode()
