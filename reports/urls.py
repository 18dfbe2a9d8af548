from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("funder/", views.funder_report, name="funder_report"),
    path("groups/<int:pk>/plan/", views.plan_print, name="plan_print"),
    path("groups/<int:pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("groups/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("groups/<int:pk>/calendar/create/", views.calendar_create, name="calendar_create"),
    path("groups/<int:pk>/calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("groups/<int:pk>/calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
