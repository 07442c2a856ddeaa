"""The audit chain's blind spots (issue 11, item 8): anchors kept outside the database and used by
every check; every column under the seal; failed log-ins, refused requests and reading the trail
itself recorded."""

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from clinic import audit
from clinic.models import AuditEntry
from tests.clinic.test_audit import behind_the_apps_back
from tests.factories import log_in

pytestmark = pytest.mark.django_db


def trail(clinic):
    return AuditEntry.objects.filter(clinic=clinic).order_by("id")


def delete_newest(clinic, n):
    for entry in list(trail(clinic).order_by("-id")[:n]):
        behind_the_apps_back("DELETE FROM clinic_auditentry WHERE id = %s", [entry.pk])


def test_the_admins_check_catches_removed_newest_entries_after_an_earlier_check(ours, login):
    admin = login(ours.admin)
    page = admin.post(reverse("audit_verify"), follow=True).content.decode()
    assert "alert-success" in page
    audit.viewed(ours.patient, "later work")  # after the anchor: fine
    assert "alert-success" in admin.post(reverse("audit_verify"), follow=True).content.decode()
    delete_newest(ours.clinic, 3)
    assert audit.verify(ours.clinic.pk, anchor=audit.NO_ANCHOR).ok  # the chain alone: blind
    page = admin.post(reverse("audit_verify"), follow=True).content.decode()
    assert "alert-danger" in page


def test_a_failed_check_keeps_the_anchor_it_failed_against(ours, login):
    admin = login(ours.admin)
    admin.post(reverse("audit_verify"))
    kept = audit.latest_anchor(ours.clinic.pk)
    delete_newest(ours.clinic, 2)
    admin.post(reverse("audit_verify"))
    admin.post(reverse("audit_verify"))  # asking again does not make it pass
    assert audit.latest_anchor(ours.clinic.pk)[0] >= kept[0]
    assert not audit.verify(ours.clinic.pk).ok


def test_the_command_catches_a_clinics_whole_trail_removed(ours, theirs):
    call_command("audit_verify", stdout=io.StringIO())  # anchors every clinic
    behind_the_apps_back("DELETE FROM clinic_auditentry WHERE clinic_id = %s", [theirs.clinic.pk])
    out = io.StringIO()
    with pytest.raises(CommandError, match=str(theirs.clinic.pk)):
        call_command("audit_verify", stdout=out)
    assert f"clinic {ours.clinic.pk}: " in out.getvalue()
    assert f"clinic {theirs.clinic.pk}: 0 entries ALTERED" in out.getvalue()


def test_anchors_go_to_the_log_stream(ours, caplog):
    with caplog.at_level(logging.INFO, logger="hikagami.audit"):
        call_command("audit_verify", stdout=io.StringIO())
    lines = [r.getMessage() for r in caplog.records if r.name == "hikagami.audit"]
    last = trail(ours.clinic).last()
    assert any(f"clinic={ours.clinic.pk} " in line and last.entry_hash in line for line in lines)


def test_a_backup_carries_the_anchors_and_verify_checks_against_them(ours, tmp_path):
    call_command("backup", output_dir=str(tmp_path), stdout=io.StringIO())
    archive = next(tmp_path.glob("hikagami-backup-*.tar.gz"))
    from clinic.backups.archive import read_manifest

    anchors = read_manifest(archive)["audit_anchors"]
    assert anchors[str(ours.clinic.pk)] == [
        trail(ours.clinic).count(),
        trail(ours.clinic).last().entry_hash,
    ]
    assert audit.latest_anchor(ours.clinic.pk) == tuple(anchors[str(ours.clinic.pk)])
    call_command("audit_verify", backup=str(archive), stdout=io.StringIO())
    delete_newest(ours.clinic, 1)
    with pytest.raises(CommandError):
        call_command("audit_verify", backup=str(archive), stdout=io.StringIO())


# Every column under the seal --------------------------------------------------------------

EDITS = {
    "object_id": "object_id = object_id + 1000",
    "serialized_data": "serialized_data = '{\"x\": 1}'",
    "cid": "cid = 'forged'",
    "remote_port": "remote_port = 4444",
    "actor_email": "actor_email = 'someone@example.jp'",
    "object_pk": "object_pk = 'forged'",
    "remote_addr": "remote_addr = '198.51.100.7'",
    "seal_version": "seal_version = NULL",  # a downgrade to the five-column seal
}


