"""The audit trail: every change and every view of a clinical record, append-only and chained;
the admin reads it by patient, staff member and date, exports CSV; disclosure exports."""

import csv
import datetime as dt
import importlib
import io
import json
import re
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import documents
from assessments.models import Amendment, Assessment, ComplaintRecord
from assessments.reminders import send_due
from clinic import audit
from clinic.models import AuditEntry
from patients.models import Patient

ROOT = Path(__file__).resolve().parents[2]


def entries_for(obj, **filters):
    return AuditEntry.objects.filter(
        content_type__model=obj._meta.model_name, object_pk=str(obj.pk), **filters
    ).order_by("id")


def test_registering_a_patient_records_who_when_what_and_from_where(ours, login):
    client = login(ours.frontdesk)
    response = client.post(
        reverse("patients:patient_create"),
        {
            "family_name": "監査",
            "given_name": "花子",
            "family_name_kana": "カンサ",
            "given_name_kana": "ハナコ",
            "birth_date": "1980-04-01",
            "sex": "female",
            "phone": "090-1111-2222",
            "consent_treatment": "on",
            "consent_privacy": "on",
        },
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302, response.context["form"].errors
    patient = Patient.objects.get(family_name="監査")
    created = entries_for(patient, action=AuditEntry.Action.CREATE).get()
    assert created.actor == ours.frontdesk
    assert created.actor_name == ours.frontdesk.username
    assert created.remote_addr == "192.0.2.7"
    assert created.clinic_id == ours.clinic.pk and created.patient_id == patient.pk
    assert created.changes["family_name"] == ["None", "監査"]
    consents = AuditEntry.objects.filter(patient=patient, content_type__model="consent")
    assert consents.count() == 2


def test_a_change_keeps_before_and_after_and_a_forwarded_address_is_not_trusted(ours, login):
    client = login(ours.frontdesk)
    patient = ours.patient
    form = client.get(reverse("patients:patient_edit", args=[patient.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="03-9999-0000", birth_date=patient.birth_date.isoformat())
    response = client.post(
        reverse("patients:patient_edit", args=[patient.pk]),
        data,
        REMOTE_ADDR="192.0.2.8",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert response.status_code == 302
    change = entries_for(patient, action=AuditEntry.Action.UPDATE).last()
    assert change.changes["phone"][1] == "03-9999-0000"
    assert change.changes["phone"][0] == patient.phone
    assert "search_key" not in change.changes
    # Without AXES_PROXY_COUNT the header is the client's word, not its address.
    assert change.remote_addr == "192.0.2.8"


def test_views_and_downloads_of_the_clinical_record_are_recorded(ours, login):
    doctor = login(ours.practitioner)
    doctor.get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    doctor.get(reverse("assessments:detail", args=[ours.assessment.pk]))
    doctor.get(reverse("assessments:plan", args=[ours.plan.pk]))
    doctor.get(reverse("assessments:plan_handout", args=[ours.plan.pk]))
    doctor.get(reverse("assessments:referral_letter", args=[ours.referral.pk]))
    login(ours.patient_user).get(reverse("assessments:portal_handout", args=[ours.plan.pk]))

    seen = AuditEntry.objects.filter(patient=ours.patient, action=AuditEntry.Action.ACCESS)
    events = [
        (
            e.actor_id,
            e.content_type.model,
            e.additional_data["event"],
            e.additional_data.get("what"),
        )
        for e in seen.order_by("id")
    ]
    pr, pt = ours.practitioner.pk, ours.patient_user.pk
    assert events == [
        (pr, "patient", "view", "patient_page"),
        (pr, "assessment", "view", None),
        (pr, "careplan", "view", None),
        (pr, "careplan", "download", "handout.pdf"),
        (pr, "referral", "download", "referral_letter.pdf"),
        (pt, "careplan", "download", "handout.pdf"),
    ]


def test_a_refused_view_leaves_no_trace_of_a_record_it_did_not_show(ours, theirs, login):
    doc = login(ours.practitioner)
    before = AuditEntry.objects.count()
    response = doc.get(reverse("assessments:detail", args=[theirs.assessment.pk]))
    assert response.status_code == 404
    # One line only: the refusal, in our clinic's trail, on the practitioner's own account;
    # nothing names their record, and their clinic's trail is untouched.
    new = list(AuditEntry.objects.filter(pk__gt=before_id(before)))
    assert len(new) == 1 and AuditEntry.objects.count() == before + 1
    refusal = new[0]
    assert refusal.clinic_id == ours.clinic.pk and refusal.actor_id == ours.practitioner.pk
    assert refusal.additional_data["event"] == "refused"
    assert refusal.additional_data["what"].startswith("404 GET /assessments/")
    assert refusal.object_pk == str(ours.practitioner.pk)
    assert not AuditEntry.objects.filter(clinic=theirs.clinic, pk__gt=before_id(before)).exists()


def before_id(count):
    return AuditEntry.objects.order_by("id").values_list("id", flat=True)[count - 1]


COMPLAINT = {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": "5"}


def test_signing_and_amending_are_in_the_trail(ours, login):
    doc = login(ours.practitioner)
    doc.post(reverse("assessments:start", args=[ours.other_patient.pk]))
    assessment = Assessment.objects.get(patient=ours.other_patient)
    for section, data in (("complaint", COMPLAINT), ("red_flags", {})):
        assessment.refresh_from_db()
        url = reverse("assessments:section", args=[assessment.pk, section])
        doc.post(url, {"revision": assessment.revision, **data})
    doc.post(reverse("assessments:sign", args=[assessment.pk]))
    assessment.refresh_from_db()
    doc.post(
        reverse("assessments:amend", args=[assessment.pk, "complaint"]),
        {**COMPLAINT, "pain": "7", "reason": "聞き取りの訂正", "revision": assessment.revision},
    )
    changes = [e.changes for e in entries_for(assessment, action=AuditEntry.Action.UPDATE)]
    assert any(c.get("status") == ["draft", "signed"] for c in changes)
    # the finding changed on the complaint's typed record, field by field
    complaint = ComplaintRecord.objects.get(assessment=assessment)
    pain = [e.changes.get("pain") for e in entries_for(complaint, action=AuditEntry.Action.UPDATE)]
    assert ["5", "7"] in pain
    assert entries_for(complaint).filter(patient_id=ours.other_patient.pk).exists()
    amendment = Amendment.objects.get(assessment=assessment)
    recorded = entries_for(amendment).get()
    assert recorded.patient_id == ours.other_patient.pk and recorded.actor == ours.practitioner
    assert recorded.changes["reason"][1] == "聞き取りの訂正"


def test_the_trail_cannot_be_changed_or_removed_through_the_app(ours):
    entry = AuditEntry.objects.filter(clinic=ours.clinic).first()
    entry.object_repr = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "changed"


def behind_the_apps_back(sql, params):
    """What someone with full rights on the database could do: get past the append-only
    trigger first (PostgreSQL: replica mode fires no ordinary trigger; SQLite: drop it)."""
    guard = importlib.import_module("clinic.migrations.0007_audit_no_update_in_sqlite")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER clinic_auditentry_no_update")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        else:
            cursor.execute(guard.CREATE)


def test_the_database_itself_refuses_to_change_an_entry(ours):
    from django.db import DatabaseError, transaction

    entry = AuditEntry.objects.filter(clinic=ours.clinic).first()
    refused = ["UPDATE clinic_auditentry SET object_repr = 'x' WHERE id = %s"]
    if connection.vendor == "postgresql":
        refused.append("DELETE FROM clinic_auditentry WHERE id = %s")  # SQLite: README
    for sql in refused:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()


def test_the_chain_is_intact_after_normal_work(ours):
    check = audit.verify(ours.clinic.pk)
    assert check.ok and check.checked == AuditEntry.objects.filter(clinic=ours.clinic).count() > 10
    assert check.last_hash == AuditEntry.objects.filter(clinic=ours.clinic).latest("id").entry_hash


def test_an_entry_edited_behind_the_apps_back_breaks_the_chain_there(ours):
    middle = AuditEntry.objects.filter(clinic=ours.clinic).order_by("id")[5]
    behind_the_apps_back(
        "UPDATE clinic_auditentry SET remote_addr = %s WHERE id = %s", ["198.51.100.1", middle.pk]
    )
    check = audit.verify(ours.clinic.pk)
    assert not check.ok and check.broken_at == middle.pk and check.checked == 5


def test_an_entry_removed_behind_the_apps_back_breaks_the_chain_after_it(ours):
    rows = list(AuditEntry.objects.filter(clinic=ours.clinic).order_by("id")[:8])
    behind_the_apps_back("DELETE FROM clinic_auditentry WHERE id = %s", [rows[6].pk])
    check = audit.verify(ours.clinic.pk)
    assert not check.ok and check.broken_at == rows[7].pk


def test_the_admins_check_button_reports_intact_and_altered(ours, login):
    client = login(ours.admin)
    page = client.post(reverse("audit_verify"), follow=True).content.decode()
    assert "alert-success" in page and "改ざんされていません" in page
    last = AuditEntry.objects.filter(clinic=ours.clinic).latest("id")
    behind_the_apps_back("UPDATE clinic_auditentry SET object_repr = 'x' WHERE id = %s", [last.pk])
    page = client.post(reverse("audit_verify"), follow=True).content.decode()
    assert "alert-danger" in page and str(last.pk) in page


def _at(entry_day: dt.date):
    return timezone.make_aware(dt.datetime.combine(entry_day, dt.time(10)))


def test_who_saw_or_changed_this_patients_record_last_month(ours, login):
    """The question the issue asks, answered from the admin's page."""
    first_of_month = timezone.localdate().replace(day=1)
    last_month = (first_of_month - dt.timedelta(days=1)).replace(day=12)
    AuditEntry.objects.log_create(
        ours.patient,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        additional_data={"event": "view"},
        actor=ours.frontdesk,
        actor_name="desk-last-month",
        timestamp=_at(last_month),
    )
    AuditEntry.objects.log_create(
        ours.assessment,
        action=AuditEntry.Action.UPDATE,
        changes={"status": ["draft", "signed"]},
        actor=ours.practitioner,
        actor_name="doc-last-month",
        timestamp=_at(last_month),
    )
    AuditEntry.objects.log_create(
        ours.other_patient,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        additional_data={"event": "view"},
        actor_name="other-patient-view",
        timestamp=_at(last_month),
    )
    response = login(ours.admin).get(
        reverse("audit_list"),
        {
            "patient": ours.patient.number,
            "since": (first_of_month - dt.timedelta(days=1)).replace(day=1).isoformat(),
            "until": (first_of_month - dt.timedelta(days=1)).isoformat(),
        },
    )
    names = [row["who"] for row in response.context["rows"]]
    assert sorted(names) == ["desk-last-month", "doc-last-month"]


def test_the_admin_filters_by_staff_member_and_kind(ours, login):
    # Kept at publishing in a real request (the cast's publish never commits): otherwise the
    # download below would keep it, a change of the practitioner's of its own.
    documents.keep_handout(plan=ours.plan)
    doc = login(ours.practitioner)
    doc.get(reverse("assessments:plan_handout", args=[ours.plan.pk]))
    doc.post(reverse("assessments:acknowledge", args=[ours.assessment.pk, ours.flag.pk]))
    client = login(ours.admin)
    response = client.get(
        reverse("audit_list"), {"actor": ours.practitioner.pk, "kind": "download"}
    )
    rows = response.context["rows"]
    assert len(rows) == 1 and rows[0]["detail"] == "handout.pdf"
    response = client.get(reverse("audit_list"), {"actor": ours.practitioner.pk, "kind": "change"})
    [row] = response.context["rows"]
    assert row["entry"].content_type.model == "redflag" and row["what"] == "変更"
    assert "確認者" in [label for label, _before, _after in row["changes"]]


def test_another_clinics_trail_is_never_shown(ours, theirs, login):
    client = login(ours.admin)
    everything = client.get(reverse("audit_list"), {"page": 1})
    assert all(row["entry"].clinic_id == ours.clinic.pk for row in everything.context["rows"])
    response = client.get(reverse("audit_list"), {"actor": theirs.practitioner.pk})
    assert response.context["rows"] == []
    assert "actor" in response.context["filter"].form.errors
    response = client.get(reverse("audit_export"), {"patient": theirs.patient.number + 10_000})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 1  # the header only


def test_a_bad_date_is_shown_next_to_the_field_and_the_csv_is_not_widened(ours, login):
    client = login(ours.admin)
    response = client.get(reverse("audit_list"), {"since": "2026-13-45"})
    assert response.status_code == 200
    assert "since" in response.context["filter"].form.errors
    assert response.context["rows"] == []
    assert 'value="2026-13-45"' in response.content.decode()
    response = client.get(reverse("audit_export"), {"since": "2026-13-45"})
    assert response.status_code == 302 and "since=2026-13-45" in response["Location"]


def test_the_csv_export_holds_the_filtered_trail_and_is_itself_recorded(ours, login):
    login(ours.practitioner).get(reverse("assessments:detail", args=[ours.assessment.pk]))
    client = login(ours.admin)
    response = client.get(reverse("audit_export"), {"patient": ours.patient.number})
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    expected = AuditEntry.objects.filter(clinic=ours.clinic, patient=ours.patient).count()
    assert len(rows) == 1 + expected
    assert all(row[5] == ours.patient.number_display for row in rows[1:])
    assert any(row[1] == ours.practitioner.username and row[3] == "評価" for row in rows[1:])
    exported = AuditEntry.objects.filter(
        clinic=ours.clinic, actor=ours.admin, additional_data__event="export"
    )
    assert exported.get().additional_data["what"] == f"audit.csv?patient={ours.patient.number}"


def test_the_disclosure_export_holds_the_whole_record(ours, login):
    client = login(ours.admin)
    response = client.get(reverse("assessments:patient_export_json", args=[ours.patient.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    record = json.loads(response.content)
    assert record["patient"]["family_name"] == ours.patient.family_name
    assert "search_key" not in record["patient"]
    assert record["assessments"][0]["flags_raised"][0]["code"] == "fever"
    assert (
        record["assessments"][0]["red_flags"]
        == {"fever": True} | record["assessments"][0]["red_flags"]
    )
    assert record["care_plans"][0]["snapshot"]["items"]
    assert record["referrals"][0]["number"] == ours.referral.number
    assert len(record["consents"]) == ours.patient.consents.count()
    assert record["safety_checks"][0]["night_pain"] is True
    assert record["portal_account"]["username"] == ours.patient_user.username
    assert "password" not in record["portal_account"]
    # who used the record, up to and including this export
    assert record["access_log"][-1]["what"] == "書き出し"
    assert record["access_log"][-1]["by"] == str(ours.admin)
    entry = AuditEntry.objects.filter(patient=ours.patient, additional_data__event="export").get()
    assert entry.actor == ours.admin


def test_the_disclosure_pdf_reads_back_with_the_patients_record(ours, login):
    response = login(ours.admin).get(
        reverse("assessments:patient_export_pdf", args=[ours.patient.pk])
    )
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    squashed = re.sub(r"\s+", "", text)
    assert ours.patient.family_name in squashed
    assert "評価" in squashed and "ケアプラン" in squashed and "変更記録" not in squashed
    given = ours.plan.snapshot["items"][0]
    name = given.get("name") or given["label"]  # frozen in both languages; the PDF is in ja
    assert re.sub(r"\s+", "", name["ja"]) in squashed


def test_the_disclosure_export_is_for_the_admin_only(ours, login):
    response = login(ours.practitioner).get(
        reverse("assessments:patient_export_json", args=[ours.patient.pk])
    )
    assert response.status_code == 403


def test_reminders_claimed_by_update_are_still_in_the_trail(ours, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ours.patient.email = "patient@example.com"
    ours.patient.save()
    today = timezone.localdate() + dt.timedelta(days=5)
    with audit.acting_as("send_reminders"):
        sent = send_due(today)
    assert sent >= 1
    entry = entries_for(ours.patient, action=AuditEntry.Action.UPDATE).last()
    assert entry.changes["last_reminded_on"][1] == str(today)
    assert entry.actor_name == "send_reminders" and entry.actor is None


# The write paths that bypass model signals: none may touch audited data unrecorded.
ALLOWED_BULK = {
    # counters, not records: the number handed out is on the patient / referral created
    ("patients/services.py", "Clinic.objects.filter(pk=clinic_id).update(next_patient_number"),
    ("assessments/referrals.py", "Clinic.objects.filter(pk=clinic_id).update(next_referral_number"),
    ("patients/checkout.py", "Clinic.objects.filter(pk=clinic_id).update(next_receipt_number"),
    # recorded by hand with audit.changed() right after
    ("clinic/two_factor.py", "TOTPDevice.objects.filter(user=member).delete()"),
    # spare unconfirmed devices (secrets never used) once one is confirmed; the enrolment is
    # recorded
    ("clinic/two_factor.py", ".exclude(pk=device.pk).delete()"),
    # enrolments a session began and never confirmed, a day old (secrets never used)
    ("clinic/two_factor.py", "created_at__lt=timezone.now()-PENDING_LIFETIME).delete()"),
    # the one-time backup codes of a set replaced or voided (not audited records; the change is
    # recorded by hand with _record() right after)
    ("clinic/two_factor.py", "device.token_set.all().delete()"),
    ("assessments/reminders.py", ".update(last_reminded_on"),
    # the e-mail throttle's counting rows (no record: keyed hashes only), a day old
    ("clinic/throttle.py", "SentMail.objects.filter(created_at__lt"),
}


def test_no_unrecorded_bulk_write_touches_audited_data():
    """QuerySet.update/delete and bulk_create/bulk_update write no trail: each use is listed."""
    pattern = re.compile(r"\)\.update\(|\.bulk_create\(|\.bulk_update\(|\)\.delete\(\)")
    unexplained = []
    for app in ("clinic", "patients", "assessments"):
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/management/" in rel or rel.endswith("bench.py"):
                continue
            text = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
            for match in pattern.finditer(text):
                window = text[max(0, match.start() - 100) : match.end() + 40]
                if not any(rel == a and b in window for a, b in ALLOWED_BULK):
                    unexplained.append((rel, window))
    assert unexplained == []


def test_the_bulk_write_finder_finds_what_it_looks_for(tmp_path):
    assert re.search(r"\)\.update\(", "Patient.objects.filter(pk=1).update(phone='')")
    assert not re.search(r"\)\.update\(", "attrs.update(x=1)")


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_keep_one_unbroken_chain(ours):
    barrier = threading.Barrier(4)
    errors = []

    def work(n):
        try:
            barrier.wait(timeout=10)
            for i in range(5):
                audit.viewed(ours.patient, f"thread-{n}-{i}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    created = AuditEntry.objects.filter(
        clinic=ours.clinic, additional_data__what__startswith="thread-"
    )
    assert created.count() == 20
    assert audit.verify(ours.clinic.pk).ok


def test_the_verify_command_fails_loudly_on_an_altered_chain(ours):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert f"clinic {ours.clinic.pk}:" in out.getvalue() and "ok" in out.getvalue()
    entry = AuditEntry.objects.filter(clinic=ours.clinic).order_by("id")[2]
    behind_the_apps_back("UPDATE clinic_auditentry SET actor_name = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=io.StringIO())


def test_logging_in_and_out_is_in_the_trail(ours, login):
    client = login(ours.frontdesk)
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.9")
    response = login(ours.admin).get(
        reverse("audit_list"), {"actor": ours.frontdesk.pk, "kind": "login"}
    )
    assert [row["what"] for row in response.context["rows"]] == ["ログアウト", "ログイン"]
    assert response.context["rows"][0]["entry"].remote_addr == "192.0.2.9"


def test_removing_the_newest_entries_shows_against_an_anchor(ours, tmp_path):
    from django.core.management import CommandError, call_command

    anchor = tmp_path / "anchor.json"
    call_command("audit_verify", anchor=str(anchor), stdout=io.StringIO())
    kept = audit.read_anchors(anchor)[str(ours.clinic.pk)]
    assert kept[0] == AuditEntry.objects.filter(clinic=ours.clinic).count()
    audit.viewed(ours.patient)  # new work after the anchor is fine
    call_command("audit_verify", anchor=str(anchor), stdout=io.StringIO())
    newest = AuditEntry.objects.filter(clinic=ours.clinic).order_by("-id")[:2]
    for entry in list(newest):
        behind_the_apps_back("DELETE FROM clinic_auditentry WHERE id = %s", [entry.pk])
    assert audit.verify(ours.clinic.pk, anchor=audit.NO_ANCHOR).ok  # the chain alone cannot
    with pytest.raises(CommandError, match="altered"):
        call_command("audit_verify", anchor=str(anchor), stdout=io.StringIO())


def test_the_chain_is_sealed_with_a_key_outside_the_database(ours, settings):
    assert audit.verify(ours.clinic.pk).ok
    settings.AUDIT_CHAIN_KEY = "someone-elses-key"
    assert not audit.verify(ours.clinic.pk).ok


def test_the_trail_takes_no_bulk_inserts_and_never_overwrites(ours):
    from django.db import IntegrityError, transaction

    first = AuditEntry.objects.filter(clinic=ours.clinic).order_by("id").first()
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_create([AuditEntry(content_type=first.content_type, action=3)])
    forged = AuditEntry(
        pk=first.pk, content_type=first.content_type, object_pk="1", object_repr="x", action=3
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get(pk=first.pk).object_repr == first.object_repr


def test_a_name_typed_as_a_formula_is_not_a_formula_in_the_csv(ours, login):
    ours.patient.family_name = '=HYPERLINK("http://x")'
    ours.patient.save()
    response = login(ours.admin).get(reverse("audit_export"), {"patient": ours.patient.number})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    names = {row[6] for row in rows[1:]}
    assert names == {"'" + ours.patient.full_name}
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_new_password_shows_as_changed_and_nothing_of_it(ours, login):
    response = login(ours.admin).post(
        reverse("staff_password", args=[ours.frontdesk.pk]),
        {"new_password1": "a-new-Pass-2026!", "new_password2": "a-new-Pass-2026!"},
    )
    assert response.status_code == 302
    entry = entries_for(ours.frontdesk, action=AuditEntry.Action.UPDATE).last()
    assert entry.changes["password"] == ["********", "********"]


def test_a_form_shown_again_with_its_errors_is_a_view_and_a_save_is_only_a_change(ours, login):
    doc = login(ours.practitioner)
    assessment = Assessment.objects.get(pk=ours.assessment.pk)
    url = reverse("assessments:section", args=[assessment.pk, "complaint"])
    views = entries_for(assessment, action=AuditEntry.Action.ACCESS)

    before = views.count()
    refused = doc.post(url, {"revision": assessment.revision, **COMPLAINT, "pain": "11"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert views.count() == before + 1

    saved = doc.post(url, {"revision": assessment.revision, **COMPLAINT})
    assert saved.status_code == 302
    assert views.count() == before + 1
    assert (
        entries_for(assessment, action=AuditEntry.Action.UPDATE).last().actor == ours.practitioner
    )


@pytest.mark.parametrize("number", ["abc", "-1", "0", "99999999999999999999"])
def test_a_patient_number_that_cannot_be_one_is_an_error_next_to_the_field(ours, login, number):
    response = login(ours.admin).get(reverse("audit_list"), {"patient": number})
    assert response.status_code == 200
    assert "patient" in response.context["filter"].form.errors
    assert response.context["rows"] == []
    assert f'value="{number}"' in response.content.decode()
