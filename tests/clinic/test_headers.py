"""Content-Security-Policy and Cache-Control (issue 11, item 9).

The policy is on everywhere (not only in production), so the pages tested here in-process send
what production sends; the gunicorn run at the end checks production itself: the policy on a
page, no-store on a page, and the static files still cacheable."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.clinic.test_serving import collected, fetch, server  # noqa: F401  (fixtures)


def directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def no_store(response) -> bool:
    words = {w.strip() for w in response.headers.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= words


# --- the policy ---------------------------------------------------------------------------------


def test_the_policy_is_strict(ours, login):
    page = login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    policy = directives(page.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert sorted(policy["img-src"]) == ["'self'", "data:"]
    for name in ("object-src", "base-uri", "frame-ancestors"):
        assert policy[name] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in page.headers["Content-Security-Policy"]


def test_the_log_in_page_has_the_policy_too(client, ours):
    page = client.get(reverse("login"))
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert no_store(page)


# --- no-store on everything that may hold patient data -----------------------------------------


@pytest.mark.parametrize(
    ("who", "url_of"),
    [
        ("frontdesk", lambda c: reverse("assessments:patient_detail", args=[c.patient.pk])),
        ("frontdesk", lambda c: reverse("patients:patient_list")),
        ("frontdesk", lambda c: reverse("patients:day_view")),
        ("practitioner", lambda c: reverse("assessments:plan_handout", args=[c.plan.pk])),
        ("practitioner", lambda c: reverse("assessments:referral_letter", args=[c.referral.pk])),
        ("admin", lambda c: reverse("assessments:patient_export_json", args=[c.patient.pk])),
        ("admin", lambda c: reverse("assessments:patient_export_pdf", args=[c.patient.pk])),
        ("admin", lambda c: reverse("audit_export")),
        ("patient_user", lambda c: reverse("assessments:portal_home")),
        ("patient_user", lambda c: reverse("assessments:portal_handout", args=[c.plan.pk])),
    ],
)
def test_pages_pdfs_and_exports_are_never_stored(ours, login, who, url_of):
    response = login(getattr(ours, who)).get(url_of(ours))
    assert response.status_code == 200
    assert no_store(response), response.headers.get("Cache-Control")


def test_a_redirect_and_a_refusal_are_not_stored_either(ours, login):
    assert no_store(login(ours.patient_user).get(reverse("patients:patient_list")))
    assert no_store(login(ours.frontdesk).get("/patients/999999999/"))


# --- templates: nothing inline the policy would block ------------------------------------------

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [
    Path(settings.BASE_DIR) / app / "templates" for app in ("clinic", "patients", "assessments")
]
# WeasyPrint renders these on the server into PDFs; the browser never applies CSP to them.
SERVER_SIDE_ONLY = "pdf"
INLINE = [
    ("an inline <script>", re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)),
    ("an on*= handler", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("a style= attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("a javascript: URL", re.compile(r"javascript:", re.I)),
]


def browser_templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")) if directory.is_dir() else []:
            if SERVER_SIDE_ONLY not in path.relative_to(directory).parts:
                yield path


def test_there_are_templates_to_scan():
    assert len(list(browser_templates())) > 20


def test_no_template_has_inline_script_handlers_or_styles():
    found = []
    for path in browser_templates():
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_confirmations_keep_their_question_and_the_script_that_asks_it(ours, login):
    page = login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    html = page.content.decode()
    assert "data-confirm=" in html and "onsubmit" not in html
    assert "/static/js/confirm.js" in html
    assert (Path(settings.BASE_DIR) / "static" / "js" / "confirm.js").is_file()


def test_the_two_factor_qr_code_renders_under_the_policy(ours, login):
    page = login(ours.practitioner).get(reverse("two_factor_setup"))
    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    assert "<path" in svg
    assert not re.search(r"\sstyle\s*=|<style", svg)  # segno writes attributes, no CSS


# --- production: gunicorn with PRODUCTION=1 ------------------------------------------------------


def test_production_sends_the_policy_and_no_store_but_lets_static_files_be_cached(server):  # noqa: F811
    port, _ = server
    page, html = fetch(port, "/login/")
    assert page.status == 200
    policy = directives(page.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and "'unsafe-inline'" not in str(policy)
    assert "no-store" in page.headers["Cache-Control"]
    css = re.search(r"/static/css/hikagami\.[0-9a-f]{12}\.css", html.decode()).group()
    static, _ = fetch(port, css)
    assert static.status == 200
    assert "no-store" not in static.headers["Cache-Control"]
    assert "immutable" in static.headers["Cache-Control"]
    script = re.search(r"/static/js/confirm\.[0-9a-f]{12}\.js", html.decode())
    assert script, "the confirmation script is collected and linked with its hashed name"
