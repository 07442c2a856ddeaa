"""The handout as a stored document (issue 13): rendered once when the plan is published, kept in
its own table, read only by the download; two A4 pages for a typical plan."""

import hashlib
import io

import pytest
from django.conf import settings
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from assessments import documents, plans
from assessments.models import CarePlan, PlanDocument
from devtools import bench_data
from tests.assessments import old_schema
from tests.assessments.test_care_plan import KNEE_BACK, SWOLLEN_CALF, pdf_text, signed_assessment
from tests.factories import ClinicFactory, PatientFactory

DOCUMENT_TABLE = PlanDocument._meta.db_table


def published(cast, sections=KNEE_BACK, patient=None):
    """Published through the service, with the commit's callbacks run (as a real request's)."""
    assessment = signed_assessment(cast, sections, patient=patient)
    today = timezone.localdate()
    draft = plans.create_draft(assessment=assessment, by=cast.practitioner, today=today)
    return plans.publish(plan=draft, by=cast.practitioner, today=today, referral_explained=True)


@pytest.fixture
def kept(ours, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = published(ours, patient=ours.patient)
    return plan


def reads_of_the_document(queries) -> list[str]:
    return [q["sql"] for q in queries if DOCUMENT_TABLE in q["sql"]]


def test_a_plan_row_holds_no_file():
    """What a query for plans reads: nothing of the handout (it lives in PlanDocument)."""
    binary = [f.name for f in CarePlan._meta.concrete_fields if isinstance(f, models.BinaryField)]
    assert binary == []


def test_publishing_keeps_the_japanese_handout(ours, kept):
    document = PlanDocument.objects.get(plan=kept)
    content = bytes(document.pdf)
    assert document.language == "ja" and document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.rendered_at >= kept.published_at
    text = pdf_text(content)
    assert "ケアプラン" in text and ours.clinic.name in text


def test_publishing_in_english_still_keeps_the_japanese_handout(
    ours, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        plan = published(ours, patient=ours.patient)
    assert PlanDocument.objects.get(plan=plan).language == "ja"
    assert "ケアプラン" in pdf_text(bytes(plan.document.pdf))


def test_the_kept_handout_is_named_in_the_trail_without_its_bytes(ours, kept):
    from clinic.models import AuditEntry

    entry = AuditEntry.objects.filter(
        content_type__model="plandocument", action=AuditEntry.Action.CREATE
    ).get()
    assert entry.changes["sha256"][1] == kept.document.sha256
    assert "pdf" not in entry.changes


def test_the_download_serves_the_stored_file_as_it_was_stored(ours, kept, login):
    """The bytes come from the row, not from a new rendering: a file that no rendering of this
    plan could produce is what the patient and the desk get."""
    document = kept.document
    document.pdf = b"%PDF-1.7 stored at publishing"
    document.save()
    for client, url in (
        (login(ours.patient_user), reverse("assessments:portal_handout", args=[kept.pk])),
        (login(ours.admin), reverse("assessments:plan_handout", args=[kept.pk])),
        (login(ours.practitioner), reverse("assessments:plan_handout", args=[kept.pk])),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content == b"%PDF-1.7 stored at publishing"


@pytest.mark.parametrize(
    "who, name", [("patient_user", "portal_handout"), ("practitioner", "plan_handout")]
)
def test_the_download_reads_the_file_once(ours, kept, login, who, name):
    client = login(getattr(ours, who))
    url = reverse(f"assessments:{name}", args=[kept.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.content == bytes(kept.document.pdf)
    [read] = reads_of_the_document(queries.captured_queries)
    assert read.lstrip().upper().startswith("SELECT")
    assert PlanDocument.objects.filter(plan=kept).count() == 1


@pytest.mark.parametrize(
    "who, page",
    [
        ("practitioner", lambda cast, plan: reverse("assessments:practitioner_home")),
        ("practitioner", lambda cast, plan: reverse("assessments:plan", args=[plan.pk])),
        (
            "practitioner",
            lambda cast, plan: reverse("assessments:patient_detail", args=[cast.patient.pk]),
        ),
        ("patient_user", lambda cast, plan: reverse("assessments:portal_home")),
        ("patient_user", lambda cast, plan: reverse("assessments:portal_plan", args=[plan.pk])),
    ],
    ids=["today", "plan", "patient", "portal", "portal plan"],
)
def test_pages_that_list_or_show_plans_never_read_the_file(ours, kept, login, who, page):
    client = login(getattr(ours, who))
    url = page(ours, kept)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert any("assessments_careplan" in q["sql"] for q in queries.captured_queries)
    assert reads_of_the_document(queries.captured_queries) == []


def test_the_english_copy_is_rendered_on_demand_and_never_kept(ours, kept, login):
    client = login(ours.practitioner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(
        reverse("assessments:plan_handout", args=[kept.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = pdf_text(response.content)
    assert "Your care plan" in text and "Home exercises" in text
    [document] = PlanDocument.objects.filter(plan=kept)
    assert document.language == "ja" and bytes(document.pdf) != response.content


def test_a_draft_is_never_kept(ours):
    draft = plans.create_draft(
        assessment=signed_assessment(ours, KNEE_BACK),
        by=ours.practitioner,
        today=timezone.localdate(),
    )
    with pytest.raises(documents.NotGiven):
        documents.keep_handout(plan=draft)
    assert not PlanDocument.objects.filter(plan=draft).exists()


def test_a_kept_handout_is_kept_once(ours, kept):
    again = documents.keep_handout(plan=kept)
    assert again.pk == kept.document.pk
    assert PlanDocument.objects.filter(plan=kept).count() == 1


def test_a_plan_with_its_handout_cannot_be_deleted(ours, kept):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        kept.delete()


# Two A4 pages -----------------------------------------------------------------------------


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def test_the_benchs_typical_plan_fits_two_a4_pages_and_reads_back(db):
    clinic = ClinicFactory(slug="bench-small")
    PatientFactory(clinic=clinic)  # number 1, the bench's patient
    plan = bench_data.published_plan(clinic)
    with translation.override("ja"):
        content = documents.render_handout(plan.snapshot)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) <= 2
    # One font in one weight (each other font or weight is subset and embedded again).
    fonts = {
        str(font.get_object().get("/BaseFont")).split("+")[-1]
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert fonts == {"IPAexGothic"}
    page = reader.pages[0].mediabox
    assert (round(float(page.width)), round(float(page.height))) == (595, 842)  # A4 in points
    text = pdf_text(content)
    exercises = [i for i in plan.snapshot["items"] if i["kind"] == "exercise"]
    assert len(exercises) == 5
    for item in exercises:
        assert item["name"]["ja"] in text  # every exercise, its steps and its reason
        assert item["steps"][0][:12] in text
        assert item["reason"]["ja"][:8] in text
    assert "30秒キープ" in text  # the dose
    assert "右脚はもう1セット多く" in text  # the side that gets more
    assert "当院での施術" in text and "鋭い痛み" in text


def test_the_red_flag_handout_still_leads_with_the_doctor_and_lists_what_waits(ours):
    plan = published(ours, SWOLLEN_CALF)
    with translation.override("ja"):
        text = pdf_text(documents.render_handout(plan.snapshot))
    first_exercise = next(i for i in plan.snapshot["items"] if i["kind"] == "exercise")
    assert text.index("医療機関を受診") < text.index(first_exercise["name"]["ja"])
    for held in plan.snapshot["withheld"]:
        assert held["label"]["ja"][:6] in text


BEFORE = [("assessments", "0017_signed_index")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_cached_file_to_its_own_row_and_back():
    then = old_schema.back_to(BEFORE)
    old = then.apps.get_model("assessments", "CarePlan").objects
    assessment = then.apps.get_model("assessments", "Assessment").objects.create(
        clinic=then.clinic, patient=then.patient, practitioner=then.user, status="signed"
    )
    published_at = timezone.now()

    def plan(version, **fields):
        return old.create(
            clinic=then.clinic,
            patient=then.patient,
            assessment=assessment,
            version=version,
            created_by=then.user,
            **fields,
        )

    cached = plan(1, status="superseded", published_at=published_at, handout_pdf=b"%PDF-1 v1")
    uncached = plan(2, status="published", published_at=published_at)

    MigrationExecutor(connection).migrate(then.latest)

    moved = PlanDocument.objects.get(plan_id=cached.pk)
    assert bytes(moved.pdf) == b"%PDF-1 v1" and moved.size == 9 and moved.language == "ja"
    assert moved.sha256 == hashlib.sha256(b"%PDF-1 v1").hexdigest()
    assert moved.rendered_at == published_at
    assert not PlanDocument.objects.filter(plan_id=uncached.pk).exists()

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # and back
    back = executor.loader.project_state([*BEFORE, *then.others]).apps
    again = back.get_model("assessments", "CarePlan").objects
    assert bytes(again.get(pk=cached.pk).handout_pdf) == b"%PDF-1 v1"
    assert again.get(pk=uncached.pk).handout_pdf is None
    MigrationExecutor(connection).migrate(then.latest)
