"""Load on the real server (`make bench`): gunicorn with production settings, on loopback.

Starts gunicorn (clinic/gunicorn.conf.py, PRODUCTION=1, static files collected into a temporary
STATIC_ROOT) on a free 127.0.0.1 port against this command's database, logs the bench clinic's
practitioner in once per simulated user through the log-in form, and at each concurrency runs
the anonymous log-in page alone (the baseline), then a weighted mix of the practitioner's home,
a patient list page, a care plan page and the plan's handout PDF. Prints Markdown tables; fails
if any request fails (non-200, wrong content type, exception) or gunicorn logs an error.
See docs/benchmarks.md.
"""

import datetime as dt
import hmac
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gunicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from assessments.models import CarePlan, PlanStatus
from clinic.models import Clinic
from devtools import bench_data as bench_assessments
from devtools import loadgen
from devtools.management.commands.bench import SMALL_CLINIC, database, machine
from patients.models import Patient
from patients.selectors import LIST_ORDER

CONFIG = settings.BASE_DIR / "clinic" / "gunicorn.conf.py"
LABELS = {
    "login": "Baseline: log-in page (anonymous, alone)",
    "home": "Practitioner's home `/today/`",
    "list": "Patient list `/patients/?after=<id>`",
    "plan": "Care plan page `/plans/<id>/`",
    "pdf": "Handout PDF `/plans/<id>/handout.pdf` (stored)",
}
GUNICORN_TROUBLE = ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT")


