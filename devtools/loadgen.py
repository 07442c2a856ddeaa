"""A small closed-loop HTTP load generator for `manage.py loadbench` (loopback only).

Each simulated user is a thread with its own cookies that sends its next request as soon as the
last one is answered (no think time), each on a new connection, as nginx talks to gunicorn's sync
workers. Requests carry what the README's nginx adds (Host, X-Forwarded-Proto: https), so the
server runs with its production settings unchanged. No Django import: this is the client side.
"""

import http.client
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT_SECONDS = 60


class LoadError(Exception):
    pass


@dataclass(frozen=True)
class Page:
    kind: str
    weight: int
    path: Callable[[random.Random], str]  # picks the URL for one request
    content_type: str = "text/html"


@dataclass
class Sample:
    kind: str
    ms: float
    error: str = ""  # "" when the answer was a 200 of the expected type


class Browser:
    """One user: cookies kept between requests, headers as the proxy sends them."""

    def __init__(self, port: int):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        sent = {"Host": self.host, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response, content

    def log_in(self, clinic: str, username: str, password: str) -> float:
        """Log in through the log-in form (CSRF token, then POST) with the clinic's code;
        returns the POST's ms."""
        page, html = self.request("GET", "/login/")
        token = CSRF_FIELD.search(html)
        if page.status != 200 or token is None:
            raise LoadError(f"log-in page: status {page.status}, CSRF field found: {bool(token)}")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "clinic": clinic,
            "username": username,
        }
        started = time.perf_counter()
        answer, _ = self.request(
            "POST",
            "/login/",
            body=urlencode({**form, "password": password}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{self.host}",
                "Referer": f"https://{self.host}/login/",
            },
        )
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise LoadError(f"log-in as {username}: status {answer.status}, no session")
        return elapsed

    def visit(self, page: Page, rng: random.Random) -> Sample:
        started = time.perf_counter()
        try:
            response, content = self.request("GET", page.path(rng))
        except (OSError, http.client.HTTPException) as problem:
            return Sample(page.kind, (time.perf_counter() - started) * 1000, repr(problem))
        elapsed = (time.perf_counter() - started) * 1000
        error = ""
        if response.status != 200:
            error = f"status {response.status} {response.headers.get('Location', '')}".strip()
        elif not (response.headers.get("Content-Type") or "").startswith(page.content_type):
            error = f"content type {response.headers.get('Content-Type')}"
        elif page.content_type == "application/pdf" and not content.startswith(b"%PDF-"):
            error = "not a PDF"
        return Sample(page.kind, elapsed, error)


@dataclass
class Run:
    seconds: float  # from the start until the last answer
    samples: list[Sample] = field(default_factory=list)
    cpu: tuple[float, float] = (0.0, 0.0)  # the server's CPU seconds (app, database), if measured

    def of(self, kind=None) -> list[Sample]:
        return [s for s in self.samples if kind is None or s.kind == kind]

    def errors(self, kind=None) -> list[Sample]:
        return [s for s in self.of(kind) if s.error]

    def throughput(self, kind=None) -> float:
        return len(self.of(kind)) / self.seconds

    def median(self, kind=None) -> float:
        return statistics.median(s.ms for s in self.of(kind))

    def p95(self, kind=None) -> float:
        times = [s.ms for s in self.of(kind)]
        if len(times) < 2:
            return times[0]
        return statistics.quantiles(times, n=20, method="inclusive")[18]


def run(browsers: list[Browser], pages: list[Page], seconds: float, seed: int = 0) -> Run:
    """Every browser requests weighted-random pages until `seconds` have passed."""
    weights = [page.weight for page in pages]
    results: list[list[Sample]] = [[] for _ in browsers]
    start = threading.Barrier(len(browsers) + 1)
    deadline = [0.0]

    def user(index: int):
        rng = random.Random(seed * 1000 + index)
        start.wait()
        while time.perf_counter() < deadline[0]:
            page = rng.choices(pages, weights)[0]
            results[index].append(browsers[index].visit(page, rng))

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(seconds + TIMEOUT_SECONDS + 5)
    return Run(time.perf_counter() - began, [s for samples in results for s in samples])


ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "clinic" / "gunicorn.conf.py"


def start_gunicorn(env: dict, log: Path) -> subprocess.Popen:
    """gunicorn with the project's config and the given environment, its output into `log`
    (the load bench and the serving test start the server the same way)."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
