"""Turning the print page into a PDF with WeasyPrint, without fetching anything over a network.

WeasyPrint loads the page's stylesheet by URL. Asking our own web server for it from inside a
request would be slow at best and a deadlock with one worker at worst, so a fetcher hands over
static files straight from disk and refuses every other address.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.templatetags.static import static
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


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url)).write_pdf()
