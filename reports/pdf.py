"""Turning the print page into a PDF with WeasyPrint, without fetching anything over a network,
and within a time limit.

WeasyPrint loads the page's stylesheet by URL. Asking our own web server for it from inside a
request would be slow at best and a deadlock with one worker at worst, so a fetcher hands over
static files straight from disk and refuses every other address.

Laying out a long plan takes a while (a megabyte in one answer took 25 seconds, and gunicorn
killed the worker at 30), so the PDF is made in a child process that is stopped after
PDF_TIME_LIMIT_SECONDS; the page then says to print the plan from the browser instead.
"""

import mimetypes
import multiprocessing
from concurrent.futures import TimeoutError as FutureTimeoutError
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.templatetags.static import static
from pebble import concurrent
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFilesFetcher(URLFetcher):
    """Serves this site's /static/... from disk; any other address is refused."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.site = urlsplit(base_url).netloc

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        prefix = static("")
        if parts.scheme not in ("http", "https") or parts.netloc != self.site or not parts.path.startswith(prefix):
            raise ValueError(f"Only this site's static files are loaded into a PDF, not {url}")
        name = unquote(parts.path.removeprefix(prefix))
        body = self._read(name)
        if body is None:
            raise ValueError(f"No static file called {name}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _read(name: str) -> bytes | None:
        try:
            # The source folders first (development, tests); then collected files, whose names
            # carry a content hash in production.
            path = finders.find(name)
            if path:
                with open(path, "rb") as file:
                    return file.read()
            if staticfiles_storage.exists(name):
                with staticfiles_storage.open(name) as file:
                    return file.read()
        except SuspiciousFileOperation:
            return None
        return None


class PdfTookTooLong(Exception):
    """Making the PDF took longer than PDF_TIME_LIMIT_SECONDS, so it was stopped."""


def _render(html: str, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url)).write_pdf()


def html_to_pdf(html: str, *, base_url: str, time_limit: float | None = None) -> bytes:
    """The page as a PDF, or PdfTookTooLong after `time_limit` seconds (PDF_TIME_LIMIT_SECONDS
    unless given).

    WeasyPrint's layout is plain Python that cannot be interrupted, so it runs in a child process
    that pebble stops (SIGTERM, then SIGKILL) when the time is up, freeing the worker and the
    CPU at once. The child is forked, so it starts at once with Django and WeasyPrint already
    loaded; it reads static files but never the database.
    """
    limit = settings.PDF_TIME_LIMIT_SECONDS if time_limit is None else time_limit
    render = concurrent.process(timeout=limit, context=multiprocessing.get_context("fork"))(_render)
    try:
        return render(html, base_url).result()
    except FutureTimeoutError as error:
        raise PdfTookTooLong from error
