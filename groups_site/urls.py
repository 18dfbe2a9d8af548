from django.conf import settings
from django.contrib import admin
from django.urls import include, path

handler403 = "groups_site.errors.permission_denied"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in (password, then a one-time code), sign out, and two-factor set-up and recovery codes.
    path("accounts/", include("accounts.urls")),
    # What the signed-in person gets by email, and unsubscribe links from emails.
    path("accounts/email/", include("notifications.urls")),
    path("", include("sessions_log.urls")),
    path("", include("concerns.urls")),
    path("", include("groups.urls")),
    path("", include("audit.urls")),
    # Invitations to join a team: accepting one (no account yet), resending or withdrawing one.
    path("", include("invitations.urls")),
    path("reports/", include("reports.urls")),
]

if settings.BENCH_FLOOR_ENABLED:
    # `make bench` only: pages that open without signing in, so they do not exist otherwise.
    urlpatterns.append(path("bench/", include("bench.urls")))
