"""Settings for the support-groups planner.

Everything that differs between a laptop and production is read from the environment
(see `.env.example`). DEBUG is off unless asked for, and a production secret is never
defaulted.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # A throwaway key so `make run` works out of the box; never used with DEBUG off.
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    # Django's admin, for superusers only (groups_site/admin.py).
    "groups_site.apps.OrganisationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # Content Security Policy header on every response (see "Production hardening" below).
    "csp",
    # Signing in: one-time codes (django-otp, two-factor's wizard) and lockout (axes); see
    # "Signing in" below. two_factor must come before its own plugins, which we do not use.
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    # The task queue (Django's tasks API, built into Django 6; django-tasks backports it) with its
    # database backend: email is sent by `manage.py db_worker`, never inside a request.
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "audit",
    "groups",
    "sessions_log",
    # Concerns about members' safety (kept apart from debriefs) and each group's complaints log.
    "concerns",
    "reports",
    "notifications",
    # Joining a group's team by an emailed invitation, for people who have no account yet.
    "invitations",
    # seed_demo and the data it writes (`make run`, `make bench`); no page of the app uses it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Turns off browser features the app never uses (see PERMISSIONS_POLICY); before whitenoise,
    # so static files carry the header too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Serves static files itself, so gunicorn needs no separate file server (right after security
    # and the header above, which static files carry too).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Adds request.user.is_verified(): has this session been through a one-time code?
    "django_otp.middleware.OTPMiddleware",
    # Pages seen while signed in hold personal data: never cached (needs request.user).
    "groups_site.middleware.NeverCacheForSignedInMiddleware",
    # Every page needs a signed-in user; the few public ones opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs people out after 30 idle minutes or 12 hours (needs sessions, the user and messages).
    "accounts.middleware.SessionTimeoutMiddleware",
    # With OTP_REQUIRED, nothing but the two-factor pages until a one-time code is given.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # Stamps each history record with the signed-in person who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "groups_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # What the main menu offers this person (counted only when the menu is shown).
                "groups_site.context_processors.menu",
            ],
            # Template tags of the site as a whole, which belongs to no one app.
            "libraries": {"error_summary": "groups_site.templatetags.error_summary"},
        },
    },
]

WSGI_APPLICATION = "groups_site.wsgi.application"

# SQLite in the project folder by default (what `make run` uses); PostgreSQL by URL,
# e.g. DATABASE_URL=postgres://user:password@127.0.0.1:5432/groups
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: reopening a connection per request costs more than the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # So two workers (or runserver and a management command) can use the SQLite file at once
    # without "database is locked": WAL lets readers carry on while one writes; IMMEDIATE takes
    # the write lock when a transaction starts, rather than failing half-way through it; and a
    # writer waits up to 20 s (`timeout`, SQLite's busy timeout) for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

# The cache holds the funder report's figures per group, each under its summary's version
# (reports.funder.figures_of_groups): never anything that decides access, and never a figure
# after a change. In each process's memory by default (nothing to run for `make run`);
# CACHE_URL=redis://127.0.0.1:6379/1 shares one between workers and servers.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "sessions_log:dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Signing in ----------------------------------------------------------------------------
# A password, then a one-time code from an authenticator app, with recovery codes for a lost
# phone (django-two-factor-auth's wizard on django-otp); guessing passwords is locked out
# (django-axes); sessions end when idle or old (accounts.middleware).

# On unless DEBUG is: every signed-in person must set up, then give, a one-time code before any
# other page. `make run`'s demo accounts sign in with a password alone.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
# Codes are asked for on every sign-in: no "remember this browser" cookie.
TWO_FACTOR_REMEMBER_COOKIE_AGE = None

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the person's permissions with the person: has_perm (who may plan
    # a group) then costs no queries of its own. Sessions signed in under Django's own backend path
    # end once, when this is first deployed.
    "accounts.backends.PermissionsWithUserBackend",
]
# Five wrong passwords for one username from one address lock that pair out for 30 minutes; a
# completed sign-in before then starts the count again. By username alone anyone could lock a
# colleague out; by address alone one person could lock out a whole office behind one router.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Which address a request comes from (django-ipware). Reached directly, it is REMOTE_ADDR. Behind
# one reverse proxy that appends the client's address to X-Forwarded-For (nginx's
# $proxy_add_x_forwarded_for), set AXES_IPWARE_META_PRECEDENCE_ORDER=HTTP_X_FORWARDED_FOR,REMOTE_ADDR
# and AXES_IPWARE_PROXY_ORDER=right-most: the right-most entry is the one the proxy wrote, so a
# client cannot choose its address by sending the header itself. With a chain of proxies, see
# AXES_IPWARE_PROXY_COUNT and AXES_IPWARE_PROXY_TRUSTED_IPS in django-axes' documentation.
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"])
AXES_IPWARE_PROXY_ORDER = env("AXES_IPWARE_PROXY_ORDER", default="left-most")
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=None)
AXES_IPWARE_PROXY_TRUSTED_IPS = env.list("AXES_IPWARE_PROXY_TRUSTED_IPS", default=None)

# Signed out after 30 minutes without a request, and 12 hours after signing in whatever happens;
# the cookie goes when the browser closes.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_MAX_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_MAX_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A password reset link works once, for an hour (Django's tokens; the link is made when the
# email is sent). At most PASSWORD_RESET_LIMIT reset emails go to one address, and for one
# account, in PASSWORD_RESET_LIMIT_WINDOW (accounts.passwords).
PASSWORD_RESET_TIMEOUT = 60 * 60
PASSWORD_RESET_LIMIT = 3
PASSWORD_RESET_LIMIT_WINDOW = timedelta(hours=1)
# Django's database sessions, but a cookie holding a key Django never makes is no session
# (accounts/sessions.py): a NUL in it once failed every page.
SESSION_ENGINE = "accounts.sessions"
# --- end of "Signing in" -------------------------------------------------------------------

# --- Email and the task queue --------------------------------------------------------------
# One URL says how mail leaves (django-environ): smtp+tls://USER:PASSWORD@HOST:587 in production,
# filemail:///PATH (relative to the working folder) or filemail:////ABSOLUTE/PATH to write each
# message to a file, consolemail:// to print it. `make run` prints to the console. The tests use
# Django's in-memory outbox whatever this says.
vars().update(env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
# A mail server that stops answering must not hold the worker for ever (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Group planner <groups@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The address people reach the site at, for the links in emails (which have no request to take
# it from): https://groups.example.org. Required outside DEBUG (a deploy check says so).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Mail is a task on a queue kept in the database (django-tasks-db), run by `manage.py db_worker`
# next to the web server; a failed send is tried again later (notifications.tasks). The tests
# run tasks at once (TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend, pytest.ini).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    },
}
# --- end of "Email and the task queue" ----------------------------------------------------

# The access log (who opened or exported which sensitive record, never what it said) is kept this
# long, or as long as the group keeps its records if that is longer, then the daily purge
# (manage.py purge_expired) deletes it: long enough to look into a concern about who saw what,
# no longer, as with every other record. Records of erasures are kept (see README, "Retention").
ACCESS_LOG_RETENTION_MONTHS = env.int("ACCESS_LOG_RETENTION_MONTHS", default=24)
if ACCESS_LOG_RETENTION_MONTHS < 1:
    # 0 would empty the log every night, hiding who opened what the same day.
    raise ImproperlyConfigured("ACCESS_LOG_RETENTION_MONTHS must be 1 or more (24 is the default).")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
# The app speaks British English only. Off, Django skips its translation machinery, which on
# every page looked up the active language hundreds of times (each number and date shown).
# Dates and numbers are still formatted the en-GB way (LANGUAGE_CODE).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production whitenoise serves files collected by `collectstatic`, compressed and with
    # content hashes in their names so browsers may cache them for ever. The plain storage needs
    # no collectstatic step, for `make run` and the tests (pytest.ini sets STATICFILES_BACKEND).
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# With DEBUG on, whitenoise serves straight from static/ so edits show without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Making a plan's PDF is stopped after this many seconds (reports/pdf.py), well within gunicorn's
# 30-second worker timeout; the person is then asked to print the plan from their browser.
PDF_TIME_LIMIT_SECONDS = env.float("PDF_TIME_LIMIT_SECONDS", default=10.0)

# `make bench` turns on /bench/floor/, a page with no queries that sets the floor other pages are
# compared with, /bench/floor/queries/, the same page after ten one-row reads of groups by
# primary key (shown nowhere; bench/views.py), and /bench/floor/signed-in/, its rows in the
# signed-in layout. The first two open without signing in, so everywhere else none of them is
# routed at all (groups_site/urls.py).
BENCH_FLOOR_ENABLED = env.bool("BENCH_FLOOR_ENABLED", default=False)

MESSAGE_TAGS = {
    # Bootstrap calls it "danger".
    40: "danger",
}

# --- Errors --------------------------------------------------------------------------------
# Every error (and warning, such as a refused CSRF token) goes to stderr, which gunicorn and
# systemd keep: the failing page's path, the signed-in person's id and the traceback; never
# the request's body, query string, cookies or headers (groups_site/error_logging.py). So the
# 500 page's "the problem has been logged" is true. With ADMINS set (comma-separated email
# addresses; sending needs the EMAIL_* settings), errors are also mailed to them, as text and
# with the same facts only.
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_facts_only": {"()": "groups_site.error_logging.RequestFactsOnly"}},
    "formatters": {
        "facts": {
            "()": "groups_site.error_logging.FactsFormatter",
            "format": "{asctime} {levelname} {name} path={request_path} user={user_id}: {message}",
            "style": "{",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_facts_only"],
            "formatter": "facts",
        },
        # Attached below only when ADMINS is set.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "include_html": False,
            "reporter_class": "groups_site.error_logging.RedactedExceptionReporter",
            "filters": ["request_facts_only"],
            "formatter": "facts",
        },
    },
    "root": {"handlers": ["stderr", "mail_admins"] if ADMINS else ["stderr"], "level": "WARNING"},
    "loggers": {
        # Instead of Django's own handlers: its console one is for DEBUG only, and its mail one
        # would send the whole request. Warnings and errors reach the root's handlers above.
        "django": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}

# --- Production hardening ------------------------------------------------------------------
# With DEBUG off, `manage.py check --deploy --fail-level WARNING` passes. Each setting a
# deployment may need to change is read from the environment (see README, "Running in
# production"); the defaults are the safe ones.

# HTTPS only. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=on so Django
# trusts the proxy's X-Forwarded-Proto; only do so if the proxy always sets that header.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: browsers refuse plain HTTP for a year once they have seen the site over HTTPS. Hard to
# undo, so lower SECURE_HSTS_SECONDS while first trying a new domain.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Cookies travel only over HTTPS (browsers also accept them from http://localhost, which is
# what the browser tests use) and the session cookie is out of JavaScript's reach.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Other sites learn nothing of the pages people came from (URLs name groups and members).
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Full origins (https://groups.example.org) the site is reached at, when a proxy changes the host.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Content Security Policy: the browser runs only scripts and styles served from this site, so
# injected markup cannot run. Templates therefore carry no inline <script>, <style> or style="".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Permissions Policy: the browser features no page of the app uses are turned off, so that
# injected or third-party code could not use them either. The "copy the link" button of the
# calendar page writes to the clipboard, so this site may do that. Features Chromium does not
# know (ambient-light-sensor, bluetooth, web-share) are left out: it warns about each on every page.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "clipboard-read": [],
    "clipboard-write": ["self"],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "interest-cohort": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
