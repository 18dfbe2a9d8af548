from django.contrib import admin
from django.urls import include, path

from . import views

handler403 = "groups_site.errors.permission_denied"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in (password, then a one-time code), sign out, and two-factor set-up and recovery codes.
    path("accounts/", include("accounts.urls")),
    path("", include("sessions_log.urls")),
    path("", include("groups.urls")),
    path("", include("audit.urls")),
    path("reports/", include("reports.urls")),
    # Only with BENCH_FLOOR_ENABLED (make bench); a 404 otherwise.
    path("bench/floor/", views.bench_floor, name="bench_floor"),
    path("bench/floor/queries/", views.bench_floor_with_query_budget, name="bench_floor_with_query_budget"),
]
