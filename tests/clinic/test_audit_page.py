"""An audit page a clinic admin can read (issue 11, item 12): labels, not field names; values in
the reader's language; every time in the clinic's time zone; staff in the person filter and
patients found by search."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import AuditEntry
from patients import services
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows(client, **query):
    return client.get(reverse("audit_list"), query).context["rows"]


def changes_of(rows_, record_repr):
    for row in rows_:
        if row["entry"].object_repr == record_repr and row["changes"]:
            return {label: (before, after) for label, before, after in row["changes"]}
    raise AssertionError(f"no change row for {record_repr}")


def test_a_staff_change_reads_as_words_not_codes(ours, login):
    admin = login(ours.admin)
    admin.post(
        reverse("staff_edit", args=[ours.frontdesk.pk]),
        {"username": ours.frontdesk.username, "display_name": "受付 花子", "role": "admin"},
    )
    changed = changes_of(rows(admin, kind="change"), "受付 花子")
    assert changed["ログインできる"] == ("はい", "いいえ")  # not True → False
    assert changed["役割"] == ("受付", "院の管理者")  # not frontdesk → admin
    assert changed["ログインの終了（回数）"] == ("0", "1")
    for label in changed:
        assert "_" not in label and not label.isascii()


def test_times_in_the_changes_are_in_the_clinics_time_zone_and_people_by_name(ours, login):
    services.archive_patient(patient=ours.other_patient, by=ours.frontdesk)
    ours.other_patient.refresh_from_db()
    local = timezone.localtime(ours.other_patient.archived_at)
    assert local.utcoffset().total_seconds() == 9 * 3600  # Asia/Tokyo, not UTC
    changed = changes_of(rows(login(ours.admin), kind="change"), str(ours.other_patient))
    assert changed["アーカイブ日時"] == ("", date_format(local, "SHORT_DATETIME_FORMAT"))
    assert changed["アーカイブした人"] == ("", str(ours.frontdesk))  # not the account's id
    assert changed["アーカイブ済み"] == ("いいえ", "はい")


def test_the_page_costs_the_same_queries_for_few_or_many_linked_records(
    ours, login, django_assert_max_num_queries
):
    admin = login(ours.admin)
    services.archive_patient(patient=ours.other_patient, by=ours.frontdesk)
    with django_assert_max_num_queries(40) as few:
        admin.get(reverse("audit_list"), {"kind": "change"})
    for _n in range(6):
        patient = PatientFactory(clinic=ours.clinic)
        services.archive_patient(
            patient=patient, by=UserFactory(clinic=ours.clinic, role="frontdesk")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get(reverse("audit_list"), {"kind": "change"})


def test_the_person_filter_lists_staff_only_and_finds_patients_by_search(ours, login):
    for n in range(3):
        UserFactory(clinic=ours.clinic, role="patient", username=f"pt{n}@example.jp")
    admin = login(ours.admin)
    form = admin.get(reverse("audit_list")).context["filter"].form
    listed = set(form.fields["actor"].queryset)
    assert ours.frontdesk in listed and ours.admin in listed
    assert not any(user.role == "patient" for user in listed)
    # The patient's own portal use, found by their number and by their name.
    login(ours.patient_user).get(reverse("assessments:portal_home"))
    by_number = rows(admin, patient_account=str(ours.patient.number))
    assert by_number and {r["entry"].actor_id for r in by_number} == {ours.patient_user.pk}
    by_name = rows(admin, patient_account=ours.patient.family_name)
    assert {r["entry"].actor_id for r in by_name} == {ours.patient_user.pk}
    assert rows(admin, patient_account="存在しない名前") == []


def test_the_page_and_the_csv_show_local_times(ours, login):
    admin = login(ours.admin)
    entry = AuditEntry.objects.filter(clinic=ours.clinic).latest("id")
    local = timezone.localtime(entry.timestamp)
    page = admin.get(reverse("audit_list")).content.decode()
    assert f"{local:%Y-%m-%d %H:%M}" in page
    csv_text = b"".join(admin.get(reverse("audit_export")).streaming_content).decode()
    assert local.isoformat(timespec="seconds") in csv_text
