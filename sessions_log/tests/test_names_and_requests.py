"""Debrief confidentiality in a member's requests, erasure that can rewrite only the member's own
name, redaction that outlives erasure, and supervisors who never read members' names (issue 13,
items 1, 3, 5 and 10).

Alice coordinates, Bob leads and Sam supervises. Robin asks for their records; Sky and Bea are
other members. Each test named after what the tester found failed on the code before this change:
coordinators read debrief notes in the export and on the erase page; erasing a member named "And"
could rewrite every "and"; an erased member's name stayed in another member's export; and the
supervisor read members' names in lessons and debriefs.
"""

import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from groups.tests.factories import mark_launched
from groups_site import events
from sessions_log import erasure
from sessions_log.member_requests import agree_to_name_replacement, ask_supervisor
from sessions_log.models import DebriefNote, Lesson, Member, MemberRequest, RecordedName
from sessions_log.redaction import A_MEMBER, Redactor, is_common_word, name_key
from sessions_log.services import add_member, exit_member, update_member
from sessions_log.subject_access import NAME_IS_A_COMMON_WORD
from sessions_log.tests.factories import (
    DebriefFactory,
    DebriefNoteFactory,
    DebriefReviewFactory,
    FollowUpFactory,
    LessonFactory,
)
from sessions_log.tests.records import close, held_session
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def scene(group, coordinator, facilitator, supervisor):
    """A running group; Robin, Sky and Bea joined through the service (as the pages add them), so
    their names are on the redaction list; a debrief, its review and a note all name Robin."""
    mark_launched(group)

    def join(name):
        return add_member(member=Member(group=group, display_name=name, joined_on=TODAY()), by=facilitator)

    robin, sky, bea = join("Robin"), join("Sky"), join("Bea")
    session = held_session(group, 7, [facilitator])
    debrief = DebriefFactory(
        session=session, author=facilitator, how_it_went="Robin cried; Sky sat with them. Confidential words."
    )
    DebriefReviewFactory(debrief=debrief, reviewer=supervisor, comments="Check in with Robin and Bea next week.")
    DebriefNoteFactory(debrief=debrief, author=supervisor, text="Robin is doing better, says Sky.")
    lesson = LessonFactory(group=group, session=session, what_worked="Robin and Sky led the check-in together.")
    return type(
        "Scene",
        (),
        {
            "group": group,
            "robin": robin,
            "sky": sky,
            "bea": bea,
            "session": session,
            "debrief": debrief,
            "lesson": lesson,
            "coordinator": coordinator,
            "facilitator": facilitator,
            "supervisor": supervisor,
        },
    )


def member_url(name, scene, member=None):
    return reverse(f"sessions_log:{name}", kwargs={"pk": scene.group.pk, "member_pk": (member or scene.robin).pk})


DEBRIEF_WORDS = ("Confidential words", "cried", "Check in with", "doing better")


# 1. Coordinators never read debrief content ----------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["member_export", "member_export_json", "member_erase"])
def test_coordinators_never_read_debrief_content_on_a_members_request(client, scene, endpoint):
    body = sign_in(client, scene.coordinator, verified=True).get(member_url(endpoint, scene)).content.decode()

    assert not [words for words in DEBRIEF_WORDS if words in body]
    # They learn that debrief material names the member, and who answers for it.
    if endpoint == "member_export_json":
        material = json.loads(body)["debrief_material"]
        assert material["names_them"] is True
        assert material["answered_for_by"] == f"{scene.supervisor}, the group's supervisor"
    else:
        assert "Debrief material of this group names them." in body
        assert f"{scene.supervisor}, the group's supervisor," in body


def test_the_export_says_so_when_no_debrief_material_names_them(client, scene):
    body = (
        sign_in(client, scene.coordinator, verified=True)
        .get(member_url("member_export_json", scene, scene.bea))
        .content
    )
    # Bea is named only in the review: still debrief material.
    assert json.loads(body)["debrief_material"]["names_them"] is True
    quiet = add_member(member=Member(group=scene.group, display_name="Quill", joined_on=TODAY()), by=scene.facilitator)
    body = sign_in(client, scene.coordinator, verified=True).get(member_url("member_export_json", scene, quiet)).content
    assert json.loads(body)["debrief_material"]["names_them"] is False


