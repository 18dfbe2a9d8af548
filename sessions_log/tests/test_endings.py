"""Endings (SR-7): closing a group, or a member leaving, follows the exit strategy.

Members who leave, and every member when the group closes, get a check-in some weeks later (as
the exit strategy says, four until it says), given to a coordinator. A paused group still records
what members were offered instead of each meeting. When the group is full, its plan's choice of
a waiting list or signposting elsewhere is honoured, and the app records which happened.

Alice coordinates, Bob leads, Sam supervises; Robin and Sky attend, Kit waits for a place.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from groups.models import SupportGroup
from groups.services import lock_group
from groups.tests.factories import ExitStrategyFactory, mark_launched
from groups_site import events
from sessions_log.erasure import erase_member
from sessions_log.models import Attendance, FollowUp, GroupSession, Member, Signposting
from sessions_log.services import (
    SessionNotAllowed,
    SignpostInstead,
    _exit_member,
    add_member,
    close_follow_up,
    exit_member,
    record_session,
    record_signposting,
    save_register,
)
from sessions_log.tests.factories import GroupSessionFactory, MemberFactory
from sessions_log.tests.records import TODAY, history_rows_referencing, url
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(weeks=1)


@pytest.fixture
def scene(group, coordinator, facilitator, supervisor):
    # Launched a month ago, so it has meetings to record in the days before today.
    mark_launched(group, days_ago=30)
    return SimpleNamespace(
        group=group,
        robin=MemberFactory(group=group, display_name="Robin"),
        sky=MemberFactory(group=group, display_name="Sky"),
        kit=MemberFactory(group=group, display_name="Kit", status=Member.Status.WAITING_LIST),
    )


def leave(member, by, exited_on=None, reason=Member.ExitReason.MOVED_ON):
    return exit_member(member=member, exited_on=exited_on or TODAY(), reason=reason, aftercare="A call.", by=by)


def check_in_of(member):
    return FollowUp.objects.get(member=member, kind=FollowUp.Kind.CHECK_IN)


# Check-ins after leaving -------------------------------------------------------------------------


def test_a_member_who_leaves_gets_a_check_in_four_weeks_later_for_the_coordinator(scene, coordinator, facilitator):
    left_on = TODAY() - datetime.timedelta(days=2)

    leave(scene.robin, facilitator, exited_on=left_on)

    check_in = check_in_of(scene.robin)
    assert (check_in.assignee, check_in.due_on, check_in.session) == (coordinator, left_on + 4 * WEEK, None)
    assert check_in.is_open and check_in.needs_contact
    assert check_in.action == FollowUp.CHECK_IN_ACTION
    copy = check_in.history.get()
    assert (copy.history_user, copy.history_change_reason) == (facilitator, "Check-in raised: the member left")


def test_the_exit_strategy_says_how_many_weeks_later(scene, facilitator):
    ExitStrategyFactory(group=scene.group, check_in_after_weeks=6)

    leave(scene.robin, facilitator)

    assert check_in_of(scene.robin).due_on == TODAY() + 6 * WEEK


def test_the_coordinator_is_told_of_the_check_in_after_it_is_saved(
    scene, coordinator, facilitator, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **facts):
        heard.append(facts)

    events.follow_up_assigned.connect(listener)
    try:
        with django_capture_on_commit_callbacks() as after_commit:
            leave(scene.robin, facilitator)
        # Nothing is announced while the change could still be undone.
        assert heard == []
        for callback in after_commit:
            callback()
    finally:
        events.follow_up_assigned.disconnect(listener)

    assert heard == [
        {
            "signal": events.follow_up_assigned,
            **_facts(check_in_of(scene.robin), scene.group, coordinator),
            "by_id": facilitator.pk,
        }
    ]


def _facts(follow_up, group, assignee):
    return {"follow_up_id": follow_up.pk, "group_id": group.pk, "assignee_id": assignee.pk}


def test_someone_taken_off_the_waiting_list_never_came_so_gets_no_check_in(scene, facilitator):
    leave(scene.kit, facilitator, reason=Member.ExitReason.OTHER)

    assert not FollowUp.objects.filter(member=scene.kit).exists()


def test_missed_session_follow_ups_close_and_the_check_in_stays_open(scene, facilitator):
    session = GroupSessionFactory(group=scene.group, date=TODAY() - WEEK, facilitators_present=[facilitator])
    save_register(session=session, marks={scene.robin.pk: Attendance.Status.ABSENT}, by=facilitator)

    leave(scene.robin, facilitator, reason=Member.ExitReason.STOPPED_COMING)

    kinds = dict(FollowUp.objects.filter(member=scene.robin).values_list("kind", "outcome"))
    assert kinds == {FollowUp.Kind.MISSED_SESSIONS: FollowUp.Outcome.MEMBER_LEFT, FollowUp.Kind.CHECK_IN: ""}


def test_every_attending_member_gets_a_check_in_when_the_group_closes(scene, coordinator):
    """Closing a group for good records each attending member as left through exit_member's body
    (_exit_member), as the closing confirmation does: the check-ins come with it."""
    ExitStrategyFactory(group=scene.group, check_in_after_weeks=3)

    with transaction.atomic(durable=True):
        group = lock_group(scene.group.pk)
        attending = Member.objects.select_for_update().filter(group=group, status=Member.Status.ACTIVE)
        for member in attending.order_by("pk"):
            _exit_member(
                member,
                group=group,
                exited_on=TODAY(),
                reason=Member.ExitReason.GROUP_CLOSED,
                aftercare="Pointed to the Thursday group and the crisis line.",
                by=coordinator,
            )

    check_ins = FollowUp.objects.filter(kind=FollowUp.Kind.CHECK_IN, member__group=scene.group)
    assert sorted(check_ins.values_list("member__display_name", flat=True)) == ["Robin", "Sky"]
    assert {(f.assignee, f.due_on) for f in check_ins} == {(coordinator, TODAY() + 3 * WEEK)}


def test_a_check_in_shows_among_those_who_left_and_closes_like_any_follow_up(client, scene, coordinator):
    leave(scene.robin, coordinator)
    check_in = check_in_of(scene.robin)

    page = sign_in(client, coordinator).get(url("members", scene.group)).content.decode()
    assert "A check-in after leaving: they left on" in page
    assert reverse("sessions_log:follow_up_close", kwargs={"pk": scene.group.pk, "follow_up_pk": check_in.pk}) in page
    # Robin holds no contact detail, and a check-in means reaching someone who no longer comes.
    assert "This step needs a way to reach Robin, and the team holds none" in page
    dashboard = client.get(reverse("sessions_log:dashboard")).content.decode()
    assert FollowUp.CHECK_IN_ACTION in dashboard

    close_follow_up(follow_up=check_in, outcome=FollowUp.Outcome.CONTACTED, note="Doing well.", by=coordinator)

    assert not check_in_of(scene.robin).is_open


def test_the_leaving_page_says_when_the_check_in_will_be(client, scene, coordinator):
    ExitStrategyFactory(group=scene.group, check_in_after_weeks=5)

    page = sign_in(client, coordinator).get(url("member_exit", scene.group, member_pk=scene.robin.pk))

    assert "a coordinator is given a check-in with them 5 weeks later" in page.content.decode()


def test_the_member_record_and_their_export_show_the_check_in(client, scene, coordinator):
    leave(scene.robin, coordinator)
    sign_in(client, coordinator)

    record = client.get(url("member", scene.group, member_pk=scene.robin.pk)).content.decode()
    exported = client.get(url("member_export_json", scene.group, member_pk=scene.robin.pk)).json()

    assert "A check-in after leaving" in record
    [follow_up] = exported["follow_ups"]
    assert (follow_up["kind"], follow_up["missed_session_date"]) == ("Check-in after leaving", None)


# A paused group ----------------------------------------------------------------------------------


def pause(group):
    SupportGroup.objects.filter(pk=group.pk).update(status=SupportGroup.Status.PAUSED)
    group.refresh_from_db()


def not_run(group, **fields):
    return GroupSession(
        group=group,
        date=TODAY() - datetime.timedelta(days=1),
        starts_at=datetime.time(18, 30),
        ends_at=datetime.time(20),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.GROUP_PAUSED,
        **fields,
    )


def test_a_paused_group_records_what_members_were_offered_instead(scene, facilitator):
    pause(scene.group)

    session = record_session(
        session=not_run(scene.group, offered_instead="A phone call from Bob; the crisis line."),
        facilitators=[],
        by=facilitator,
    )

    assert not session.was_held
    assert session.history.get().history_change_reason == "Session recorded"


def test_a_paused_group_must_say_what_was_offered_instead(scene, facilitator):
    pause(scene.group)

    with pytest.raises(ValidationError) as refusal:
        record_session(session=not_run(scene.group), facilitators=[], by=facilitator)

    assert "offered_instead" in refusal.value.message_dict


def test_a_paused_group_holds_no_sessions_and_takes_no_registers(scene, facilitator):
    held = GroupSessionFactory(group=scene.group, date=TODAY() - WEEK)
    pause(scene.group)
    session = GroupSession(group=scene.group, date=TODAY(), starts_at=datetime.time(18), ends_at=datetime.time(19))

    with pytest.raises(SessionNotAllowed, match="only meetings that did not run"):
        record_session(session=session, facilitators=[facilitator], by=facilitator)
    with pytest.raises(SessionNotAllowed):
        save_register(session=held, marks={scene.robin.pk: Attendance.Status.PRESENT}, by=facilitator)


def test_the_sessions_page_of_a_paused_group_asks_what_was_offered(client, scene, facilitator):
    pause(scene.group)

    response = sign_in(client, facilitator).get(url("group_sessions", scene.group))

    assert response.context["can_record_meeting_not_run"]
    assert not response.context["can_record_session"]
    assert "Record what was offered instead" in response.content.decode()


def test_a_facilitator_records_a_missed_meeting_of_a_paused_group_on_its_form(client, scene, facilitator):
    pause(scene.group)
    sign_in(client, facilitator)

    form = client.get(url("session_create", scene.group)).context["form"]
    assert [value for value, _ in form.fields["outcome"].choices] == [GroupSession.Outcome.DID_NOT_RUN]
    response = client.post(
        url("session_create", scene.group),
        {
            "date": (TODAY() - datetime.timedelta(days=1)).isoformat(),
            "starts_at": "18:30",
            "ends_at": "20:00",
            "format": GroupSession.Format.IN_PERSON,
            "outcome": GroupSession.Outcome.DID_NOT_RUN,
            "not_run_reason": GroupSession.NotRunReason.GROUP_PAUSED,
            "offered_instead": "Texted everyone the crisis line and the drop-in times.",
        },
    )

    assert response.status_code == 302
    session = GroupSession.objects.get(group=scene.group)
    assert session.offered_instead == "Texted everyone the crisis line and the drop-in times."


def test_the_form_of_a_paused_group_asks_for_what_was_offered_and_keeps_the_typing(client, scene, facilitator):
    pause(scene.group)

    response = sign_in(client, facilitator).post(
        url("session_create", scene.group),
        {
            "date": (TODAY() - datetime.timedelta(days=1)).isoformat(),
            "starts_at": "18:30",
            "ends_at": "20:00",
            "format": GroupSession.Format.IN_PERSON,
            "outcome": GroupSession.Outcome.DID_NOT_RUN,
            "not_run_reason": GroupSession.NotRunReason.HOLIDAY,
            "offered_instead": "",
        },
    )

    assert response.status_code == 200
    assert "offered_instead" in response.context["form"].errors
    assert not GroupSession.objects.exists()


# When the group is full --------------------------------------------------------------------------


def fill(group, when_full):
    SupportGroup.objects.filter(pk=group.pk).update(maximum_size=2, when_full=when_full)
    group.refresh_from_db()


def newcomer(group):
    return MemberFactory.build(group=group, display_name="Jo")


def test_a_full_group_that_signposts_adds_nobody_to_a_waiting_list(scene, facilitator):
    fill(scene.group, SupportGroup.WhenFull.SIGNPOST)

    with pytest.raises(SignpostInstead):
        add_member(member=newcomer(scene.group), by=facilitator)

    assert not Member.objects.filter(display_name="Jo").exists()


def test_a_full_group_that_keeps_a_waiting_list_still_does(scene, facilitator):
    fill(scene.group, SupportGroup.WhenFull.WAITING_LIST)

    jo = add_member(member=newcomer(scene.group), by=facilitator)

    assert jo.is_waiting
    assert jo.history.get().history_change_reason == "Added to the waiting list"


def test_adding_someone_to_a_full_group_that_signposts_leads_to_signposting(client, scene, facilitator):
    fill(scene.group, SupportGroup.WhenFull.SIGNPOST)
    sign_in(client, facilitator)

    opened = client.get(url("member_add", scene.group))
    assert opened.status_code == 302 and opened.url == url("signpost", scene.group)
    assert "rather than keep a waiting list" in messages_of(opened)[0][1]

    response = client.post(
        url("signpost", scene.group), {"where_to": "Samaritans, and the Thursday drop-in", "signposted_on": TODAY()}
    )

    assert response.status_code == 302
    signposting = Signposting.objects.get(group=scene.group)
    assert (signposting.member, signposting.where_to, signposting.recorded_by) == (
        None,
        "Samaritans, and the Thursday drop-in",
        facilitator,
    )
    assert signposting.history.get().history_change_reason == "Signposted elsewhere: the group was full"
    page = client.get(url("members", scene.group)).content.decode()
    assert "Signposted elsewhere (1)" in page
    assert "Samaritans, and the Thursday drop-in" in page


def test_a_full_group_that_filled_while_the_form_was_open_keeps_no_name(client, scene, facilitator):
    sign_in(client, facilitator)
    client.get(url("member_add", scene.group))
    fill(scene.group, SupportGroup.WhenFull.SIGNPOST)

    response = client.post(
        url("member_add", scene.group),
        {"display_name": "Jo", "joined_on": TODAY().isoformat(), "referral_route": Member.Referral.SELF},
    )

    assert response.status_code == 302 and response.url == url("signpost", scene.group)
    assert not Member.objects.filter(display_name="Jo").exists()


def test_someone_waiting_is_signposted_while_they_wait(client, scene, facilitator):
    fill(scene.group, SupportGroup.WhenFull.BOTH)
    sign_in(client, facilitator)
    assert "signpost people to other support while they wait" in (
        client.get(url("members", scene.group)).content.decode()
    )

    response = client.post(
        url("signpost_waiting", scene.group, member_pk=scene.kit.pk),
        {"where_to": "The local Mind peer group", "signposted_on": TODAY()},
    )

    assert response.status_code == 302
    assert Signposting.objects.get().member == scene.kit
    page = client.get(url("members", scene.group)).content.decode()
    assert f"Signposted to The local Mind peer group on {TODAY():%-d %B %Y}." in page


def test_where_someone_was_signposted_never_names_a_member(scene, facilitator):
    with pytest.raises(ValidationError) as refusal:
        record_signposting(
            signposting=Signposting(group=scene.group, signposted_on=TODAY(), where_to="The group Robin goes to"),
            by=facilitator,
        )

    assert "\u201cRobin\u201d" in refusal.value.message_dict["where_to"][0]
    assert not Signposting.objects.exists()


def test_only_someone_waiting_is_signposted_while_waiting(scene, facilitator):
    with pytest.raises(ValidationError, match="waiting list"):
        record_signposting(
            signposting=Signposting(group=scene.group, member=scene.robin, signposted_on=TODAY(), where_to="Mind"),
            by=facilitator,
        )


def test_erasing_someone_who_waited_erases_where_they_were_signposted(scene, coordinator, facilitator):
    record_signposting(
        signposting=Signposting(group=scene.group, member=scene.kit, signposted_on=TODAY(), where_to="Mind"),
        by=facilitator,
    )

    erase_member(member=scene.kit, reason="They asked us to.", by=coordinator)

    assert not Signposting.objects.exists()
    assert history_rows_referencing(scene.kit.pk) == {}