def users_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpu_seconds(pid: int, *, reaped_children=False) -> float:
    """user + system CPU of a process from /proc/<pid>/stat (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17
    ticks = fields[11:15] if reaped_children else fields[11:13]
    return sum(int(tick) for tick in ticks) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


class ServerCpu:
    """CPU used by gunicorn (master, workers, workers already replaced) and by this database's
    PostgreSQL backends: a cost per request that does not depend on what else the machine runs.
    A backend that ends between two readings (a replaced worker's) takes its share with it."""

    def __init__(self, master: int):
        self.master = master

    def read(self) -> tuple[float, dict[int, float]]:
        server = _cpu_seconds(self.master, reaped_children=True)
        server += sum(_cpu_seconds(child) for child in _children(self.master))
        backends = {}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
                backends = {pid: _cpu_seconds(pid) for (pid,) in cursor.fetchall()}
        return server, backends

    @staticmethod
    def used(before, after) -> tuple[float, float]:
        database = sum(cpu - before[1].get(pid, 0.0) for pid, cpu in after[1].items())
        return after[0] - before[0], database


class Command(BaseCommand):
    help = "Load-test gunicorn + PostgreSQL on loopback at 10 and 50 users (docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=users_list, default=[10, 50], help="e.g. 10,50")
        parser.add_argument("--seconds", type=float, default=20, help="timed mix per level")
        parser.add_argument("--baseline-seconds", type=float, default=10)
        parser.add_argument("--warmup-seconds", type=float, default=3)
        parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
        parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE, seconds")

    def handle(self, *args, **options):
        users, timed = options["users"], (options["seconds"], options["baseline_seconds"])
        if not users or min(users) < 1 or min(timed) <= 0:
            raise CommandError("--users, --seconds and --baseline-seconds must be positive.")
        self.stderr.write(f"Preparing the bench clinic on {database()} ...")
        account, pages = self._prepare()
        self.persistent = options["conn_max_age"] > 0 and connection.vendor == "postgresql"
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="hikagami-load-") as scratch:
            env = self._server_env(Path(scratch), options)
            self._collectstatic(env)
            log = Path(scratch) / "gunicorn.log"
            server = loadgen.start_gunicorn(env, log)
            try:
                port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
                self._wait_until_up(server, port, log)
                meter = ServerCpu(server.pid)
                results, logins, cpu = self._levels(meter, port, account, pages, options)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            server_log = log.read_text(errors="replace")
        self._report(results, logins, cpu, env, load_before, server_log)
        self._fail_on_errors(results, server_log)

    def _prepare(self):
        """The bench clinic (1,000 patients), its practitioner with a fresh password, the pages."""
        call_command("seed_patients", count=1000, clinic=SMALL_CLINIC, stdout=self.stderr)
        clinic = Clinic.objects.get(slug=SMALL_CLINIC)
        bench_assessments.published_plan(clinic)
        practitioner = bench_assessments.practitioner_for(clinic)
        password = secrets.token_urlsafe(24)  # this run only; never written down
        practitioner.set_password(password)
        practitioner.save(update_fields=["password"])
        plan_ids = list(
            CarePlan.objects.filter(clinic=clinic, status=PlanStatus.PUBLISHED).values_list(
                "pk", flat=True
            )
        )
        # The list's first page and 39 cursor links into it (every 25th patient in list order).
        listed = Patient.objects.filter(clinic=clinic, is_archived=False).order_by(*LIST_ORDER)
        cursors = ["", *(f"?after={pk}" for pk in listed.values_list("pk", flat=True)[:975:25])]
        pages = [
            loadgen.Page("home", 3, lambda rng: "/today/"),
            loadgen.Page("list", 3, lambda rng: f"/patients/{rng.choice(cursors)}"),
            loadgen.Page("plan", 3, lambda rng: f"/plans/{rng.choice(plan_ids)}/"),
            loadgen.Page(
                "pdf",
                1,
                lambda rng: f"/plans/{rng.choice(plan_ids)}/handout.pdf",
                content_type="application/pdf",
            ),
        ]
        return (clinic.slug, practitioner.username, password), pages

    def _server_env(self, scratch: Path, options) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PORT"}}
        env.update(
            PRODUCTION="1",
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_ROOT=str(scratch / "static"),
            CONN_MAX_AGE=str(options["conn_max_age"]),
            GUNICORN_BIND=f"127.0.0.1:{free_port()}",
            AUDIT_CHAIN_KEY=self._audit_chain_key(),
        )
        if options["workers"]:
            env["WEB_CONCURRENCY"] = str(options["workers"])
        return env

    @staticmethod
    def _audit_chain_key() -> str:
        """Production settings want an audit key other than SECRET_KEY: this checkout's own if it
        has one, else one derived from SECRET_KEY for the bench server only (the bench clinic's
        trail then verifies under that derived key)."""
        if settings.AUDIT_CHAIN_KEY != settings.SECRET_KEY:
            return settings.AUDIT_CHAIN_KEY
        digest = hmac.new(settings.SECRET_KEY.encode(), b"loadbench audit chain", "sha256")
        return digest.hexdigest()

    def _collectstatic(self, env):
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"collectstatic failed:\n{result.stderr}")

    def _wait_until_up(self, server, port, log):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped:\n{log.read_text(errors='replace')}")
            try:
                response, _ = loadgen.Browser(port).request("GET", "/login/")
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer within 60 s:\n{log.read_text()}")

    def _levels(self, meter, port, account, pages, options):
        users, seconds = options["users"], options["seconds"]
        baseline, warmup = options["baseline_seconds"], options["warmup_seconds"]
        # One session per simulated user. The first log-in alone: if the form or the password is
        # wrong, stop before django-axes counts failures (5 lock the user out).
        browsers = [loadgen.Browser(port) for _ in range(max(users))]
        self.stderr.write(f"Logging in {len(browsers)} users ...")
        try:
            logins = [browsers[0].log_in(*account)]
            with ThreadPoolExecutor(4) as pool:
                logins += pool.map(lambda browser: browser.log_in(*account), browsers[1:])
        except loadgen.LoadError as problem:
            raise CommandError(str(problem)) from problem
        results = []
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for count in users:
            self.stderr.write(f"{count} users: warm-up, baseline {baseline:g} s, mix {seconds:g} s")
            anonymous = [loadgen.Browser(port) for _ in range(count)]
            login_page = [loadgen.Page("login", 1, lambda rng: "/login/")]
            loadgen.run(browsers[:count], pages, warmup, seed=count)
            before = meter.read()
            base = loadgen.run(anonymous, login_page, baseline, seed=count)
            between = meter.read()
            mix = loadgen.run(browsers[:count], pages, seconds, seed=count + 1)
            base.cpu = meter.used(before, between)
            mix.cpu = meter.used(between, meter.read())
            results.append((count, base, mix))
        cpu = (time.process_time() - cpu_started) / (time.perf_counter() - wall_started)
        return results, logins, cpu

    def _report(self, results, logins, cpu, env, load_before, server_log):
        out = self.stdout.write
        workers = env.get("WEB_CONCURRENCY") or f"{2 * len(os.sched_getaffinity(0)) + 1} (default)"
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
        out("")
        out("## Load: gunicorn + PostgreSQL on loopback")
        out("")
        out(f"- Database: {database()}; CONN_MAX_AGE={env['CONN_MAX_AGE']}")
        out(f"- Server: gunicorn {gunicorn.__version__}, {workers} sync workers, PRODUCTION=1")
        out(f"- Machine: {machine()}")
        out(
            f"- Run: {now}; load average {' / '.join(f'{v:.2f}' for v in load_before)} before, "
            f"{load} after; the load generator (this process) used {cpu:.0%} of one core"
        )
        out(
            f"- Log-ins: {len(logins)} through the form before the runs, median "
            f"{sorted(logins)[len(logins) // 2]:.0f} ms (password hashing)"
        )
        restarts = server_log.count("Autorestarting worker")
        out(f"- Workers replaced after max_requests during the run: {restarts}")
        out("")
        for count, base, mix in results:
            self._table(count, base, mix)

    def _table(self, count, base, mix):
        out = self.stdout.write
        out(f"### {count} concurrent users")
        out("")
        out("| Page | Requests | Errors | req/s | Median ms | p95 ms | × baseline |")
        out("|---|---:|---:|---:|---:|---:|---:|")
        reference = base.median()
        rows = [(LABELS["login"], base, None)]
        rows += [(LABELS[kind], mix, kind) for kind in ("home", "list", "plan", "pdf")]
        rows.append(("**All of the mix**", mix, None))
        for label, run, kind in rows:
            if not run.of(kind):
                out(f"| {label} | 0 | | | | | |")
                continue
            out(
                f"| {label} | {len(run.of(kind))} | {len(run.errors(kind))} "
                f"| {run.throughput(kind):.1f} | {run.median(kind):.1f} | {run.p95(kind):.1f} "
                f"| {run.median(kind) / reference:.1f} |"
            )
        out("")
        out(
            f"The mix: {mix.throughput():.1f} req/s, {mix.throughput() / base.throughput():.2f} × "
            f"the baseline's {base.throughput():.1f} req/s. × baseline: median over the log-in "
            "page's median at the same concurrency."
        )
        out("")
        cores = len(os.sched_getaffinity(0))
        for label, run in (("log-in page", base), ("mix", mix)):
            server, database = (1000 * seconds / len(run.of()) for seconds in run.cpu)
            if self.persistent:
                out(
                    f"- Server CPU per request, {label}: gunicorn {server:.1f} ms + PostgreSQL "
                    f"{database:.1f} ms; {cores} cores for the server alone would answer about "
                    f"{cores * 1000 / (server + database):.0f} req/s"
                )
            else:  # a backend per request, gone before it can be read
                out(f"- Server CPU per request, {label}: gunicorn {server:.1f} ms")
        out("")

    def _fail_on_errors(self, results, server_log):
        failed = [
            f"{count} users: {sample.kind} {sample.error}"
            for count, base, mix in results
            for sample in base.errors() + mix.errors()
        ]
        lines = server_log.splitlines()
        trouble = [line for line in lines if any(mark in line for mark in GUNICORN_TROUBLE)]
        if failed or trouble:
            shown = "\n".join(failed[:10] + trouble[:10])
            count = f"{len(failed)} failed requests, {len(trouble)} errors logged"
            raise CommandError(f"{count}:\n{shown}")