@pytest.mark.parametrize("column", sorted(EDITS))
def test_an_edit_of_any_column_breaks_the_chain(ours, column):
    middle = trail(ours.clinic)[4]
    behind_the_apps_back(f"UPDATE clinic_auditentry SET {EDITS[column]} WHERE id = %s", [middle.pk])
    check = audit.verify(ours.clinic.pk)
    assert not check.ok and check.broken_at == middle.pk


def test_every_column_but_the_id_and_hashes_is_sealed():
    columns = {f.name for f in AuditEntry._meta.concrete_fields}
    assert columns - audit.UNSEALED >= set(EDITS) - {"seal_version"} | {"timestamp", "changes"}
    assert audit.UNSEALED == {"id", "prev_hash", "entry_hash"}


def test_entries_sealed_the_old_way_still_verify_before_new_ones(ours, monkeypatch):
    """Entries written before version 2 keep their five-column seal; new ones follow them."""
    from clinic.models import Clinic

    monkeypatch.setattr(audit, "SEAL_VERSION", None)
    clinic = Clinic.objects.create(name="旧院", slug="old-clinic")
    audit.viewed(clinic, "old 1")
    audit.viewed(clinic, "old 2")
    monkeypatch.undo()
    audit.viewed(clinic, "new")
    versions = list(trail(clinic).values_list("seal_version", flat=True))
    assert versions == [None, None, None, 2]
    assert audit.verify(clinic.pk).ok


# Events that were missing ------------------------------------------------------------------


def events(clinic, event):
    return trail(clinic).filter(additional_data__event=event)


def test_a_failed_log_in_is_recorded_on_the_account(ours):
    assert not log_in(Client(REMOTE_ADDR="192.0.2.44"), ours.frontdesk.username, "wrong")
    entry = events(ours.clinic, audit.LOGIN_FAILED).get()
    assert entry.object_pk == str(ours.frontdesk.pk)
    assert entry.remote_addr == "192.0.2.44"
    assert entry.actor_id is None


def test_a_failed_log_in_with_an_unknown_name_keeps_nothing_that_was_typed(ours):
    Client().post(
        reverse("login"),
        {"clinic": ours.clinic.slug, "username": "MyS3cretPassw0rd", "password": "x"},
    )
    entry = events(ours.clinic, audit.LOGIN_FAILED).get()
    assert entry.object_pk == str(ours.clinic.pk)
    assert "MyS3cret" not in str(entry.additional_data) + entry.object_repr + entry.changes_text


def test_a_failed_log_in_at_an_unknown_clinic_code_is_only_logged(ours):
    before = AuditEntry.objects.count()
    Client().post(reverse("login"), {"clinic": "nowhere", "username": "a", "password": "x"})
    assert AuditEntry.objects.count() == before


def test_a_lockout_is_recorded(ours, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        log_in(Client(), ours.frontdesk.username, "wrong")
    assert events(ours.clinic, audit.LOCKED_OUT).exists()


def test_refused_requests_on_clinical_urls_are_recorded(ours, theirs, login):
    desk = login(ours.frontdesk)
    assert desk.get(reverse("assessments:detail", args=[ours.assessment.pk])).status_code == 403
    assert (
        desk.get(reverse("assessments:patient_detail", args=[theirs.patient.pk])).status_code == 404
    )
    refused = list(events(ours.clinic, audit.REFUSED).values_list("additional_data", flat=True))
    assert [d["what"].split()[0] for d in refused] == ["403", "404"]
    assert not events(theirs.clinic, audit.REFUSED).exists()


def test_unknown_urls_and_anonymous_requests_are_not_recorded(ours, login):
    desk = login(ours.frontdesk)
    before = AuditEntry.objects.count()
    assert desk.get("/wp-admin/setup.php").status_code == 404
    Client().get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    assert AuditEntry.objects.count() == before


def test_reading_the_trail_is_in_the_trail(ours, login):
    admin = login(ours.admin)
    admin.get(reverse("audit_list"), {"kind": "view"})
    admin.get(reverse("audit_export"))
    admin.post(reverse("audit_verify"))
    whats = list(
        trail(ours.clinic)
        .filter(actor=ours.admin, action=AuditEntry.Action.ACCESS)
        .values_list("additional_data", flat=True)
    )
    assert whats[-3]["what"] == "audit_list?kind=view"
    assert whats[-2]["what"] == "audit.csv"
    assert whats[-1]["what"].startswith("audit_verify: ") and "intact" in whats[-1]["what"]
