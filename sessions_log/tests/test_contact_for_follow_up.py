"""Contact for follow-up is its own decision (SR-6).

Whether members may contact each other between meetings (SS-2) says nothing about whether the
team holds a way to reach each member (LS-Q16). A contact detail is allowed by the second, kept
with the member's consent; turning it off erases every detail held, with every copy in the
history, after a confirmation that says how many; and nothing breaks afterwards. Follow-ups that
need a message or a call say so when no contact is held.

Alice coordinates, Bob leads, Sam supervises. Robin and Sky are members; the team holds a phone
number for Robin, with his consent.
"""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from groups.models import SupportGroup
from groups.services import ContactDetailsHeld, save_group_details
from groups.tests.factories import SupportGroupFactory, mark_launched
from sessions_log.erasure import CONTACT_DETAILS_ERASED, stop_holding_contact_details
from sessions_log.models import AbsencePolicy, Attendance, FollowUp, Member
from sessions_log.services import exit_member, update_member
from sessions_log.tests.factories import AbsencePolicyFactory, FollowUpFactory, MemberFactory
from sessions_log.tests.records import TODAY, held_session, take_register, url
from tests.access_matrix import messages_of, sign_in
from tests.world import INSIDERS, build_world, every_route

pytestmark = pytest.mark.django_db

ROBINS_PHONE = "07700 900123"
migration = importlib.import_module("sessions_log.migrations.0010_contact_consent_check_ins_and_signposting")


def consented(member, detail=ROBINS_PHONE):
    member.contact_details = detail
    member.contact_consent_on = TODAY() - datetime.timedelta(days=30)
    member.contact_consent_how = Member.ConsentGiven.IN_PERSON
    member.save()
    return member


@pytest.fixture
def scene(group, coordinator, facilitator, supervisor):
    mark_launched(group)
    SupportGroup.objects.filter(pk=group.pk).update(holds_contact_details=True)
    group.refresh_from_db()
    robin = consented(MemberFactory(group=group, display_name="Robin"))
    # An earlier number, so the history holds more than one copy of a detail.
    robin.contact_details = "07700 900999"
    robin.save()
    robin = consented(robin)
    return SimpleNamespace(group=group, robin=robin, sky=MemberFactory(group=group, display_name="Sky"))


def detail_form(member, **changes) -> dict:
    data = {
        "display_name": member.display_name,
        "joined_on": member.joined_on.isoformat(),
        "referral_route": member.referral_route,
        "referring_organisation": member.referring_organisation,
        "contact_details": member.contact_details,
        "contact_consent_on": member.contact_consent_on.isoformat() if member.contact_consent_on else "",
        "contact_consent_how": member.contact_consent_how,
    }
    data.update(changes)
    return data


def leave(member, by, **changes):
    return exit_member(
        member=member,
        **{"exited_on": TODAY(), "reason": Member.ExitReason.MOVED_ON, "aftercare": "A call in a month.", **changes},
        by=by,
    )


# Two decisions, not one --------------------------------------------------------------------------


def test_members_contacting_each_other_does_not_let_the_team_hold_contact_details(group, coordinator):
    group.allows_contact_between_sessions, group.holds_contact_details = True, False
    member = MemberFactory.build(group=group, display_name="Kit", contact_details=ROBINS_PHONE)

    with pytest.raises(ValidationError) as refusal:
        member.full_clean()

    assert "holds no contact details" in refusal.value.message_dict["contact_details"][0]


def test_the_team_may_hold_a_contact_detail_when_members_do_not_contact_each_other(group):
    group.allows_contact_between_sessions, group.holds_contact_details = False, True
    member = MemberFactory.build(
        group=group,
        display_name="Kit",
        contact_details=ROBINS_PHONE,
        contact_consent_on=TODAY(),
        contact_consent_how=Member.ConsentGiven.PHONE,
    )

    member.full_clean()  # no refusal


def test_a_contact_detail_needs_the_members_consent_recorded_with_its_date_and_how(group):
    group.holds_contact_details = True
    member = MemberFactory.build(group=group, display_name="Kit", contact_details=ROBINS_PHONE)

    with pytest.raises(ValidationError) as refusal:
        member.full_clean()
    assert list(refusal.value.message_dict) == ["contact_consent_on"]

    member.contact_consent_on = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refusal:
        member.full_clean()
    assert set(refusal.value.message_dict) == {"contact_consent_on", "contact_consent_how"}
    assert "cannot be still to come" in refusal.value.message_dict["contact_consent_on"][0]


def test_the_database_keeps_consent_as_a_date_and_a_way_together(scene):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=scene.robin.pk).update(contact_consent_how="")


