from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.email_settings, name="settings"),
    # Opened from an email, signed in or not: the token says who and what.
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
