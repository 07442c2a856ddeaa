"""The load generator behind `make bench`: it logs in like a browser and counts every bad answer
as an error (the bench fails on any). Against a tiny loopback server; no database."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devtools import loadgen

FORM = b'<form><input type="hidden" name="csrfmiddlewaretoken" value="tok123"></form>'


class FakeClinic(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, content_type="text/html", body=b"ok", cookie=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        logged_in = "sessionid=s1" in (self.headers.get("Cookie") or "")
        if self.path == "/login/":
            self.answer(200, body=FORM, cookie="csrftoken=c1; Path=/; Secure")
        elif self.headers.get("X-Forwarded-Proto") != "https" or not logged_in:
            self.answer(302)
        elif self.path == "/page/":
            self.answer(200, "text/html; charset=utf-8")
        elif self.path == "/handout.pdf":
            self.answer(200, "application/pdf", b"%PDF-1.7 ...")
        elif self.path == "/not-a-pdf.pdf":
            self.answer(200, "application/pdf", b"<html>")
        else:
            self.answer(500)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        good = all(
            field in body.split("&")
            for field in ("csrfmiddlewaretoken=tok123", "clinic=ours", "password=right")
        )
        if good and "csrftoken=c1" in self.headers.get("Cookie", ""):
            self.answer(302, cookie="sessionid=s1; HttpOnly; Path=/; Secure")
        else:
            self.answer(200, body=FORM)


@pytest.fixture(scope="module")
def port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeClinic)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def page(kind, path, content_type="text/html"):
    return loadgen.Page(kind, 1, lambda rng: path, content_type)


def test_a_browser_logs_in_through_the_form_and_keeps_its_session(port):
    browser = loadgen.Browser(port)
    assert browser.log_in("ours", "someone", "right") > 0
    assert browser.cookies["sessionid"] == "s1"
    assert not browser.visit(page("page", "/page/"), None).error


def test_a_refused_log_in_stops_the_bench(port):
    with pytest.raises(loadgen.LoadError):
        loadgen.Browser(port).log_in("ours", "someone", "wrong")


def test_every_bad_answer_is_an_error_and_good_ones_are_not(port):
    browsers = [loadgen.Browser(port) for _ in range(3)]
    for browser in browsers:
        browser.log_in("ours", "someone", "right")
    pages = [
        page("good", "/page/"),
        page("pdf", "/handout.pdf", "application/pdf"),
        page("broken", "/broken/"),
        page("fake pdf", "/not-a-pdf.pdf", "application/pdf"),
        page("html for pdf", "/page/", "application/pdf"),
    ]
    run = loadgen.run(browsers, pages, seconds=0.5)
    assert {sample.kind for sample in run.samples} == {page.kind for page in pages}
    assert not run.errors("good") and not run.errors("pdf")
    assert run.errors("broken")[0].error == "status 500"
    assert run.errors("fake pdf")[0].error == "not a PDF"
    assert run.errors("html for pdf")[0].error.startswith("content type text/html")
    assert len(run.errors()) == sum(len(run.of(k)) for k in ("broken", "fake pdf", "html for pdf"))
    assert run.throughput() > 0 and run.p95("good") >= run.median("good")


def test_a_server_that_is_gone_is_an_error_not_a_crash():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    sample = loadgen.Browser(closed).visit(page("page", "/page/"), None)
    assert "ConnectionRefusedError" in sample.error
