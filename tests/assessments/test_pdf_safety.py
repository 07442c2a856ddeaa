"""WeasyPrint may load only the project's own static files: nothing a user can type is fetched."""

import io

import pytest
from pypdf import PdfReader

from assessments import pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/a.css",
        "hikagami-static:/../../../../etc/passwd",
        "hikagami-static:/exercises/../../pyproject.toml",
        "hikagami-static:/does-not-exist.svg",
        "data:text/plain,hello",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.safe_url_fetcher(url)


def test_the_fetcher_serves_a_static_file():
    fetched = pdf.safe_url_fetcher("hikagami-static:/css/hikagami.css")
    assert fetched["mime_type"] == "text/css" and b"Hikagami" in fetched["string"]


def test_markup_that_reaches_the_renderer_fetches_nothing(tmp_path, caplog):
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd">'
        "<style>@import url(http://169.254.169.254/x.css);</style></head><body>"
        '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
        '<img src="http://169.254.169.254/latest/meta-data/">'
        "<p>安全な本文</p></body></html>"
    )
    document = PdfReader(io.BytesIO(pdf.html_to_pdf(html)))
    text = "".join(page.extract_text() for page in document.pages)
    assert "安全な本文" in text
    assert "root:" not in text
    assert not document.attachments  # the attachment link embedded nothing