def test_the_member_form_offers_contact_by_the_teams_decision_not_the_members(client, scene, coordinator):
    SupportGroup.objects.filter(pk=scene.group.pk).update(allows_contact_between_sessions=False)

    response = sign_in(client, coordinator).get(url("member_add", scene.group))

    assert set(response.context["form"].fields) >= {"contact_details", "contact_consent_on", "contact_consent_how"}


def test_a_detail_added_with_consent_is_kept_and_shown_on_the_record(client, scene, coordinator):
    response = sign_in(client, coordinator).post(
        url("member_edit", scene.group, member_pk=scene.sky.pk),
        detail_form(
            scene.sky,
            contact_details="sky@example.org",
            contact_consent_on=TODAY().isoformat(),
            contact_consent_how=Member.ConsentGiven.IN_WRITING,
        ),
    )

    assert response.status_code == 302
    scene.sky.refresh_from_db()
    assert (scene.sky.contact_details, scene.sky.contact_consent_how) == ("sky@example.org", "in_writing")
    page = client.get(url("member", scene.group, member_pk=scene.sky.pk)).content.decode()
    assert "sky@example.org" in page
    assert f"They agreed on {TODAY():%-d %B %Y}, in writing" in page


# What used to break --------------------------------------------------------------------------------


def test_turning_off_members_contact_with_each_other_leaves_held_details_editable(client, scene, coordinator):
    """Regression: contact details were tied to peer contact, so switching peer contact off made
    editing such a member a server error and recording their leaving impossible."""
    group = SupportGroup.objects.get(pk=scene.group.pk)
    group.allows_contact_between_sessions = False
    save_group_details(group=group, expected_version=group.version, by=coordinator)
    sign_in(client, coordinator)

    assert client.get(url("member_edit", scene.group, member_pk=scene.robin.pk)).status_code == 200
    response = client.post(
        url("member_edit", scene.group, member_pk=scene.robin.pk), detail_form(scene.robin, display_name="Robyn")
    )
    assert response.status_code == 302
    response = client.post(
        url("member_exit", scene.group, member_pk=scene.robin.pk),
        {"exited_on": TODAY().isoformat(), "reason": Member.ExitReason.MOVED_ON, "aftercare": "A call."},
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=scene.robin.pk).has_left


def test_a_detail_left_behind_by_an_older_version_is_shown_to_clear_never_a_server_error(client, scene, coordinator):
    # As an older version could leave it: a detail held where the plan no longer holds any.
    SupportGroup.objects.filter(pk=scene.group.pk).update(holds_contact_details=False)
    sign_in(client, coordinator)

    page = client.get(url("member_edit", scene.group, member_pk=scene.robin.pk))
    assert page.status_code == 200
    assert "Clear this member's contact detail and consent" in page.content.decode()

    kept = client.post(url("member_edit", scene.group, member_pk=scene.robin.pk), detail_form(scene.robin))
    assert kept.status_code == 200
    assert "holds no contact details" in kept.context["form"].errors["contact_details"][0]

    cleared = client.post(
        url("member_edit", scene.group, member_pk=scene.robin.pk),
        detail_form(scene.robin, contact_details="", contact_consent_on="", contact_consent_how=""),
    )
    assert cleared.status_code == 302
    assert not Member.objects.get(pk=scene.robin.pk).has_contact


def test_leaving_is_recorded_whatever_else_the_record_holds(scene, coordinator):
    # A detail the plan no longer allows, and a name written before the naming rule changed.
    SupportGroup.objects.filter(pk=scene.group.pk).update(
        holds_contact_details=False, member_names=SupportGroup.NameRecording.NICKNAME
    )
    Member.objects.filter(pk=scene.robin.pk).update(display_name="Robin Hood")

    left = leave(scene.robin, coordinator)

    assert left.has_left


# Nobody leaves before joining -------------------------------------------------------------------


def test_no_path_records_leaving_before_joining(scene, coordinator):
    with pytest.raises(ValidationError) as refusal:
        leave(scene.sky, coordinator, exited_on=scene.sky.joined_on - datetime.timedelta(days=1))
    assert "exited_on" in refusal.value.message_dict

    # Nor straight into the database, as the admin or a script might.
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=scene.sky.pk).update(
            status=Member.Status.EXITED,
            exited_on=scene.sky.joined_on - datetime.timedelta(days=1),
            exit_reason=Member.ExitReason.OTHER,
        )


def test_the_join_date_cannot_be_moved_after_the_day_they_left(scene, coordinator):
    leave(scene.sky, coordinator, exited_on=TODAY() - datetime.timedelta(days=10))
    sky = Member.objects.get(pk=scene.sky.pk)
    sky.joined_on = TODAY()

    with pytest.raises(ValidationError) as refusal:
        update_member(member=sky, by=coordinator)

    assert "so the date they joined must be on or before that" in refusal.value.message_dict["joined_on"][0]


