"""Launching a group, and pausing, resuming and closing it."""

import pytest
from django.contrib import messages
from django.urls import reverse

from groups.checklist import CHECKLIST
from groups.closing import close_group
from groups.tests.factories import complete_plan
from groups.tests.view_helpers import Status, change_status, levels_of
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


def test_launching_a_group_that_is_not_ready_keeps_it_in_planning_and_lists_what_blocks_it(client, group, coordinator):
    response = sign_in(client, coordinator).post(reverse("groups:launch", kwargs={"pk": group.pk}), follow=True)

    group.refresh_from_db()
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("groups:plan", kwargs={"pk": group.pk}), 302)]
    assert group.status == Status.PLANNING
    assert group.launched_at is None
    [message] = response.context["messages"]
    assert message.level == messages.ERROR
    assert message.message.startswith("The group cannot launch yet:")
    # Each blocker links to the page where it is put right.
    assert 'id="launch-blockers"' in html
    for url_name in ("risk_assessment", "exit_strategy", "support_plan", "aims", "rules", "team"):
        assert f'href="{reverse(f"groups:{url_name}", kwargs={"pk": group.pk})}"' in html
    first_item = next(item for item in CHECKLIST if not item.is_answered_elsewhere)
    checklist_url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": first_item.section})
    assert f'href="{checklist_url}#item-{first_item.key}"' in html
    assert "Launch the group" not in html


def test_launching_a_ready_group_makes_it_active(client, ready_group, coordinator):
    response = sign_in(client, coordinator).post(reverse("groups:launch", kwargs={"pk": ready_group.pk}))

    ready_group.refresh_from_db()
    assert response.status_code == 302
    assert ready_group.status == Status.ACTIVE
    assert ready_group.launched_at is not None
    assert messages_of(response) == [(messages.SUCCESS, "\u201cHillside group\u201d is now active.")]


def test_launching_an_active_group_again_says_it_is_already_active(client, ready_group, coordinator):
    sign_in(client, coordinator)
    url = reverse("groups:launch", kwargs={"pk": ready_group.pk})
    client.post(url)

    response = client.post(url)

    assert messages_of(response)[-1] == (
        messages.ERROR,
        "The group cannot launch: The group is already active; only a group in planning can launch, "
        "and only a paused one can resume.",
    )


def test_the_launch_button_is_shown_only_when_nothing_blocks(client, group, ready_group, coordinator):
    sign_in(client, coordinator)
    launch_form = 'action="{}"'

    blocked = client.get(reverse("groups:plan", kwargs={"pk": group.pk})).content.decode()
    ready = client.get(reverse("groups:plan", kwargs={"pk": ready_group.pk})).content.decode()

    assert launch_form.format(reverse("groups:launch", kwargs={"pk": group.pk})) not in blocked
    assert "Launch the group" not in blocked
    assert launch_form.format(reverse("groups:launch", kwargs={"pk": ready_group.pk})) in ready
    assert "Launch the group" in ready
    assert 'id="launch-blockers"' not in ready


def test_facilitators_of_a_ready_group_are_not_offered_the_launch_button(client, ready_group):
    facilitator = ready_group.facilitators[0]

    html = sign_in(client, facilitator).get(reverse("groups:plan", kwargs={"pk": ready_group.pk})).content.decode()

    assert "Launch the group" not in html
    assert "A coordinator can now launch the group." in html


def test_an_active_group_shows_no_launch_section(client, ready_group, coordinator):
    sign_in(client, coordinator).post(reverse("groups:launch", kwargs={"pk": ready_group.pk}))

    html = client.get(reverse("groups:plan", kwargs={"pk": ready_group.pk})).content.decode()

    assert 'id="launch-heading"' not in html
    assert "Pause the group" in html


def test_a_coordinator_can_pause_and_resume_an_active_group(client, active_group, coordinator):
    # Resuming goes through the launch gate again, so the plan is complete.
    complete_plan(active_group)
    sign_in(client, coordinator)

    paused = change_status(client, active_group, "pause")
    active_group.refresh_from_db()
    assert active_group.status == Status.PAUSED
    assert messages_of(paused) == [(messages.SUCCESS, "\u201cRiverside evening group\u201d is now paused.")]

    resumed = client.post(reverse("groups:launch", kwargs={"pk": active_group.pk}))
    active_group.refresh_from_db()
    assert active_group.status == Status.ACTIVE
    assert resumed.url == reverse("groups:plan", kwargs={"pk": active_group.pk})


def test_closing_and_resuming_are_not_plain_status_buttons(client, active_group, coordinator):
    sign_in(client, coordinator)

    for action in ("close", "resume", "launch"):
        assert change_status(client, active_group, action).status_code == 404

    active_group.refresh_from_db()
    assert active_group.status == Status.ACTIVE


def test_a_closed_group_cannot_be_paused(client, active_group, coordinator):
    close_group(group=active_group, typed_name=active_group.name, aftercare="", by=coordinator)

    response = change_status(sign_in(client, coordinator), active_group, "pause")

    active_group.refresh_from_db()
    assert active_group.status == Status.CLOSED
    assert levels_of(response) == [messages.ERROR]


def test_an_unknown_status_action_is_not_found(client, active_group, coordinator):
    response = change_status(sign_in(client, coordinator), active_group, "reopen")

    active_group.refresh_from_db()
    assert response.status_code == 404
    assert active_group.status == Status.ACTIVE