def test_a_coordinator_asks_the_supervisor_who_sees_the_request_on_their_dashboard(client, scene, monkeypatch):
    heard = []
    monkeypatch.setattr(events, "announce", lambda signal, **facts: heard.append((signal, facts)))

    response = sign_in(client, scene.coordinator, verified=True).post(
        member_url("member_ask_supervisor", scene), {"back": "export"}
    )

    assert response.status_code == 302 and response.url == member_url("member_export", scene)
    request = MemberRequest.objects.get(member=scene.robin)
    assert request.is_open and request.opened_by == scene.coordinator
    assert (events.member_request_opened, {"member_id": scene.robin.pk, "group_id": scene.group.pk}) == (
        heard[0][0],
        {key: heard[0][1][key] for key in ("member_id", "group_id")},
    )
    dashboard = sign_in(type(client)(), scene.supervisor).get(reverse("sessions_log:dashboard"))
    assert member_url("member_debrief_material", scene) in dashboard.content.decode()
    assert dashboard.context["supervision"]["requests"] == [request]


def test_the_supervisor_reads_the_debrief_material_naming_the_member_with_others_redacted(client, scene):
    ask_supervisor(member=scene.robin, by=scene.coordinator)

    response = sign_in(client, scene.supervisor, verified=True).get(member_url("member_debrief_material", scene))

    html = response.content.decode()
    assert response.status_code == 200
    assert [mention.where for mention in response.context["material"]] == [
        "A facilitator's debrief: how did the session go?",
        "The supervisor's review of a debrief: comments",
        "Note on a facilitator's debrief",
    ]
    assert "cried; [another member] sat with them." in html
    assert "Sky sat" not in html and "Robin and Bea" not in html
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEWED_MEMBER)
    assert (event.user, event.object_id, event.detail) == (
        scene.supervisor,
        scene.robin.pk,
        "Debrief material naming them, for their request",
    )
    data = json.loads(
        sign_in(client, scene.supervisor, verified=True).get(member_url("member_debrief_material_json", scene)).content
    )
    assert [item["text"] for item in data["debrief_material_naming_them"]] == [
        "Robin cried; [another member] sat with them. Confidential words.",
        "Check in with Robin and [another member] next week.",
        "Robin is doing better, says [another member].",
    ]


def test_without_an_open_request_the_supervisor_cannot_learn_a_members_name(client, scene):
    """Otherwise a supervisor could try member numbers and read every member's name."""
    supervisor = sign_in(client, scene.supervisor, verified=True)
    assert supervisor.get(member_url("member_debrief_material", scene)).status_code == 404

    request = ask_supervisor(member=scene.robin, by=scene.coordinator)
    assert supervisor.get(member_url("member_debrief_material", scene)).status_code == 200
    assert supervisor.get(member_url("member_debrief_material", scene, scene.sky)).status_code == 404

    MemberRequest.objects.filter(pk=request.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=MemberRequest.OPEN_DAYS + 1)
    )
    assert supervisor.get(member_url("member_debrief_material", scene)).status_code == 404


# 3. Erasure rewrites only the member's own name -----------------------------------------------------


def _keys(client, scene, member):
    response = sign_in(client, scene.coordinator, verified=True).get(member_url("member_erase", scene, member))
    return [item["mention"].key for item in response.context["mentions"] if "ticked" in item]


def test_erasure_replaces_only_the_name_exactly_as_recorded_as_a_whole_word(client, scene):
    lesson = LessonFactory(
        group=scene.group, what_worked="Robin came; a robin sang; Robinson's book; ROBIN again.", what_to_change=""
    )
    keys = _keys(client, scene, scene.robin)

    erasure.erase_member(member=scene.robin, reason="Asked.", by=scene.coordinator, remove_name_from=set(keys))

    lesson.refresh_from_db()
    assert lesson.what_worked == "[a former member] came; a robin sang; Robinson's book; ROBIN again."
    # Debrief material is never the coordinator's to change.
    assert DebriefNote.objects.get(debrief=scene.debrief).text == "Robin is doing better, says Sky."


def test_erasing_a_member_named_after_a_common_word_cannot_rewrite_the_notes(client, scene):
    """The tester's attack: a member named "And", erased with every note ticked, rewrote every
    "and" in the group's notes and their history."""
    trap = add_member(member=Member(group=scene.group, display_name="And", joined_on=TODAY()), by=scene.coordinator)
    LessonFactory(group=scene.group, what_worked="Tea And biscuits.", what_to_change="")
    before = list(Lesson.history.values_list("what_worked", flat=True))

    response = sign_in(client, scene.coordinator, verified=True).get(member_url("member_erase", scene, trap))
    assert "remove_name_from" not in response.context["form"].fields  # no boxes to tick
    assert "is also a common word" in response.content.decode()
    keys = {item["mention"].key for item in response.context["mentions"]}
    with pytest.raises(ValidationError) as refusal:
        erasure.erase_member(member=trap, reason="Asked.", by=scene.coordinator, remove_name_from=keys)

    assert refusal.value.message_dict["remove_name_from"] == [NAME_IS_A_COMMON_WORD.format(names="And")]
    assert list(Lesson.history.values_list("what_worked", flat=True)) == before
    assert Member.objects.filter(pk=trap.pk).exists()


