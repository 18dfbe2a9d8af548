"""Where the time of signing in goes, with production's settings and password hasher.

Usage: scripts/with_postgres.sh .venv/bin/python scripts/time_sign_in.py [N]

Signs N people (5 unless given) in through the real sign-in pages with Django's test client, as
production does: the password (hashed with Django's PBKDF2, 1,000,000 iterations in Django 5.2),
then a code from their authenticator app. Prints each request's time, the hasher's own time, and
the database's share. It measures; it is not a test (accounts/tests/test_sign_in_cost.py keeps the
rest cheap). Needs an empty PostgreSQL database in DATABASE_URL, which it migrates.
"""

import os
import statistics
import sys
import time
from pathlib import Path

# Production, but served over the test client's plain HTTP, with the uncollected static files.
os.environ.update(
    DJANGO_SETTINGS_MODULE="groups_site.settings",
    DEBUG="off",
    OTP_REQUIRED="on",
    SECURE_SSL_REDIRECT="off",
    STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
)
os.environ.setdefault("SECRET_KEY", "timing-only-secret-key-not-for-production")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import get_hasher  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import User  # noqa: E402

PASSWORD = "correct horse battery staple"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def code_for(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


# Time spent in the hasher during the request being timed.
hashing = []


def timed_hasher(hasher):
    verify = type(hasher).verify

    def timed_verify(self, password, encoded):
        started = time.perf_counter()
        try:
            return verify(self, password, encoded)
        finally:
            hashing.append(time.perf_counter() - started)

    type(hasher).verify = timed_verify


def timed(request, *args):
    """The response, seconds taken, queries made, seconds in the database, seconds hashing."""
    hashing.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = request(*args)
        elapsed = time.perf_counter() - started
    in_database = sum(float(query["time"]) for query in queries.captured_queries)
    return response, elapsed, len(queries.captured_queries), in_database, sum(hashing)


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    hasher = get_hasher()
    print(f"Hasher: {hasher.algorithm}, {hasher.iterations:,} iterations. {count} sign-ins on {connection.vendor}.")

    timed_hasher(hasher)

    people = []
    for number in range(count):
        user = User.objects.create_user(f"timer{number}", f"timer{number}@example.org", PASSWORD)
        people.append((user, TOTPDevice.objects.create(user=user, name="default", confirmed=True)))
    # One sign-in first, so that loading templates and code is not counted in the others.
    Client().get("/accounts/login/")

    steps = {"open the sign-in page": [], "give the password": [], "give the code": []}
    for user, device in people:
        client = Client()
        steps["open the sign-in page"].append(timed(client.get, "/accounts/login/"))
        password = {"login_view-current_step": "auth", "auth-username": user.username, "auth-password": PASSWORD}
        steps["give the password"].append(timed(client.post, "/accounts/login/", password))
        code = {"login_view-current_step": "token", "token-otp_token": code_for(device)}
        response = timed(client.post, "/accounts/login/", code)
        assert response[0].status_code == 302, "the code was refused"
        steps["give the code"].append(response)

    print(f"{'step (median)':24} {'time':>8} {'hashing':>8} {'other':>8} {'queries':>8} {'in the database':>16}")
    for step, runs in steps.items():
        took, hashed = statistics.median(run[1] for run in runs), statistics.median(run[4] for run in runs)
        print(
            f"{step:24} {ms(took):>8} {ms(hashed):>8} {ms(took - hashed):>8} "
            f"{statistics.median(run[2] for run in runs):>8.0f} {ms(statistics.median(run[3] for run in runs)):>16}"
        )
    sign_ins = [[sum(runs[i][column] for runs in steps.values()) for column in (1, 4)] for i in range(count)]
    total, hashed = statistics.median(took for took, _ in sign_ins), statistics.median(hash for _, hash in sign_ins)
    print(f"{'whole sign-in':24} {ms(total):>8} {ms(hashed):>8} {ms(total - hashed):>8}")
    print(f"The hasher is {hashed / total:.0%} of signing in.")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