# Turning it off ---------------------------------------------------------------------------------


def test_the_details_form_will_not_turn_it_off_while_details_are_held(client, scene, coordinator):
    group = SupportGroup.objects.get(pk=scene.group.pk)
    group.holds_contact_details = False
    with pytest.raises(ContactDetailsHeld):
        save_group_details(group=group, expected_version=group.version, by=coordinator)

    response = sign_in(client, coordinator).post(
        reverse("groups:edit", kwargs={"pk": scene.group.pk}), _details_without_contact(scene.group)
    )

    assert response.status_code == 200
    assert "holds contact details for 1 member." in response.context["form"].errors["holds_contact_details"][0]
    assert url("stop_contact_details", scene.group) in response.content.decode()
    assert SupportGroup.objects.get(pk=scene.group.pk).holds_contact_details


def test_with_none_held_the_details_form_turns_it_off_at_once(scene, coordinator):
    Member.objects.filter(pk=scene.robin.pk).update(contact_details="", contact_consent_on=None, contact_consent_how="")
    group = SupportGroup.objects.get(pk=scene.group.pk)
    group.holds_contact_details = False

    save_group_details(group=group, expected_version=group.version, by=coordinator)

    assert not SupportGroup.objects.get(pk=scene.group.pk).holds_contact_details


def _details_without_contact(group) -> dict:
    from groups.tests.view_helpers import group_form_data

    return group_form_data(name=group.name)  # the box left unticked


def test_the_confirmation_says_how_many_details_will_be_erased(client, scene, coordinator):
    consented(scene.sky, "sky@example.org")

    response = sign_in(client, coordinator).get(url("stop_contact_details", scene.group))

    page = response.content.decode()
    assert "The team holds contact details for 2 members." in page
    assert "Erase 2 contact details and stop holding them" in page
    assert Member.objects.get(pk=scene.robin.pk).contact_details == ROBINS_PHONE  # nothing yet


def test_stopping_erases_every_detail_and_every_copy_in_the_history(client, scene, coordinator):
    other_group = SupportGroupFactory(name="Hilltop group", holds_contact_details=True)
    elsewhere = consented(MemberFactory(group=other_group, display_name="Hilda"), "07700 900555")
    assert scene.robin.history.exclude(contact_details="").count() >= 2

    response = sign_in(client, coordinator).post(url("stop_contact_details", scene.group))

    assert response.status_code == 302
    assert messages_of(response)[-1][1].startswith("The group no longer holds contact details: 1 member' details")
    group = SupportGroup.objects.get(pk=scene.group.pk)
    assert not group.holds_contact_details
    robin = Member.objects.get(pk=scene.robin.pk)
    assert (robin.contact_details, robin.contact_consent_on, robin.contact_consent_how) == ("", None, "")
    # The history keeps no copy, of the detail or of the consent to it.
    copies = Member.history.filter(group_id=scene.group.pk)
    assert not copies.exclude(contact_details="").exists()
    assert not copies.exclude(contact_consent_on=None).exists()
    assert ROBINS_PHONE not in str(list(copies.values()))
    # ...and says who erased them and why.
    assert robin.history.latest("history_id").history_change_reason == CONTACT_DETAILS_ERASED
    assert group.history.latest("history_id").history_user == coordinator
    # Another group's are untouched.
    assert Member.objects.get(pk=elsewhere.pk).contact_details == "07700 900555"
    assert elsewhere.history.exclude(contact_details="").exists()


def test_only_a_coordinator_stops_holding_contact_details(scene, facilitator, supervisor):
    for person in (facilitator, supervisor):
        with pytest.raises(PermissionDenied):
            stop_holding_contact_details(group=scene.group, by=person)
    assert Member.objects.get(pk=scene.robin.pk).has_contact


def test_a_group_holding_none_has_nothing_to_stop(scene, coordinator):
    stop_holding_contact_details(group=scene.group, by=coordinator)

    with pytest.raises(ValidationError, match="already holds no contact details"):
        stop_holding_contact_details(group=scene.group, by=coordinator)


