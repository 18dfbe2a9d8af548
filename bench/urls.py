"""The benchmark's floor pages. groups_site/urls.py includes these only when BENCH_FLOOR_ENABLED
is on (`make bench`), because they open without signing in."""

from django.urls import path

from . import views

app_name = "bench"
urlpatterns = [
    path("floor/", views.floor, name="floor"),
    path("floor/signed-in/", views.floor_signed_in, name="floor_signed_in"),
    path("floor/queries/", views.floor_with_query_budget, name="floor_with_query_budget"),
]
