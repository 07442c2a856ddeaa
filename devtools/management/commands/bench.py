"""The project's benchmark (`make bench`): patient search and the patient list at 100,000 patients.

Seeds two clinics if needed (see seed_patients), then times each page through Django's test client
as the clinic's front-desk user, and prints a Markdown table. The same pages are also run in a small
clinic (1,000 patients); the command fails if any page needs more SQL queries with more data.
See docs/benchmarks.md.
"""

import datetime as dt
import logging
import os
import platform
import statistics
import time
from dataclasses import dataclass, field

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from assessments.models import AssessmentStatus, PlanItem
from clinic.models import Clinic, User
from devtools import bench_data as bench_assessments
from patients.models import Patient

LARGE_CLINIC, SMALL_CLINIC = "bench", "bench-small"
ONE_PAGE = (
    '<html><body style="font-family: IPAexGothic"><h1>一ページの文書</h1>'
    "<p>比較のための短い日本語の文書です。</p></body></html>"
)


class _ListHandler(logging.Handler):
    def __init__(self, sink):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record):
        self.sink.append(record.getMessage())


def _timed(call, runs, warmup=3) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


ASSESSMENT_HISTORY = (1, 20)
WARMUP = 3
OUTCOMES_RUNS = 10
DEEP_PAGE = 2000


@dataclass
class Page:
    label: str
    path: str
    # Checks the page object of a verified response; returns a problem, or "" when plausible.
    check: object = None
    # Where the check finds that object in the response's context, and how it counts it.
    shown: str = "page"
    counted: object = staticmethod(lambda shown: shown.paginator.count)


@dataclass
class Result:
    page: Page
    count: int | None
    times_ms: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[18]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores (nproc), {cpu}; Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )


def database() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"sqlite (SQLite {cursor.fetchone()[0]}, {connection.settings_dict['NAME']})"
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            return f"postgresql (PostgreSQL {version}, {connection.settings_dict['NAME']})"
    return connection.vendor


def expect_all(total):
    def check(page):
        if page.paginator.count != total:
            return f"listed {page.paginator.count} patients, the clinic has {total}"
        if len(page.object_list) != min(total, settings.PATIENTS_PER_PAGE):
            return f"page 1 shows {len(page.object_list)} rows"
        return ""

    return check


def expect_deep(total):
    def check(page):
        wanted = min(DEEP_PAGE, page.paginator.num_pages)
        if page.paginator.count != total or page.number != wanted or not page.object_list:
            return f"page {page.number} of {page.paginator.count} patients, wanted page {wanted}"
        return ""

    return check


def expect_found(total, at_least, must_include=None):
    """A search: at least `at_least` hits (counted independently), fewer than all patients."""

    def check(page):
        found = page.paginator.count
        if found < max(1, at_least) or found >= total:
            return f"found {found} patients, expected between {max(1, at_least)} and {total - 1}"
        if must_include is not None and must_include.pk not in {p.pk for p in page.object_list}:
            return f"{must_include.full_name} (no. {must_include.number}) is not on page 1"
        return ""

    return check