def test_after_stopping_the_members_pages_all_work(client, scene, coordinator):
    stop_holding_contact_details(group=scene.group, by=coordinator)
    sign_in(client, coordinator)
    robin = {"member_pk": scene.robin.pk}

    for name in ("members", "member_add"):
        assert client.get(url(name, scene.group)).status_code == 200
    for name in ("member", "member_edit", "member_exit", "member_export", "member_export_json", "member_erase"):
        response = client.get(url(name, scene.group, **robin))
        assert response.status_code == 200, name
        assert ROBINS_PHONE not in response.content.decode(), name
    assert "contact_details" not in client.get(url("member_edit", scene.group, **robin)).context["form"].fields

    edited = client.post(url("member_edit", scene.group, **robin), detail_form(scene.robin, display_name="Robyn"))
    assert edited.status_code == 302
    left = client.post(
        url("member_exit", scene.group, **robin),
        {"exited_on": TODAY().isoformat(), "reason": Member.ExitReason.MOVED_ON, "aftercare": "A call."},
    )
    assert left.status_code == 302
    erased = client.post(
        url("member_erase", scene.group, **robin), {"reason": "They asked us to.", "confirm_name": "Robyn"}
    )
    assert erased.status_code == 302
    assert not Member.objects.filter(pk=scene.robin.pk).exists()


def test_after_stopping_no_page_of_the_project_is_a_server_error(client):
    world = build_world()
    SupportGroup.objects.filter(pk=world.group.pk).update(holds_contact_details=True)
    robin = consented(Member.objects.get(pk=world.objects["member_pk"].pk))
    stop_holding_contact_details(group=world.group, by=world.people["coordinator"])
    routes, _ = every_route(world)

    errors = []
    for role in INSIDERS:
        sign_in(client, world.people[role], verified=True)
        for route in routes:
            status = client.get(route.url).status_code
            if status >= 500:
                errors.append(f"{role} {route.url}: {status}")
    assert not errors
    assert not Member.objects.get(pk=robin.pk).has_contact


# Follow-ups that need a contact ------------------------------------------------------------------


def test_a_follow_up_that_needs_a_contact_says_when_none_is_held(client, scene, coordinator, facilitator):
    AbsencePolicyFactory(group=scene.group, after_one_miss="Phone to check in.", after_one_miss_needs_contact=True)
    session = held_session(scene.group, 3, [facilitator])
    take_register(session, {scene.robin: Attendance.Status.ABSENT, scene.sky: Attendance.Status.ABSENT}, facilitator)
    robins, skys = (FollowUp.objects.get(member=member) for member in (scene.robin, scene.sky))

    assert (robins.needs_contact, robins.lacks_contact) == (True, False)
    assert (skys.needs_contact, skys.lacks_contact) == (True, True)
    members_page = sign_in(client, facilitator).get(url("members", scene.group)).content.decode()
    assert members_page.count("No contact held") == 1
    assert "This step needs a way to reach Sky, and the team holds none." in members_page
    dashboard = client.get(reverse("sessions_log:dashboard")).content.decode()
    assert dashboard.count("No contact held") == 1


def test_a_step_that_needs_no_contact_says_nothing_about_it(client, scene, facilitator):
    AbsencePolicyFactory(group=scene.group, after_one_miss="Say hello at the next session.")
    AbsencePolicy.objects.filter(group=scene.group).update(after_one_miss_needs_contact=False)
    take_register(held_session(scene.group, 3, [facilitator]), {scene.sky: Attendance.Status.ABSENT}, facilitator)

    follow_up = FollowUp.objects.get(member=scene.sky)

    assert not follow_up.lacks_contact
    assert "No contact held" not in sign_in(client, facilitator).get(url("members", scene.group)).content.decode()


def test_without_held_details_the_follow_up_says_the_plan_holds_none(client, scene, coordinator, facilitator):
    stop_holding_contact_details(group=scene.group, by=coordinator)
    robin = Member.objects.get(pk=scene.robin.pk)
    follow_up = FollowUpFactory(member=robin, session=held_session(scene.group, 3), assignee=facilitator)

    page = sign_in(client, facilitator).get(url("members", scene.group)).content.decode()

    assert follow_up.lacks_contact
    assert "the group's plan is to hold no contact details" in page


# Existing data -----------------------------------------------------------------------------------


def test_groups_holding_contact_details_keep_holding_them_after_the_upgrade(db):
    holding = SupportGroupFactory(name="Riverside", holds_contact_details=False)
    MemberFactory(group=holding, contact_details=ROBINS_PHONE)
    not_holding = SupportGroupFactory(name="Hilltop", holds_contact_details=False)
    MemberFactory(group=not_holding)

    migration.hold_contact_details_where_held(apps, schema_editor=None)

    assert SupportGroup.objects.get(pk=holding.pk).holds_contact_details
    assert not SupportGroup.objects.get(pk=not_holding.pk).holds_contact_details
    copy = holding.history.latest("history_id")
    assert (copy.history_change_reason, copy.history_user, copy.holds_contact_details) == (
        migration.HOLDS_CONTACT_DETAILS_REASON,
        None,
        True,
    )
    assert not not_holding.history.filter(history_change_reason=migration.HOLDS_CONTACT_DETAILS_REASON).exists()
