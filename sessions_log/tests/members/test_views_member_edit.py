"""Adding and editing members."""

import pytest
from django.contrib import messages
from django.urls import reverse

from groups.models import SupportGroup
from sessions_log.models import Member
from sessions_log.tests.factories import MemberFactory
from sessions_log.tests.members.helpers import _exit_data, member_data, members_url
from sessions_log.tests.records import days_ago
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


# Adding and editing members ------------------------------------------------------------------


def test_adding_a_member_to_a_group_with_room_says_they_have_joined(client, active_group, facilitator):
    response = sign_in(client, facilitator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}), member_data()
    )

    assert response.status_code == 302
    assert response.url == members_url(active_group)
    assert Member.objects.get(display_name="Kit").status == Member.Status.ACTIVE
    assert messages_of(response) == [(messages.SUCCESS, "Kit has joined the group.")]


def test_adding_a_member_to_a_full_group_puts_them_on_the_waiting_list(client, active_group, coordinator):
    active_group.maximum_size = 2
    active_group.save()
    MemberFactory.create_batch(2, group=active_group)

    response = sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}), member_data()
    )

    assert response.status_code == 302
    assert Member.objects.get(display_name="Kit").status == Member.Status.WAITING_LIST
    [(level, text)] = messages_of(response)
    assert "full (2 members)" in text
    assert "waiting list" in text


def test_a_nickname_group_refuses_a_full_name_beside_the_field_and_keeps_the_typing(client, active_group, coordinator):
    active_group.member_names = SupportGroup.NameRecording.NICKNAME
    active_group.save()

    response = sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}),
        member_data(display_name="Jo Bloggs", referral_route=Member.Referral.PROFESSIONAL, referring_organisation="GP"),
    )

    assert response.status_code == 200
    assert "nickname only" in response.context["form"].errors["display_name"][0]
    html = response.content.decode()
    assert 'value="Jo Bloggs"' in html
    assert 'value="GP"' in html
    assert not Member.objects.filter(group=active_group).exists()


def test_the_contact_details_field_is_absent_when_the_group_holds_no_contact_details(client, active_group, coordinator):
    url = reverse("sessions_log:member_add", kwargs={"pk": active_group.pk})

    response = sign_in(client, coordinator).get(url)

    assert "contact_details" not in response.context["form"].fields
    assert 'name="contact_details"' not in response.content.decode()


def test_the_contact_details_field_is_offered_when_the_group_holds_contact_details(client, active_group, coordinator):
    active_group.holds_contact_details = True
    active_group.save()

    response = sign_in(client, coordinator).get(reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}))

    assert 'name="contact_details"' in response.content.decode()


def test_contact_details_posted_anyway_are_not_kept_when_the_group_holds_none(client, active_group, coordinator):
    sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}),
        member_data(contact_details="07700 900123"),
    )

    assert Member.objects.get(display_name="Kit").contact_details == ""


def test_a_closed_group_refuses_new_members_on_the_form_and_keeps_the_typing(client, active_group, coordinator):
    SupportGroup.objects.filter(pk=active_group.pk).update(status=SupportGroup.Status.CLOSED)

    response = sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}), member_data()
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The group has closed, so it cannot take new members."]
    assert 'value="Kit"' in response.content.decode()
    assert not Member.objects.exists()


def test_editing_a_member_saves_their_record(client, things, facilitator):
    url = reverse("sessions_log:member_edit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    response = sign_in(client, facilitator).post(url, member_data(display_name="Rob"))

    assert response.status_code == 302
    things.member.refresh_from_db()
    assert things.member.display_name == "Rob"


def test_a_join_date_after_the_day_they_left_is_refused_beside_the_field_and_keeps_the_typing(
    client, things, facilitator
):
    # Before the fix the form saved it: the member's edit form has no leaving date to compare with.
    left = MemberFactory(
        group=things.group,
        display_name="Ash",
        joined_on=days_ago(60),
        status=Member.Status.EXITED,
        exited_on=days_ago(30),
        exit_reason=Member.ExitReason.MOVED_ON,
        aftercare_offered="A call in a month.",
    )
    url = reverse("sessions_log:member_edit", kwargs={"pk": things.group.pk, "member_pk": left.pk})

    response = sign_in(client, facilitator).post(
        url, member_data(display_name="Ashley", joined_on=days_ago(10).isoformat())
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["joined_on"]
    assert error.startswith(f"They left the group on {days_ago(30):%-d %B %Y}")
    html = response.content.decode()
    assert 'value="Ashley"' in html
    assert 'aria-invalid="true"' in html[html.index('id="div_id_joined_on"') : html.index('id="div_id_referral_route"')]
    left.refresh_from_db()
    assert (left.display_name, left.joined_on) == ("Ash", days_ago(60))


def test_a_leaving_date_before_the_day_they_joined_is_refused_beside_the_field(client, things, coordinator):
    things.member.joined_on = days_ago(10)
    things.member.save()
    url = reverse("sessions_log:member_exit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    response = sign_in(client, coordinator).post(url, {**_exit_data(things), "exited_on": days_ago(20).isoformat()})

    assert response.status_code == 200
    assert response.context["form"].errors["exited_on"] == ["A member cannot leave before the date they joined."]
    things.member.refresh_from_db()
    assert things.member.status == Member.Status.ACTIVE


def test_a_member_of_another_group_cannot_be_edited_through_this_one(client, things, facilitator):
    stranger = MemberFactory()
    url = reverse("sessions_log:member_edit", kwargs={"pk": things.group.pk, "member_pk": stranger.pk})

    response = sign_in(client, facilitator).get(url)

    assert response.status_code == 404
