"""Joining a team by invitation: a coordinator invites someone with no account by email; the link
works once, for 7 days, and only its token's hash is stored; the person makes their account, is
given the role through the team's rules, and lands on the group (after setting up two-factor when
it is required). Coordinators see, resend and withdraw invitations; each change is in the history."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory
from invitations.models import Invitation
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db
Role = GroupRole.Role
PASSWORD = "blue kettle on the windowsill"


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a request (or anything) as the app does: after commit, the emails go."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def invite(client, group, *, name="Dana Newcomer", email="dana@example.org", role=Role.CO_FACILITATOR):
    return client.post(reverse("groups:team", kwargs={"pk": group.pk}), {"person": name, "email": email, "role": role})


def link_in(message) -> str:
    return re.search(r"https://groups\.example\.org(/invitations/[^/\s]+/)", message.body)[1]


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in get_messages(response.wsgi_request)]


def accept(client, link, **fields):
    data = {
        "first_name": "Dana",
        "last_name": "Newcomer",
        "username": "dana",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(link, {**data, **fields})


@pytest.fixture
def invited(client, group, coordinator, sent):
    """Alice has invited Dana to co-facilitate; the email's link, and a fresh browser for Dana."""
    sign_in(client, coordinator, verified=True)
    response = sent(lambda: invite(client, group))
    assert response.status_code == 302
    client.logout()
    return link_in(mail.outbox[-1])


# Inviting ---------------------------------------------------------------------------------------


def test_a_coordinator_invites_someone_new_by_name_and_email(client, group, coordinator, facilitator, sent):
    sign_in(client, coordinator, verified=True)

    response = sent(lambda: invite(client, group))

    assert response.status_code == 302
    assert messages_of(response)[0][1].startswith("We have emailed dana@example.org an invitation")
    [invitation] = Invitation.objects.all()
    assert (invitation.name, invitation.email, invitation.role) == (
        "Dana Newcomer",
        "dana@example.org",
        "co_facilitator",
    )
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)
    assert not group.roles.filter(user__email="dana@example.org").exists()  # not until they accept
    assert not User.objects.filter(email="dana@example.org").exists()
    history = invitation.history.get()
    assert (history.history_user, history.history_change_reason) == (coordinator, "Invited to join the team")


def test_the_invitation_email_names_the_group_and_the_inviter_only(invited, group, coordinator, facilitator):
    message = mail.outbox[-1]

    assert message.to == ["dana@example.org"]
    assert message.subject == f"{coordinator} invites you to join Riverside evening group in Group planner"
    assert "co-facilitator" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://groups.example.org{invited}"' in html
    # Nobody else on the team, and nothing of the group's plan.
    for text in (message.body, html):
        assert str(facilitator) not in text and "bob" not in text
        assert group.purpose not in text


def test_only_a_hash_of_the_links_token_is_kept(invited):
    token = invited.split("/")[-2]
    invitation = Invitation.objects.get()

    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values_list()))
    assert token not in str(list(Invitation.history.values_list()))


def test_an_address_that_already_has_an_account_is_chosen_by_name_instead(client, group, coordinator):
    UserFactory(username="dana", email="Dana@example.org")

    response = invite(sign_in(client, coordinator, verified=True), group)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["Someone already has an account with this address: choose them by name instead."]
    }
    assert not Invitation.objects.exists()


def test_one_invitation_at_a_time_per_address(invited, client, group, coordinator):
    response = invite(sign_in(client, coordinator, verified=True), group, name="Dana N.")

    assert "already waiting" in response.context["form"].errors["email"][0]
    assert Invitation.objects.count() == 1


def test_the_teams_rules_apply_to_invitations_as_far_as_they_can(client, group, coordinator, supervisor):
    response = invite(sign_in(client, coordinator, verified=True), group, role=Role.SUPERVISOR)

    assert response.context["form"].errors == {
        "role": [f"{supervisor} is already the supervisor. Change the supervisor on the facilitator-support plan."]
    }