def pages_for(clinic) -> list[Page]:
    patients = Patient.objects.filter(clinic=clinic, is_archived=False)
    total = patients.count()
    yamada = patients.filter(family_name_kana="ヤマダ")
    named = yamada.order_by("number").first() or patients.order_by("number").first()
    numbered = patients.get(number=max(1, total // 2))
    return [
        Page("Patient list, page 1", "/patients/", expect_all(total)),
        Page(f"Patient list, page {DEEP_PAGE}", f"/patients/?page={DEEP_PAGE}", expect_deep(total)),
        Page(
            "Search kana in hiragana (やまだ → ヤマダ)",
            "/patients/?q=やまだ",
            expect_found(total, yamada.count()),
        ),
        Page(
            f"Search kanji full name ({named.full_name})",
            f"/patients/?q={named.full_name}",
            expect_found(
                total,
                patients.filter(family_name=named.family_name, given_name=named.given_name).count(),
            ),
        ),
        Page(
            f"Search patient number ({numbered.number_display})",
            f"/patients/?q={numbered.number_display}",
            expect_found(total, 1, must_include=numbered),
        ),
        Page(
            "Search phone fragment (090-12)",
            "/patients/?q=090-12",
            expect_found(total, patients.filter(phone__startswith="090-12").count()),
        ),
    ]


class Command(BaseCommand):
    help = "Time the patient list and patient search at 100,000 patients (see docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=100_000)
        parser.add_argument("--small", type=int, default=1_000, help="patients in the small clinic")
        parser.add_argument("--runs", type=int, default=30, help="timed requests per page")

    def handle(self, *args, patients, small, runs, **options):
        if runs < 2:
            raise CommandError("--runs must be at least 2.")
        self.load_before = " / ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stderr.write(f"Seeding (if needed) on {connection.vendor} ...")
        call_command("seed_patients", count=patients, clinic=LARGE_CLINIC, stdout=self.stderr)
        call_command("seed_patients", count=small, clinic=SMALL_CLINIC, stdout=self.stderr)

        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            anonymous = Client()
            baseline = self._measure(
                anonymous, Page("Baseline: log-in page (anonymous)", "/login/"), runs
            )
            large = self._clinic_results(LARGE_CLINIC, runs)
            small_results = self._clinic_results(SMALL_CLINIC, runs)
            assessment_pages = self._assessment_results(runs)

            plan_rows = self._plan_results(runs)
            portal_pages = self._portal_results(runs)
            outcome_pages = [
                self._outcomes_result(slug, runs) for slug in (SMALL_CLINIC, LARGE_CLINIC)
            ]

        self._report(baseline, large, small_results, runs)
        self._report_assessments(baseline, assessment_pages)
        self._report_plans(plan_rows)
        self._report_portal(baseline, portal_pages)
        self._report_outcomes(baseline, outcome_pages)
        if len({min(result.queries) for result in outcome_pages}) != 1:
            raise CommandError("The outcomes page's queries grow with the number of patients.")
        if (
            len({min(result.queries) for result in portal_pages[0::2]}) != 1
            or len({min(result.queries) for result in portal_pages[1::2]}) != 1
        ):
            raise CommandError("Portal or progress queries grow with the number of logs.")
        if len({min(result.queries) for result in assessment_pages}) != 1:
            raise CommandError("The assessment page's queries grow with earlier assessments.")
        grown = [
            (big.page.label, little.queries, big.queries)
            for big, little in zip(large, small_results, strict=True)
            if big.queries != little.queries
        ]
        if grown:
            details = "; ".join(f"{label}: {sorted(a)} → {sorted(b)}" for label, a, b in grown)
            raise CommandError(f"Queries per page must not grow with the data: {details}")

    def _assessment_results(self, runs) -> list[Result]:
        clinic = Clinic.objects.get(slug=SMALL_CLINIC)
        client = Client()
        client.force_login(bench_assessments.practitioner_for(clinic))
        results = []
        for earlier in ASSESSMENT_HISTORY:
            draft = bench_assessments.assessment_with_history(clinic, earlier)
            page = Page(f"Assessment page, {earlier} earlier", f"/assessments/{draft.pk}/")
            results.append(self._measure(client, page, runs))
        return results

    def _plan_results(self, runs) -> list[tuple[str, list[float], float | None]]:
        """Plan generation (pure), and the handout PDF against a one-page document."""
        from assessments import documents, pdf, plans
        from assessments.rules.plan import propose

        clinic = Clinic.objects.get(slug=SMALL_CLINIC)
        plan = bench_assessments.published_plan(clinic)
        given = plans.plan_input(plan.assessment, plans.library_for(clinic.pk), dt.date.today())
        exercises = sum(
            1 for item in plan.snapshot["items"] if item["kind"] == PlanItem.Kind.EXERCISE
        )
        generation = _timed(lambda: propose(given), max(runs, 50))
        messages = []
        handler = _ListHandler(messages)
        logging.getLogger("weasyprint").addHandler(handler)
        try:
            one_page = _timed(lambda: pdf.html_to_pdf(ONE_PAGE), 10, warmup=2)
            handout = _timed(
                lambda: documents.render_handout(plan.snapshot),
                10,
                warmup=2,
            )
        finally:
            logging.getLogger("weasyprint").removeHandler(handler)
        if any("fontTools instead of HarfBuzz" in message for message in messages):
            raise CommandError("WeasyPrint fell back to fontTools: install libharfbuzz-subset0.")
        client = Client()
        client.force_login(bench_assessments.practitioner_for(clinic))
        path = f"/plans/{plan.pk}/handout.pdf"
        if client.get(path).status_code != 200:
            raise CommandError(f"{path}: the handout does not download")
        cached = _timed(lambda: client.get(path), max(runs, 20))
        base = statistics.median(one_page)
        return [
            ("Plan generation (pure `propose`)", generation, None),
            ("One-page WeasyPrint document (baseline)", one_page, 1.0),
            (
                f"Handout PDF, {exercises} exercises (warm, uncached)",
                handout,
                statistics.median(handout) / base,
            ),
            ("Handout download, cached (whole request)", cached, statistics.median(cached) / base),
        ]

    def _portal_results(self, runs) -> list[Result]:
        """The patient's plan page and the practitioner's progress page, 2 weeks vs a year."""
        clinic = Clinic.objects.get(slug=SMALL_CLINIC)
        doctor = Client()
        doctor.force_login(bench_assessments.practitioner_for(clinic))
        results = []
        for number, days in ((3, 14), (4, 365)):
            patient = bench_assessments.patient_with_logs(clinic, number, days)
            own = Client()
            own.force_login(patient.portal_user)
            results.append(
                self._measure(
                    own, Page(f"Patient's plan page, {days} days of logs", "/portal/"), runs
                )
            )
            results.append(
                self._measure(
                    doctor,
                    Page(
                        f"Practitioner's patient page with progress, {days} days of logs",
                        f"/patients/{patient.pk}/",
                    ),
                    runs,
                )
            )
        return results

    def _outcomes_result(self, slug, runs) -> Result:
        """The clinic's outcomes page over the last year, as a practitioner."""
        clinic = Clinic.objects.get(slug=slug)
        self.stderr.write(f"Seeding outcomes (if needed) in {slug} ...")
        bench_assessments.outcomes_cohort(clinic)
        cohort = (
            Patient.objects.filter(
                clinic=clinic,
                assessments__status=AssessmentStatus.SIGNED,
                assessments__signed_at__date__gt=dt.date.today() - dt.timedelta(days=360),
            )
            .distinct()
            .count()
        )

        def check(numbers):
            if numbers is None or numbers["patients"] < cohort:
                found = None if numbers is None else numbers["patients"]
                return f"counted {found} patients, expected at least {cohort}"
            return ""

        client = Client()
        client.force_login(bench_assessments.practitioner_for(clinic))
        total = Patient.objects.filter(clinic=clinic).count()
        page = Page(
            f"Outcomes, last year ({total:,} patients)",
            "/outcomes/",
            check,
            shown="numbers",
            counted=lambda numbers: numbers["patients"],
        )
        # At most 10 timed runs: at 100,000 patients a request takes seconds on PostgreSQL, and
        # past a minute the session's activity stamp is written (one more query, by design).
        return self._measure(client, page, min(runs, OUTCOMES_RUNS))

    def _report_outcomes(self, baseline: Result, results: list[Result]):
        out = self.stdout.write
        out(f"## Outcomes page: {connection.vendor}")
        out("")
        out(
            "A practitioner opens the clinic's outcomes for the last year; one patient in "
            f"{bench_assessments.OUTCOMES_EVERY} has two signed assessments in it."
        )
        out("")
        out("| Page | Patients in the cohort | Median ms | p95 ms | × baseline | Queries |")
        out("|---|---:|---:|---:|---:|---:|")
        for result in results:
            out(
                f"| {result.page.label} | {result.count:,} | {result.median:.1f} "
                f"| {result.p95:.1f} | {result.median / baseline.median:.1f} "
                f"| {min(result.queries)} |"
            )
        out("")

    def _report_portal(self, baseline: Result, results: list[Result]):
        out = self.stdout.write
        out(f"## Portal and progress: {connection.vendor}")
        out("")
        out("| Page | Median ms | p95 ms | × baseline | Queries |")
        out("|---|---:|---:|---:|---:|")
        for result in results:
            out(
                f"| {result.page.label} | {result.median:.1f} | {result.p95:.1f} "
                f"| {result.median / baseline.median:.1f} | {min(result.queries)} |"
            )
        out("")

    def _report_plans(self, rows):
        out = self.stdout.write
        out(f"## Care plan: {connection.vendor}")
        out("")
        out("| What | Median ms | p95 ms | × one-page PDF |")
        out("|---|---:|---:|---:|")
        for label, times, ratio in rows:
            p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
            shown = "" if ratio is None else f"{ratio:.1f}"
            out(f"| {label} | {statistics.median(times):.2f} | {p95:.2f} | {shown} |")
        out("")

    def _report_assessments(self, baseline: Result, results: list[Result]):
        out = self.stdout.write
        out(f"## Assessment page: {connection.vendor}")
        out("")
        out("A practitioner opens the current draft of a patient with earlier signed assessments.")
        out("")
        out("| Page | Median ms | p95 ms | × baseline | Queries |")
        out("|---|---:|---:|---:|---:|")
        for result in results:
            out(
                f"| {result.page.label} | {result.median:.1f} | {result.p95:.1f} "
                f"| {result.median / baseline.median:.1f} | {min(result.queries)} |"
            )
        out("")

    def _clinic_results(self, slug, runs) -> list[Result]:
        clinic = Clinic.objects.get(slug=slug)
        client = Client()
        client.force_login(User.objects.get(clinic=clinic, username=f"{slug}-frontdesk"))
        total = Patient.objects.filter(clinic=clinic).count()
        self.stderr.write(f"Timing {slug} ({total} patients) ...")
        return [self._measure(client, page, runs) for page in pages_for(clinic)]

    def _measure(self, client, page: Page, runs) -> Result:
        # One untimed request with the test environment on, for the template context and checks.
        setup_test_environment()
        try:
            response = client.get(page.path)
        finally:
            teardown_test_environment()
        if response.status_code != 200:
            raise CommandError(f"{page.path}: status {response.status_code}, expected 200")
        count = None
        if page.check is not None:
            shown = response.context[page.shown]
            problem = page.check(shown)
            if problem:
                raise CommandError(f"{page.path}: {problem}")
            count = page.counted(shown)

        result = Result(page, count)
        for _ in range(WARMUP):
            client.get(page.path)
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(page.path)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{page.path}: status {response.status_code}, expected 200")
            result.times_ms.append(elapsed * 1000)
            result.queries.add(len(queries))
        if len(result.queries) != 1:
            raise CommandError(f"{page.path}: query count varies: {sorted(result.queries)}")
        return result

    def _report(self, baseline: Result, large: list[Result], small: list[Result], runs):
        out = self.stdout.write
        big_n = Patient.objects.filter(clinic__slug=LARGE_CLINIC).count()
        small_n = Patient.objects.filter(clinic__slug=SMALL_CLINIC).count()
        out("")
        out(f"## Patient list and search: {connection.vendor}, {big_n:,} patients")
        out("")
        out(f"- Database: {database()}")
        out(f"- Patients: {big_n:,} in clinic `{LARGE_CLINIC}`, {small_n:,} in `{SMALL_CLINIC}`")
        out(f"- Machine: {machine()}")
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
        out(
            f"- Run: {now}; {WARMUP} warm-up + {runs} timed requests per page through the "
            f"in-process test client; load average {self.load_before} before, {load} after"
        )
        out("")
        out("| Page | Results | Median ms | p95 ms | × baseline | Queries |")
        out("|---|---:|---:|---:|---:|---:|")
        for result in [baseline, *large]:
            count = "" if result.count is None else f"{result.count:,}"
            out(
                f"| {result.page.label} | {count} | {result.median:.1f} | {result.p95:.1f} "
                f"| {result.median / baseline.median:.1f} | {min(result.queries)} |"
            )
        out("")
        out(f"Queries per request must not grow with the data ({small_n:,} vs {big_n:,} patients):")
        out("")
        out(
            f"| Page | Queries @{small_n:,} | Queries @{big_n:,} | Median ms @{small_n:,} "
            f"| Median ms @{big_n:,} | Same? |"
        )
        out("|---|---:|---:|---:|---:|---|")
        for little, big in zip(small, large, strict=True):
            label = big.page.label.split(" (")[0]
            same = "yes" if little.queries == big.queries else "**NO**"
            out(
                f"| {label} | {min(little.queries)} | {min(big.queries)} | {little.median:.1f} "
                f"| {big.median:.1f} | {same} |"
            )
        out("")
