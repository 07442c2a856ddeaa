"""Production serving: the gunicorn config, WhiteNoise after collectstatic, the client's address
behind the proxy, and gunicorn itself started with PRODUCTION=1 behind a pretend TLS proxy."""

import http.client
import io
import json
import os
import re
import runpy
import socket
import subprocess
import sys
import time
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config
from pypdf import PdfReader

from assessments import plans
from assessments.library import install_shipped
from clinic.proxy import client_address
from devtools import records
from devtools.loadgen import start_gunicorn
from tests.factories import PASSWORD

CONFIG = settings.BASE_DIR / "clinic" / "gunicorn.conf.py"
HOST = "clinic.example.jp"
HASHED_CSS = re.compile(r"/static/css/hikagami\.[0-9a-f]{12}\.css")


def production_env(**extra) -> dict:
    dropped = {
        "DEBUG",
        "DATABASE_URL",
        "SECRET_KEY",
        "PORT",
        "WEB_CONCURRENCY",
        "SECURE_COOKIES",
        "SECURE_SSL_REDIRECT",
        "AXES_PROXY_COUNT",
        "STATIC_ROOT",
    }
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        PRODUCTION="1",
        SECRET_KEY="s" * 30 + "-Hikagami-serving-test-0123456789",
        AUDIT_CHAIN_KEY="c" * 30 + "-Hikagami-serving-audit-key-01234",
        ALLOWED_HOSTS=HOST,
        **extra,
    )
    return env


def load_config(**env) -> dict:
    saved = os.environ.copy()
    try:
        for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_TIMEOUT"):
            os.environ.pop(name, None)
        os.environ.update(env)
        found = runpy.run_path(str(CONFIG))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {name: value for name, value in found.items() if not name.startswith("_")}


# --- the gunicorn config --------------------------------------------------------------------


def test_every_name_in_the_gunicorn_config_is_a_gunicorn_setting():
    # gunicorn silently ignores a name it does not know, so a typo would switch nothing on.
    known = Config().settings
    names = {name for name, value in load_config().items() if not callable(value)} - {"os"}
    assert names and names <= set(known), names - set(known)
    config = Config()
    for name in names:
        config.set(name, load_config()[name])


def test_workers_default_to_two_per_core_plus_one_and_follow_web_concurrency():
    cores = len(os.sched_getaffinity(0))
    assert load_config()["workers"] == 2 * cores + 1
    assert load_config(WEB_CONCURRENCY="3")["workers"] == 3


def test_gunicorn_binds_to_loopback_even_when_port_is_set():
    assert load_config(PORT="9000")["bind"] == ["127.0.0.1:8000"]
    unix = load_config(GUNICORN_BIND="unix:/run/hikagami/gunicorn.sock")
    assert unix["bind"] == ["unix:/run/hikagami/gunicorn.sock"]


def test_workers_are_recycled_with_jitter_and_no_control_socket_is_shared():
    config = load_config()
    assert config["max_requests"] > 0 and 0 < config["max_requests_jitter"] < config["max_requests"]
    assert 10 <= config["timeout"] <= 120
    assert config["control_socket_disable"] is True
    assert config["accesslog"] == "-"


def test_the_access_log_leaves_out_query_strings_and_referrers():
    log_format = load_config()["access_log_format"]
    assert "%(U)s" in log_format and "%(s)s" in log_format
    for leaks in ("%(r)s", "%(q)s", "%(f)s", "{referer}i"):
        assert leaks not in log_format


# --- settings and static files ---------------------------------------------------------------


