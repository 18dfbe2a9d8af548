from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("groups/<int:pk>/history/", views.group_history_page, name="group_history"),
]