def test_with_the_supervisors_agreement_a_common_word_name_is_replaced_where_written_as_recorded(client, scene):
    will = add_member(member=Member(group=scene.group, display_name="Will", joined_on=TODAY()), by=scene.coordinator)
    lesson = LessonFactory(group=scene.group, what_worked="Will asked if we will meet.", what_to_change="")
    assert is_common_word("Will")
    ask_supervisor(member=will, by=scene.coordinator)
    page = sign_in(client, scene.supervisor, verified=True).get(member_url("member_debrief_material", scene, will))
    assert [mention.key for mention in page.context["to_replace"]] == [f"lesson-{lesson.pk}-what_worked"]

    agree_to_name_replacement(member=will, by=scene.supervisor)
    keys = _keys(client, scene, will)
    erasure.erase_member(member=will, reason="Asked.", by=scene.coordinator, remove_name_from=set(keys))

    lesson.refresh_from_db()
    assert lesson.what_worked == "[a former member] asked if we will meet."


def test_only_the_groups_supervisor_agrees_and_only_while_the_request_is_open(scene):
    with pytest.raises(ValidationError):
        agree_to_name_replacement(member=scene.robin, by=scene.supervisor)  # nothing asked yet
    ask_supervisor(member=scene.robin, by=scene.coordinator)
    with pytest.raises(PermissionDenied):
        agree_to_name_replacement(member=scene.robin, by=scene.coordinator)
    request = agree_to_name_replacement(member=scene.robin, by=scene.supervisor)
    assert request.replacement_agreed
    # Asked again (another request), the agreement must be given again.
    assert not ask_supervisor(member=scene.robin, by=scene.coordinator).replacement_agreed


# 5. Redaction that outlives erasure ------------------------------------------------------------------


def test_an_erased_members_name_is_still_redacted_from_another_members_export(client, scene):
    erasure.erase_member(member=scene.sky, reason="Asked.", by=scene.coordinator)
    assert not Member.history.filter(display_name="Sky").exists()

    data = (
        sign_in(client, scene.coordinator, verified=True).get(member_url("member_export_json", scene)).content.decode()
    )

    assert "Robin and [another member] led the check-in together." in data
    assert not re.search(r"\bsky\b", data, re.IGNORECASE)


def test_a_purged_members_name_is_still_redacted_too(client, scene):
    # Sky left long before the group's 12 months of retention.
    Member.objects.filter(pk=scene.sky.pk).update(
        status=Member.Status.EXITED,
        joined_on=TODAY() - datetime.timedelta(days=900),
        exited_on=TODAY() - datetime.timedelta(days=800),
        exit_reason="moved_on",
    )
    erasure.purge_expired(by=None)
    assert not Member.objects.filter(pk=scene.sky.pk).exists()

    data = (
        sign_in(client, scene.coordinator, verified=True).get(member_url("member_export_json", scene)).content.decode()
    )

    assert "Robin and [another member] led the check-in together." in data
    assert "Sky" not in data


def test_every_free_text_field_of_the_export_is_redacted_the_members_own_included(client, scene):
    """The tester's example: aftercare "Referred on together with Bea and Sky"."""
    exit_member(
        member=scene.robin,
        exited_on=TODAY(),
        reason=Member.ExitReason.REFERRED_ON,
        aftercare="Referred on together with Bea and Sky.",
        by=scene.facilitator,
    )
    FollowUpFactory(
        member=scene.robin, session=scene.session, note="Robin said Bea will call.", action="Call Sky's mum."
    )

    data = json.loads(
        sign_in(client, scene.coordinator, verified=True).get(member_url("member_export_json", scene)).content
    )

    assert data["member"]["aftercare_offered"] == "Referred on together with [another member] and [another member]."
    assert data["earlier_versions_of_the_record"][-1]["aftercare_offered"] == data["member"]["aftercare_offered"]
    assert data["follow_ups"][-1]["note"] == "Robin said [another member] will call."
    assert data["follow_ups"][-1]["action"] == "Call [another member]'s mum."
    assert data["member"]["display_name"] == "Robin"