def test_whitenoise_comes_right_after_the_security_middleware():
    middleware = settings.MIDDLEWARE
    assert middleware[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_outside_production_static_files_keep_djangos_default_storage():
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    assert backend == "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with production settings into a STATIC_ROOT of this test module's own."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=production_env(STATIC_ROOT=str(root)),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return root


def test_collectstatic_in_production_writes_hashed_compressed_copies(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/hikagami.css"]
    assert HASHED_CSS.fullmatch(f"/static/{hashed}")
    for suffix in ("", ".gz", ".br"):
        assert (collected / f"{hashed}{suffix}").is_file()
    assert "exercises/wall_calf_stretch.svg" in manifest


def test_a_drawing_missing_from_the_manifest_gives_a_plain_url_not_a_server_error(collected):
    code = (
        "import django; django.setup(); from django.template import Template, Context;"
        "print(Template(\"{% load static %}{% static 'css/hikagami.css' %} "
        "{% static 'exercises/gone.svg' %}\").render(Context()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=production_env(STATIC_ROOT=str(collected), DJANGO_SETTINGS_MODULE="clinic.settings"),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    hashed, missing = result.stdout.split()
    assert HASHED_CSS.fullmatch(hashed) and missing == "/static/exercises/gone.svg"


# --- the client's address behind the proxy ---------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # no proxy configured: the header is not believed
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 192.168.1.20", "192.168.1.20"),  # the left entry was typed by the client
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "", "127.0.0.1"),  # did not come through the proxy
        (1, "unknown", "127.0.0.1"),  # not an address: the socket's, never a 500
        (1, "203.0.113.7:5678", "127.0.0.1"),
        (1, "fe80::1%eth0", "127.0.0.1"),
        (1, "2001:DB8::0:1", "2001:db8::1"),  # stored as the database will read it back
    ],
)
def test_the_client_is_the_address_our_outermost_proxy_saw(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(PROXY_COUNT=count):
        assert client_address(request) == expected


def test_a_request_without_a_socket_has_no_address():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    for count in (0, 1):
        with override_settings(PROXY_COUNT=count):
            assert client_address(request) is None


def test_behind_one_proxy_a_locked_address_does_not_lock_out_the_clinic(ours):
    def via_proxy(address, password):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {address}")
        data = {
            "clinic": ours.clinic.slug,
            "username": ours.frontdesk.username,
            "password": password,
        }
        return client.post(reverse("login"), data).status_code

    with override_settings(PROXY_COUNT=1):
        for _ in range(5):
            via_proxy("198.51.100.9", "wrong-password")
        assert via_proxy("198.51.100.9", PASSWORD) == 429
        assert via_proxy("192.168.1.20", PASSWORD) == 302


# --- gunicorn, for real ----------------------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(collected, django_db_setup, django_db_blocker, tmp_path_factory):
    """One gunicorn worker with production settings on the test database."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = production_env(
        STATIC_ROOT=str(collected),
        DATABASE_URL=database_url(),
        WEB_CONCURRENCY="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    process = start_gunicorn(env, log)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(port, path, *, proxied=True, method="GET", body=None, headers=None):
    """A request as the README's nginx passes it on: Host, X-Forwarded-Proto and -For set."""
    sent = {"Host": HOST, **(headers or {})}
    if proxied:
        sent.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.168.1.20"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_gunicorn_serves_https_pages_behind_the_proxy_and_redirects_plain_http(server):
    port, _ = server
    page, html = fetch(port, "/login/")
    assert page.status == 200, html[:2000]
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain, _ = fetch(port, "/login/", proxied=False)
    assert plain.status == 301 and plain.headers["Location"] == f"https://{HOST}/login/"


def test_gunicorn_serves_hashed_static_files_compressed_and_cached_for_good(server):
    port, _ = server
    _, html = fetch(port, "/login/")
    hashed = HASHED_CSS.search(html.decode()).group()
    response, body = fetch(port, hashed, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert body[:2] == b"\x1f\x8b"
    unhashed, _ = fetch(port, "/static/css/hikagami.css")
    assert unhashed.status == 200 and unhashed.headers["Cache-Control"] == "max-age=60, public"


def cookies_from(response) -> dict:
    """{name: (value, the whole Set-Cookie header)}"""
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name] = (rest.split(";", 1)[0], header)
    return found


def published_plan_with_drawings(cast):
    install_shipped(clinic=cast.clinic)
    today = timezone.localdate()
    sections = {
        "complaint": {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": 5},
        "measurements": {"slr": {"left": "75", "right": "55"}},
        "habits": {"work_style": "desk", "leg_on_top": "right"},
        "red_flags": {},
    }
    signed = records.record(
        patient=cast.other_patient,
        practitioner=cast.practitioner,
        sections=sections,
        today=today,
        sign_it=True,
    )
    draft = plans.create_draft(assessment=signed, by=cast.practitioner, today=today)
    return plans.publish(plan=draft, by=cast.practitioner, today=today, referral_explained=True)


def test_a_practitioner_logs_in_through_gunicorn_and_gets_the_handout_with_its_drawings(
    server, transactional_db, ours
):
    port, log = server
    practitioner = ours.practitioner
    # The server has production's password hashers, not the tests' fast one (few iterations here:
    # the server checks with the stored count, then upgrades the hash).
    practitioner.password = PBKDF2PasswordHasher().encode(PASSWORD, "serving-salt", iterations=1000)
    practitioner.save(update_fields=["password"])
    plan = published_plan_with_drawings(ours)

    page, html = fetch(port, "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    csrf, header = cookies_from(page)["csrftoken"]
    assert "Secure" in header
    form = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "clinic": ours.clinic.slug,
            "username": practitioner.username,
            "password": PASSWORD,
        }
    )
    logged_in, _ = fetch(
        port,
        "/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/login/",
        },
    )
    assert logged_in.status == 302, logged_in.headers
    sessionid, header = cookies_from(logged_in)["sessionid"]
    assert "Secure" in header and "HttpOnly" in header
    session = {"Cookie": f"sessionid={sessionid}"}

    handout, pdf = fetch(port, f"/plans/{plan.pk}/handout.pdf", headers=session)
    assert handout.status == 200 and handout.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf))
    drawings = sum(len(page["/Resources"].get("/XObject") or {}) for page in reader.pages)
    exercises = [item for item in plan.snapshot["items"] if item["kind"] == "exercise"]
    assert exercises and drawings >= len(exercises)

    search, _ = fetch(port, "/patients/?q=" + quote("やまだ 090"), headers=session)
    assert search.status == 200
    time.sleep(0.2)  # the access log line is written after the response
    logged = log.read_text()
    assert '"GET /patients/" 200' in logged and "q=" not in logged and "%E3" not in logged
