from django.urls import path, register_converter

from . import views


class FeedTokenConverter:
    """Only what secrets.token_urlsafe gives (letters, digits, - and _) can name a calendar feed,
    so an address with anything else (a NUL, which PostgreSQL refuses) is not found without
    reaching the database."""

    regex = "[A-Za-z0-9_-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedTokenConverter, "feed_token")

app_name = "reports"

urlpatterns = [
    path("funder/", views.funder_report, name="funder_report"),
    path("groups/<int:pk>/plan/", views.plan_print, name="plan_print"),
    path("groups/<int:pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("groups/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("groups/<int:pk>/calendar/create/", views.calendar_create, name="calendar_create"),
    path("groups/<int:pk>/calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("groups/<int:pk>/calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<feed_token:token>.ics", views.calendar_feed, name="calendar_feed"),
]
