from django.urls import path

from . import views

app_name = "concerns"

group = "groups/<int:pk>/"

urlpatterns = [
    # Concerns
    path(group + "concerns/", views.concern_list, name="concerns"),
    path(group + "concerns/new/", views.concern_create, name="concern_create"),
    path(group + "concerns/<int:concern_pk>/", views.concern_detail, name="concern"),
    path(group + "concerns/<int:concern_pk>/edit/", views.concern_edit, name="concern_edit"),
    path(group + "concerns/<int:concern_pk>/close/", views.concern_close, name="concern_close"),
    # The complaints log
    path(group + "complaints/", views.complaint_list, name="complaints"),
    path(group + "complaints/new/", views.complaint_create, name="complaint_create"),
    path(group + "complaints/<int:complaint_pk>/", views.complaint_detail, name="complaint"),
    path(group + "complaints/<int:complaint_pk>/close/", views.complaint_close, name="complaint_close"),
]
