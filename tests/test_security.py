"""Production mode: the settings a deployment runs with, the headers every response carries,
pages with personal data never cached, error pages that give nothing away, and gunicorn with
whitenoise serving the app as it would in production."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path, reverse

from accounts.tests.factories import UserFactory
from groups_site.middleware import NeverCacheForSignedInMiddleware
from reports.models import CalendarFeed
from tests.access_matrix import sign_in

ROOT = Path(__file__).resolve().parents[1]
SECRET_DETAIL = "Robinia told the group about her week"

# The policy every response carries (groups_site/settings.py, CONTENT_SECURITY_POLICY).
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# Running the project as production would ---------------------------------------------------------


@pytest.fixture
def production_env(request):
    """The environment of a production deployment: DEBUG off, a real secret and host names, and
    none of the test-only relaxations pytest.ini sets (plain HTTP, plain static storage...)."""
    relaxed = {line.split("=", 1)[0].strip() for line in request.config.getini("env") if "=" in line}
    env = {name: value for name, value in os.environ.items() if name not in relaxed}
    env.update(
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="groups.example.org,127.0.0.1",
        SITE_URL="https://groups.example.org",
        DEFAULT_FROM_EMAIL="Group planner <groups@example.org>",
        DJANGO_SETTINGS_MODULE="groups_site.settings",
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production_settings(env, *names) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deploy_checks_pass_in_production_mode(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_deploy_checks_fail_when_https_is_turned_off(production_env):
    """The check above is not passing by accident: the settings it inspects are the live ones."""
    result = manage({**production_env, "SECURE_SSL_REDIRECT": "off"}, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_deploy_checks_fail_without_the_sites_https_address_for_links_in_emails(production_env):
    result = manage({**production_env, "SITE_URL": "http://groups.example.org"}, "check", "--deploy")

    assert result.returncode != 0
    assert "notifications.E001" in result.stderr


def test_deploy_checks_warn_of_a_sender_address_mail_servers_would_refuse(production_env):
    env = {key: value for key, value in production_env.items() if key != "DEFAULT_FROM_EMAIL"}
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "notifications.W001" in result.stderr


def test_production_settings_default_to_https_only_and_secure_cookies(production_env):
    values = production_settings(
        production_env,
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
        "STORAGES",
        "WHITENOISE_USE_FINDERS",
    )

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # only when a proxy is said to set it
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["WHITENOISE_USE_FINDERS"] is False


def test_a_deployment_behind_a_proxy_sets_its_origins_and_the_proxy_header(production_env):
    env = {
        **production_env,
        "SECURE_PROXY_SSL_HEADER": "on",
        "CSRF_TRUSTED_ORIGINS": "https://groups.example.org,https://www.groups.example.org",
        "SECURE_HSTS_SECONDS": "3600",
    }

    values = production_settings(env, "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "SECURE_HSTS_SECONDS")

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://groups.example.org", "https://www.groups.example.org"]
    assert values["SECURE_HSTS_SECONDS"] == 3600


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's, not DATABASE_URL's)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.postgres("gunicorn is started on the test database by its PostgreSQL URL")
def test_gunicorn_and_whitenoise_serve_the_app_as_in_production(production_env, tmp_path, transactional_db):
    """collectstatic builds the compressed, hashed files; gunicorn (with gunicorn.conf.py)
    serves pages over HTTPS only and whitenoise serves the static files itself."""
    port = _free_port()
    env = {
        **production_env,
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": _test_database_url(),
        "SECURE_PROXY_SSL_HEADER": "on",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["vendor/bootstrap/css/bootstrap.min.css"]
    assert re.fullmatch(r"vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css", hashed_css)

    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn")], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start within 30 seconds"
                time.sleep(0.2)
        https = {"X-Forwarded-Proto": "https", "Host": "groups.example.org"}

        status, headers, _ = _fetch(f"{base}/accounts/login/", {"Host": "groups.example.org"})
        assert status == 301
        assert headers["Location"] == "https://groups.example.org/accounts/login/"

        status, headers, body = _fetch(f"{base}/accounts/login/", https)
        assert status == 200
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert f"/static/{hashed_css}".encode() in body

        status, headers, _ = _fetch(f"{base}/static/{hashed_css}", {**https, "Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
        assert "camera=()" in headers["Permissions-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)


# Headers on every response ---------------------------------------------------------------------------


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return dict(directive.strip().split(" ", 1) for directive in header.split(";"))


@pytest.mark.django_db
def test_every_kind_of_page_carries_the_content_security_policy(client, group, coordinator):
    signed_out = client.get(reverse("login"))
    sign_in(client, coordinator, verified=True)
    signed_in = client.get(reverse("groups:plan", kwargs={"pk": group.pk}))
    not_found = client.get("/no-such-page/")

    for response in (signed_out, signed_in, not_found):
        assert _policy(response) == POLICY


@pytest.mark.django_db
def test_pages_may_not_be_framed_or_sniffed_and_send_no_referrer_elsewhere(client, group, coordinator):
    response = sign_in(client, coordinator, verified=True).get(reverse("groups:plan", kwargs={"pk": group.pk}))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# Browser features no page uses, each of which must be turned off (groups_site/settings.py).
FEATURES_OFF = ["camera", "microphone", "geolocation", "payment", "usb", "interest-cohort", "display-capture", "midi"]


@pytest.mark.django_db
def test_every_kind_of_response_turns_off_the_browser_features_the_app_never_uses(
    client, group, coordinator, facilitator
):
    feed = CalendarFeed.objects.create(user=facilitator, group=group)
    signed_out = client.get(reverse("login"))
    calendar = client.get(feed.get_absolute_url())
    sign_in(client, coordinator, verified=True)
    assert calendar["Content-Type"].startswith("text/calendar")
    responses = [
        signed_out,
        calendar,
        client.get(reverse("groups:plan", kwargs={"pk": group.pk})),
        client.get(reverse("reports:funder_report"), {"format": "csv"}),
        client.get("/no-such-page/"),
    ]

    for response in responses:
        policy = dict(rule.strip().split("=", 1) for rule in response["Permissions-Policy"].split(","))
        assert all(policy[feature] == "()" for feature in FEATURES_OFF), response
        # The calendar page's "copy the link" button writes to the clipboard; nothing reads it.
        assert (policy["clipboard-write"], policy["clipboard-read"]) == ("(self)", "()")


TEMPLATES = ROOT / "templates"
INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    'a style="" attribute': re.compile(r"\sstyle\s*=", re.IGNORECASE),
    'an event handler (onclick="")': re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}
# Data for scripts, not scripts: the policy does not apply to them.
DATA_SCRIPT = re.compile(r'<script[^>]*type="application/(?:ld\+)?json"', re.IGNORECASE)


def test_no_template_has_inline_script_or_style_that_the_policy_would_block():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    found = []
    for template in templates:
        text = DATA_SCRIPT.sub("", template.read_text())
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


# Never cached when signed in -------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_seen_signed_in_are_never_cached(client, group, coordinator):
    response = sign_in(client, coordinator, verified=True).get(reverse("groups:plan", kwargs={"pk": group.pk}))

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= cache_control
    assert response["Expires"]


def test_the_never_cache_middleware_leaves_signed_out_responses_alone():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    response = NeverCacheForSignedInMiddleware(lambda request: HttpResponse("public"))(request)

    assert not response.has_header("Cache-Control")


@pytest.mark.django_db
def test_the_never_cache_middleware_marks_every_signed_in_response():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    cacheable = HttpResponse("personal")
    cacheable["Cache-Control"] = "public, max-age=3600"

    response = NeverCacheForSignedInMiddleware(lambda request: cacheable)(request)

    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# Error pages that give nothing away -----------------------------------------------------------------


def _raises(error):
    @login_not_required
    def view(request):
        raise error

    return view


# This module is also the URLconf of the error-page tests (see override_settings below): the
# project's pages (the error pages link to them) and three that fail.
urlpatterns = [
    path("server-error/", _raises(RuntimeError(SECRET_DETAIL))),
    path("not-found/", _raises(Http404(SECRET_DETAIL))),
    path("forbidden/", _raises(PermissionDenied(SECRET_DETAIL))),
    path("", include("groups_site.urls")),
]


@pytest.fixture
def error_client(db, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    return sign_in(client, UserFactory(username="erin"), verified=True)


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/server-error/", 500, "Something went wrong"),
        ("/not-found/", 404, "Page not found"),
        ("/forbidden/", 403, "You cannot do this"),
    ],
)
def test_error_pages_say_what_happened_and_nothing_more(error_client, url, status, heading):
    response = error_client.get(url)

    body = response.content.decode()
    assert response.status_code == status
    assert heading in body
    assert SECRET_DETAIL not in body
    assert "Traceback" not in body and "RuntimeError" not in body and "settings" not in body.lower()
    assert _policy(response) == POLICY


@override_settings(ROOT_URLCONF=__name__)
def test_the_server_error_page_needs_nothing_from_the_app(db):
    """Django renders 500.html with no context and no request: it must not use any."""
    template = (TEMPLATES / "500.html").read_text()

    assert "{%" not in template and "{{" not in template
    assert Client(raise_request_exception=False).get("/server-error/").status_code == 500


@pytest.mark.parametrize(("months", "starts"), [("0", False), ("-3", False), ("1", True), ("24", True)])
def test_the_access_log_must_be_kept_for_at_least_a_month(production_env, months, starts):
    result = manage({**production_env, "ACCESS_LOG_RETENTION_MONTHS": months}, "check")

    assert (result.returncode == 0) is starts, result.stderr
    if not starts:
        assert "ACCESS_LOG_RETENTION_MONTHS must be 1 or more" in result.stderr
