from django.urls import path

from .views import dashboard, debriefs, lessons, member_record, members, sessions

app_name = "sessions_log"

group = "groups/<int:pk>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("supervision/", debriefs.review_queue, name="review_queue"),
    # Members
    path(group + "members/", members.member_list, name="members"),
    path(group + "members/new/", members.member_add, name="member_add"),
    path(group + "members/<int:member_pk>/", member_record.member_detail, name="member"),
    path(group + "members/<int:member_pk>/export/", member_record.member_export, name="member_export"),
    path(group + "members/<int:member_pk>/export.json", member_record.member_export_json, name="member_export_json"),
    path(group + "members/<int:member_pk>/erase/", member_record.member_erase, name="member_erase"),
    path(
        group + "members/<int:member_pk>/ask-supervisor/",
        member_record.member_ask_supervisor,
        name="member_ask_supervisor",
    ),
    path(
        group + "members/<int:member_pk>/debrief-material/",
        member_record.member_debrief_material,
        name="member_debrief_material",
    ),
    path(
        group + "members/<int:member_pk>/debrief-material.json",
        member_record.member_debrief_material_json,
        name="member_debrief_material_json",
    ),
    path(
        group + "members/<int:member_pk>/debrief-material/agree/",
        member_record.member_agree_replacement,
        name="member_agree_replacement",
    ),
    path(group + "members/<int:member_pk>/edit/", members.member_edit, name="member_edit"),
    path(group + "members/<int:member_pk>/exit/", members.member_exit, name="member_exit"),
    path(group + "members/<int:member_pk>/admit/", members.member_admit, name="member_admit"),
    path(group + "members/signpost/", members.signpost, name="signpost"),
    path(group + "members/<int:member_pk>/signpost/", members.signpost, name="signpost_waiting"),
    path(group + "contact-details/stop/", members.stop_holding_contact_details_page, name="stop_contact_details"),
    path(group + "absence-policy/", members.absence_policy, name="absence_policy"),
    path(group + "follow-ups/<int:follow_up_pk>/close/", members.follow_up_close, name="follow_up_close"),
    # Sessions and registers
    path(group + "sessions/", sessions.group_sessions, name="group_sessions"),
    path(group + "sessions/new/", sessions.session_create, name="session_create"),
    path(group + "sessions/<int:session_pk>/", sessions.session_detail, name="session"),
    path(group + "sessions/<int:session_pk>/edit/", sessions.session_edit, name="session_edit"),
    path(group + "sessions/<int:session_pk>/register/", sessions.register, name="register"),
    # Lessons learnt
    path(group + "lessons/", lessons.lesson_log, name="lessons"),
    path(group + "lessons/new/", lessons.lesson_create, name="lesson_create"),
    # Debriefs
    path(group + "sessions/<int:session_pk>/debrief/", debriefs.debrief_write, name="debrief_write"),
    path(group + "debriefs/<int:debrief_pk>/", debriefs.debrief_detail, name="debrief"),
    path(group + "debriefs/<int:debrief_pk>/review/", debriefs.debrief_review, name="debrief_review"),
    path(group + "debriefs/<int:debrief_pk>/notes/", debriefs.debrief_note, name="debrief_note"),
]