def test_only_a_coordinator_invites_and_an_outsider_cannot_even_see_the_team(client, group, facilitator, outsider):
    assert invite(sign_in(client, facilitator, verified=True), group).status_code == 403
    assert invite(sign_in(client, outsider, verified=True), group).status_code == 404
    assert not Invitation.objects.exists()


# Accepting --------------------------------------------------------------------------------------


def test_the_person_invited_makes_their_account_and_lands_on_the_group(invited, client, group, coordinator, sent):
    page = client.get(invited)
    assert page.status_code == 200
    assert "Join the team of Riverside evening group" in page.content.decode()
    assert 'value="Dana"' in page.content.decode() and 'value="Newcomer"' in page.content.decode()

    response = sent(lambda: accept(client, invited))

    assert response.status_code == 302
    assert response.url == reverse("groups:plan", kwargs={"pk": group.pk})
    dana = User.objects.get(username="dana")
    assert (dana.email, dana.get_full_name(), dana.check_password(PASSWORD)) == (
        "dana@example.org",
        "Dana Newcomer",
        True,
    )
    role = group.roles.get(user=dana)
    assert role.role == Role.CO_FACILITATOR
    # Granted on the authority of the coordinator who invited, as the team's history says.
    granted = role.history.get()
    assert (granted.history_user, granted.history_change_reason) == (coordinator, "Joined by accepting an invitation")
    accepted = Invitation.objects.get().history.latest("history_id")
    assert (accepted.history_user, accepted.history_change_reason) == (dana, "Invitation accepted")
    assert client.get(response.url).status_code == 200  # signed in, on the group
    # The coordinator who invited hears of it.
    assert mail.outbox[-1].to == [coordinator.email]
    assert mail.outbox[-1].subject == "Dana Newcomer has joined Riverside evening group"


def test_with_two_factor_required_they_set_up_their_authenticator_first(invited, client, group, settings):
    settings.OTP_REQUIRED = True

    response = accept(client, invited)

    assert response.url == f"{reverse('two_factor:setup')}?next=%2Fgroups%2F{group.pk}%2F"
    setup = client.get(response.url)
    assert "Set up two-factor sign-in" in setup.content.decode()
    assert "then you go on to the group" in setup.content.decode().lower()
    # Nothing else opens until they have.
    assert client.get(reverse("groups:plan", kwargs={"pk": group.pk})).url == reverse("two_factor:setup")


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("short pass", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("284619375018", "This password is entirely numeric."),
        ("dananewcomer", "The password is too similar to the"),
    ],
)
def test_a_weak_password_is_refused_beside_the_field_keeping_the_rest(invited, client, password, refusal):
    response = accept(client, invited, password1=password, password2=password)

    assert response.status_code == 200
    assert any(refusal in error for error in response.context["form"].errors["password2"])
    assert 'value="Newcomer"' in response.content.decode()
    assert not User.objects.filter(username="dana").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_username_someone_has_is_refused_whatever_its_case(invited, client):
    UserFactory(username="Dana")

    response = accept(client, invited)

    assert "username" in response.context["form"].errors
    assert Invitation.objects.get().accepted_at is None


def test_the_link_works_once(invited, client):
    accept(client, invited)
    client.logout()

    again = client.get(invited)

    assert again.status_code == 404
    assert "This invitation has been used already." in again.content.decode()
    assert accept(client, invited, username="dana2").status_code == 404
    assert User.objects.filter(email="dana@example.org").count() == 1


def test_the_link_stops_working_after_7_days(invited, client):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        response = client.get(invited)
        accepted = accept(client, invited)

    assert response.status_code == 404
    assert "This invitation expired on" in response.content.decode()
    assert accepted.status_code == 404
    assert not User.objects.filter(username="dana").exists()


def test_a_made_up_link_says_it_does_not_work(client, db):
    response = client.get(reverse("invitations:accept", kwargs={"token": "not-a-real-token"}))

    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_someone_signed_in_is_asked_to_sign_out_first(invited, client, facilitator):
    sign_in(client, facilitator, verified=True)

    response = client.get(invited)

    assert "Sign out to accept this invitation" in response.content.decode()
    assert accept(client, invited).status_code == 200
    assert not User.objects.filter(username="dana").exists()


