from django.urls import path

from . import aims_progress, views

app_name = "groups"

urlpatterns = [
    path("groups/", views.home, name="home"),
    path("groups/new/", views.group_create, name="create"),
    path("groups/<int:pk>/", views.plan, name="plan"),
    path("groups/<int:pk>/edit/", views.group_edit, name="edit"),
    path("groups/<int:pk>/launch/", views.launch, name="launch"),
    path("groups/<int:pk>/status/<slug:action>/", views.change_status, name="change_status"),
    path("groups/<int:pk>/close/", views.close, name="close"),
    path("groups/<int:pk>/aims/", views.aims, name="aims"),
    path("groups/<int:pk>/aims/suggested/", views.aim_add_suggestion, name="aim_add_suggestion"),
    path("groups/<int:pk>/aims/review/", aims_progress.aims_review, name="aims_review"),
    path("groups/<int:pk>/aims/<int:aim_pk>/edit/", views.aim_edit, name="aim_edit"),
    path("groups/<int:pk>/aims/<int:aim_pk>/delete/", views.aim_delete, name="aim_delete"),
    path("groups/<int:pk>/rules/", views.rules, name="rules"),
    path("groups/<int:pk>/rules/<int:rule_pk>/edit/", views.rule_edit, name="rule_edit"),
    path("groups/<int:pk>/rules/<int:rule_pk>/delete/", views.rule_delete, name="rule_delete"),
    path("groups/<int:pk>/checklist/<slug:section>/", views.checklist_section, name="checklist_section"),
    path("groups/<int:pk>/risk-assessment/", views.risk_assessment, name="risk_assessment"),
    path("groups/<int:pk>/exit-strategy/", views.exit_strategy, name="exit_strategy"),
    path("groups/<int:pk>/support-plan/", views.support_plan, name="support_plan"),
    path("groups/<int:pk>/support-plan/supervisor/", views.choose_supervisor_view, name="choose_supervisor"),
    path("groups/<int:pk>/team/", views.team, name="team"),
    path("groups/<int:pk>/team/<int:role_pk>/remove/", views.team_remove, name="team_remove"),
]