def test_the_redaction_list_keeps_a_keyed_hash_never_the_name(scene):
    keys = set(RecordedName.objects.filter(group=scene.group).values_list("key", flat=True))

    assert name_key("Sky") in keys and name_key("sky ") == name_key("Sky")
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)
    assert not RecordedName.objects.filter(key__icontains="sky").exists()
    # A correction keeps the new name too; the old one stays.
    scene.sky.display_name = "Skye"
    update_member(member=scene.sky, by=scene.facilitator)
    assert {name_key("Sky"), name_key("Skye")} <= set(RecordedName.objects.values_list("key", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Will came with Bea.", f"{A_MEMBER} came with {A_MEMBER}."),
        ("We will see; bea came.", f"We will see; {A_MEMBER} came."),  # "will" is a word; "bea" is not
        ("Mary-Jane and O\u2019Neill", f"{A_MEMBER} and {A_MEMBER}"),
        ("Jo Ann and Jo", f"{A_MEMBER} and {A_MEMBER}"),
        ("Beatrice and Jolly", "Beatrice and Jolly"),
        ("", ""),
    ],
)
def test_recorded_names_are_found_as_whole_words_and_common_words_only_with_a_capital(text, expected):
    names = ["Will", "Bea", "Mary-Jane", "O'Neill", "Jo Ann", "Jo"]
    redactor = Redactor({name_key(name) for name in names}, longest=3)

    assert redactor.redacted(text, A_MEMBER) == expected


def test_the_migration_puts_every_name_ever_recorded_on_the_list(scene):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sessions_log.migrations.0011_redaction_list_requests_and_versions")
    RecordedName.objects.all().delete()

    migration.remember_every_recorded_name(apps, schema_editor=None)

    assert set(RecordedName.objects.values_list("key", flat=True)) == {name_key(n) for n in ("Robin", "Sky", "Bea")}


# 10. Supervisors read no member's name ---------------------------------------------------------------


def test_supervisors_read_lessons_and_debriefs_without_members_names(client, scene):
    """The README promised supervisors do not see names; they read them in lessons and debriefs."""
    erasure.erase_member(member=scene.bea, reason="Asked.", by=scene.coordinator)
    group_pk = scene.group.pk
    pages = {
        "lessons": reverse("sessions_log:lessons", kwargs={"pk": group_pk}),
        "session": reverse("sessions_log:session", kwargs={"pk": group_pk, "session_pk": scene.session.pk}),
        "debrief": reverse("sessions_log:debrief", kwargs={"pk": group_pk, "debrief_pk": scene.debrief.pk}),
    }
    supervisor = sign_in(client, scene.supervisor, verified=True)
    expected = {
        "lessons": ["[a member] and [a member] led the check-in together."],
        "session": ["[a member] and [a member] led the check-in together."],
        "debrief": [
            "[a member] cried; [a member] sat with them.",
            "Check in with [a member] and [a member] next week.",  # Bea's record erased: still hidden
            "[a member] is doing better, says [a member].",
        ],
    }
    for name, address in pages.items():
        html = supervisor.get(address).content.decode()
        assert [text for text in expected[name] if text not in html] == [], name
        assert not [text for text in ("Robin and Sky", "Robin cried", "Robin is", "Robin and Bea") if text in html]
    # The facilitator who wrote them reads them as written.
    html = sign_in(type(client)(), scene.facilitator).get(pages["debrief"]).content.decode()
    assert "Robin cried; Sky sat with them." in html


def test_the_change_history_hides_members_names_from_the_supervisor(client, scene):
    lesson = scene.lesson
    lesson.what_worked = "Sky and Robin led it."
    lesson.save()

    html = sign_in(client, scene.supervisor, verified=True).get(
        reverse("audit:group_history", kwargs={"pk": scene.group.pk})
    )

    assert "Sky and Robin led it." not in html.content.decode()
    assert "Robin and Sky led the check-in" not in html.content.decode()
    assert "[a member] and [a member] led it." in html.content.decode()


def test_searching_lessons_for_a_name_finds_nothing_for_the_supervisor(client, scene):
    address = reverse("sessions_log:lessons", kwargs={"pk": scene.group.pk}) + "?q=Robin"

    assert list(sign_in(client, scene.supervisor, verified=True).get(address).context["page"]) == []
    assert list(sign_in(type(client)(), scene.facilitator).get(address).context["page"]) == [scene.lesson]


def test_a_closed_groups_supervisor_still_reads_no_names(client, scene):
    close(scene.group, days_ago=1)
    html = sign_in(client, scene.supervisor, verified=True).get(
        reverse("sessions_log:lessons", kwargs={"pk": scene.group.pk})
    )
    assert "[a member] and [a member] led the check-in together." in html.content.decode()
