"""PDF rendering: the one module that imports WeasyPrint (lazily: the import costs ~1 s).

WeasyPrint's default fetcher follows file://, http(s) and redirects. Ours serves only the
project's own static files under the `STATIC_SCHEME` and refuses everything else, so a URL or
path typed into any text field can never be fetched or embedded. Templates are Django's,
autoescaped: text from the database is text, never markup.
"""

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

STATIC_SCHEME = "hikagami-static:"
logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    pass


def static_root() -> Path:
    return Path(settings.STATICFILES_DIRS[0]).resolve()


def safe_url_fetcher(url: str, *args, **kwargs) -> dict:
    """Serve `hikagami-static:<path>` from the project's static folder; refuse anything else.

    The only door between a document and the outside: `_fetcher()` wraps it for WeasyPrint."""
    if not url.startswith(STATIC_SCHEME):
        raise RefusedURL(f"refused to fetch {url[:80]!r}")
    relative = url[len(STATIC_SCHEME) :].lstrip("/")
    root = static_root()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        raise RefusedURL(f"refused to fetch {url[:80]!r}")
    mime_type, _ = mimetypes.guess_type(path.name)
    return {"string": path.read_bytes(), "mime_type": mime_type or "application/octet-stream"}


_FETCHER = None


def _fetcher():
    """A WeasyPrint URLFetcher (built on first use, after the lazy import) that asks only ours."""
    global _FETCHER
    if _FETCHER is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class StaticOnlyFetcher(URLFetcher):
            def fetch(self, url, headers=None):
                found = safe_url_fetcher(url)
                return URLFetcherResponse(
                    url, found["string"], {"Content-Type": found["mime_type"]}
                )

        _FETCHER = StaticOnlyFetcher(allowed_protocols=(), allow_redirects=False)
    return _FETCHER


def html_to_pdf(html: str) -> bytes:
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=STATIC_SCHEME + "/", url_fetcher=_fetcher())
    return document.write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Templates write `{{ static_scheme }}path` for a static file (images, never user text)."""
    return html_to_pdf(render_to_string(template_name, {**context, "static_scheme": STATIC_SCHEME}))
