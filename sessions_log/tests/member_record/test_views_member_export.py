"""A copy of everything held about a member, for their subject access request."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessEvent
from sessions_log.subject_access import MemberNames
from sessions_log.tests.factories import DebriefNoteFactory, LessonFactory
from sessions_log.tests.member_record.helpers import Status, url
from sessions_log.tests.records import held_session, take_register
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db


# A copy of everything held -------------------------------------------------------------------


def exported(client, things, coordinator) -> dict:
    response = sign_in(client, coordinator).get(url("member_export_json", things))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_json_copy_is_a_download_named_without_the_members_name(client, things, coordinator):
    response = sign_in(client, coordinator).get(url("member_export_json", things))

    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"member-{things.robin.pk}-records-" in disposition
    assert "Robin" not in disposition


def test_the_copy_holds_the_record_every_mark_and_every_follow_up(client, things, coordinator):
    data = exported(client, things, coordinator)

    assert data["member"]["display_name"] == "Robin"
    assert data["member"]["group"] == things.group.name
    assert data["member"]["status"] == "Attending"
    assert [(mark["session_date"], mark["mark"]) for mark in data["attendance"]] == [
        (things.sessions[0].date.isoformat(), "Present"),
        (things.sessions[1].date.isoformat(), "Absent without notice"),
        (things.sessions[2].date.isoformat(), "Absent without notice"),
    ]
    [closed, still_open] = data["follow_ups"]
    assert closed["missed_session_date"] == things.sessions[1].date.isoformat()
    assert (closed["outcome"], still_open["outcome"], still_open["closed_on"]) == ("Contacted", "", None)
    assert (closed["sessions_missed_in_a_row"], still_open["sessions_missed_in_a_row"]) == (1, 2)
    assert [version["change"] for version in data["earlier_versions_of_the_record"]] == ["Created"]


def test_the_copy_includes_notes_that_name_the_member_with_other_members_redacted(client, things, coordinator):
    data = exported(client, things, coordinator)

    texts = {mention["where"]: mention["text"] for mention in data["mentions_in_notes"]}
    assert texts == {"Lesson learnt: what worked": "Robin and [another member] led the check-in together."}
    assert data["follow_ups"][0]["note"] == "Robin will come back with [another member] next week."
    assert "Sky" not in json.dumps(data)
    assert "sky" not in json.dumps(data)


def test_the_copy_leaves_out_notes_that_do_not_name_the_member(client, things, coordinator):
    data = exported(client, things, coordinator)

    assert not any("longer break" in mention["text"] for mention in data["mentions_in_notes"])


def test_the_readable_copy_shows_the_same_with_other_members_redacted(client, things, coordinator):
    response = sign_in(client, coordinator).get(url("member_export", things))

    html = response.content.decode()
    assert "Everything held about Robin" in html
    assert "Robin and [another member] led the check-in together." in html
    assert "Sky" not in html
    assert url("member_export_json", things) in html


# session, user, group, roles, the member, names they were recorded under, other members' names,
# the redaction list, versions, marks, follow-ups, signposting while they waited, 2 kinds of notes,
# 3 kinds of debrief material, (the page: the open request), event, the roles the main menu reads
EXPORT_MAX_QUERIES = 22  # with the concerns raised about them


@pytest.mark.parametrize("name", ["member_export", "member_export_json"])
def test_the_export_costs_the_same_queries_however_much_is_held(
    client, things, coordinator, facilitator, name, django_assert_max_num_queries
):
    sign_in(client, coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(url(name, things))
    for days_ago in range(28, 28 + 7 * 8, 7):
        take_register(held_session(things.group, days_ago, [facilitator]), {things.robin: Status.ABSENT}, facilitator)
        LessonFactory(group=things.group, what_worked=f"Robin and Sky, week {days_ago}.")
        DebriefNoteFactory(debrief=things.debrief, text=f"Robin again, day {days_ago}.")

    with django_assert_max_num_queries(EXPORT_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(url(name, things))

    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(("name", "detail"), [("member_export", "readable page"), ("member_export_json", "JSON file")])
def test_each_export_logs_the_fact_and_not_the_content(client, things, coordinator, name, detail):
    sign_in(client, coordinator).get(url(name, things))

    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.object_id, event.detail) == (
        coordinator,
        AccessEvent.Action.EXPORTED_MEMBER,
        things.robin.pk,
        detail,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sky and Robin arrived early.", "[another member] and Robin arrived early."),
        ("SKY was quiet; sky left early.", "[another member] was quiet; [another member] left early."),
        ("Skylar is not a member, nor is the sky.", "Skylar is not a member, nor is the [another member]."),
        ("Jo Ann came with Robin.", "[another member] came with Robin."),
        ("", ""),
    ],
)
def test_other_members_names_are_redacted_as_whole_words_in_any_case(text, expected):
    assert MemberNames(own=["Robin"], others=["Sky", "Jo", "Jo Ann"]).redacted(text) == expected


def test_the_members_own_name_survives_even_when_it_contains_another_members_name():
    text = "Jo Ann talked to Jo."

    assert MemberNames(own=["Jo Ann"], others=["Jo"]).redacted(text) == "Jo Ann talked to [another member]."