def test_the_role_is_refused_at_acceptance_if_the_team_changed_meanwhile(client, group, coordinator, supervisor, sent):
    sign_in(client, coordinator, verified=True)
    group.roles.get(user=supervisor).delete()
    sent(lambda: invite(client, group, role=Role.SUPERVISOR))
    link = link_in(mail.outbox[-1])
    GroupRoleFactory(group=group, user=UserFactory(username="tess"), role=Role.SUPERVISOR)
    client.logout()

    response = accept(client, link)

    assert response.status_code == 404
    assert "The team has changed since you were invited" in response.content.decode()
    assert not User.objects.filter(username="dana").exists()  # nothing made: all or nothing


def test_an_invitation_from_someone_no_longer_coordinating_cannot_be_used(invited, client, group, coordinator):
    GroupRoleFactory(group=group, role=Role.COORDINATOR)  # the group keeps a coordinator
    group.roles.get(user=coordinator).delete()

    response = accept(client, invited)

    assert response.status_code == 404
    assert "no longer coordinates this group" in response.content.decode()
    assert not User.objects.filter(username="dana").exists()


# Resending and withdrawing ----------------------------------------------------------------------


def test_coordinators_see_invitations_waiting_on_the_team_page_and_nobody_else(
    invited, client, group, coordinator, facilitator
):
    page = (
        sign_in(client, coordinator, verified=True)
        .get(reverse("groups:team", kwargs={"pk": group.pk}))
        .content.decode()
    )
    assert "Invitations waiting" in page and "dana@example.org" in page

    page = (
        sign_in(client, facilitator, verified=True)
        .get(reverse("groups:team", kwargs={"pk": group.pk}))
        .content.decode()
    )
    assert "dana@example.org" not in page and "Dana Newcomer" not in page


def test_sending_again_makes_a_new_link_and_the_old_one_stops_working(invited, client, group, coordinator, sent):
    invitation = Invitation.objects.get()
    url = reverse("invitations:resend", kwargs={"pk": group.pk, "invitation_pk": invitation.pk})

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = sent(lambda: sign_in(client, coordinator, verified=True).post(url))
        new_link = link_in(mail.outbox[-1])
        client.logout()

        assert response.status_code == 302
        assert new_link != invited
        assert "does not work" in client.get(invited).content.decode()
        assert accept(client, new_link).status_code == 302
    history = Invitation.objects.get().history.order_by("history_id")
    assert [copy.history_change_reason for copy in history] == [
        "Invited to join the team",
        "Invitation sent again",
        "Invitation accepted",
    ]


def test_a_withdrawn_invitation_no_longer_works(invited, client, group, coordinator):
    invitation = Invitation.objects.get()
    url = reverse("invitations:withdraw", kwargs={"pk": group.pk, "invitation_pk": invitation.pk})

    response = sign_in(client, coordinator, verified=True).post(url)
    client.logout()

    assert messages_of(response) == [
        (messages.SUCCESS, "The invitation to Dana Newcomer is withdrawn: its link no longer works.")
    ]
    assert "This invitation was withdrawn." in client.get(invited).content.decode()
    assert accept(client, invited).status_code == 404


@pytest.mark.parametrize("action", ["resend", "withdraw"])
def test_only_the_groups_coordinators_resend_or_withdraw(invited, client, group, facilitator, outsider, action):
    url = reverse(f"invitations:{action}", kwargs={"pk": group.pk, "invitation_pk": Invitation.objects.get().pk})

    assert sign_in(client, facilitator, verified=True).post(url).status_code == 403
    assert sign_in(client, outsider, verified=True).post(url).status_code == 404
    assert sign_in(client, outsider, verified=True).get(url).status_code == 405
    assert Invitation.objects.get().withdrawn_at is None
