"""A coordinator plans a group from nothing, is shown everything that blocks launch, puts each
right through the pages, and launches it."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from groups.checklist import CHECKLIST, SECTIONS
from groups.models import SupportGroup

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(make_user):
    user = make_user("alice", first_name="Alice", last_name="Coordinator")
    user.user_permissions.add(Permission.objects.get(codename="add_supportgroup"))
    return user


def test_coordinator_plans_a_group_and_launches_it_once_nothing_blocks(
    page, live_server, coordinator, make_user, sign_in, check_accessibility, screenshot
):
    make_user("bob", first_name="Bob", last_name="Facilitator")
    sam = make_user("sam", first_name="Sam", last_name="Supervisor")
    # The organisation allows Sam to supervise groups (coordinators choose only among such people).
    sam.user_permissions.add(Permission.objects.get(codename="supervise_groups"))
    sign_in(page, coordinator)

    # Create the group.
    page.goto(f"{live_server.url}/groups/")
    check_accessibility(page)
    page.get_by_role("link", name="Plan a new group").click()
    check_accessibility(page)
    page.get_by_role("textbox", name=re.compile(r"^Name\W*$")).fill("Riverside evening group")
    page.get_by_label("Purpose").fill("A weekly place to talk about feelings and ways of coping.")
    page.get_by_label("Why a group").fill("Members asked to meet others who understand.")
    page.get_by_label("Maximum age").fill("16")  # below the minimum of 18: refused
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text("The upper age limit must not be below the lower one.")).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Name\W*$"))).to_have_value("Riverside evening group")
    check_accessibility(page)
    page.get_by_label("Maximum age").fill("")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside evening group")
    group = SupportGroup.objects.get(name="Riverside evening group")
    plan_url = page.url

    # Every blocker is listed, each linking to where it is put right.
    blockers = page.locator("#launch-blockers")
    for text in (
        "The risk assessment has not been started.",
        "The exit strategy has not been started.",
        # The supervisor is named on the support plan: one blocker for both, linking there.
        "The facilitator-support plan has not been started, and the group needs a named supervisor.",
        "The group has no aims yet.",
        "The group has no rules yet.",
        "No facilitator has been added to the team.",
    ):
        expect(blockers.get_by_role("link", name=text)).to_be_visible()
    for item in (item for item in CHECKLIST if item.required):
        expect(blockers.get_by_role("link", name=item.prompt, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Launch the group")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "coordinator-plan-blocked")

    # The team.
    page.get_by_role("link", name="No facilitator has been added to the team.").click()
    check_accessibility(page)
    page.get_by_label("Username or email address").fill("bob")
    page.get_by_label("Role").select_option(label="Lead facilitator")
    page.get_by_role("button", name="Add to team").click()
    expect(page.locator(".alert-success")).to_contain_text("of the group")

    # Aims: one suggestion taken with a click. Rules: one that reads like a no-harm contract is
    # saved with a warning, then reworded.
    page.goto(plan_url)
    page.get_by_role("link", name="The group has no aims yet.").click()
    page.get_by_role("button", name="Add suggested aim").first.click()
    expect(page.locator(".list-group-item")).to_have_count(1)
    check_accessibility(page)
    page.goto(plan_url)
    page.get_by_role("link", name="The group has no rules yet.").click()
    page.get_by_role("textbox", name=re.compile(r"^Rule\W*$")).fill(
        "Members promise not to self-harm while in the group."
    )
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("This rule reads like a no-harm contract.")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^Edit rule")).click()
    page.get_by_role("textbox", name=re.compile(r"^Rule\W*$")).fill("What is said in the group stays in the group.")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("This rule reads like a no-harm contract.")).to_have_count(0)

    # The checklist, section by section.
    for section in SECTIONS:
        page.goto(f"{plan_url}checklist/{section.slug}/")
        for item in (item for item in CHECKLIST if item.section == section.slug):
            block = page.locator(f"#item-{item.key}")
            block.get_by_label("Your answer").fill(f"Agreed at the planning meeting ({item.key}).")
            block.get_by_label("Completed").check()
        check_accessibility(page)
        page.get_by_role("button", name="Save this section").click()
        expect(page.locator(".alert-success")).to_contain_text("Saved")
    expect(page.get_by_text("8 of 8 sections completed.")).to_be_visible()

    # The risk assessment: started from the guidance's risks, each rated, mitigated and owned.
    page.get_by_role("link", name="The risk assessment has not been started.").click()
    page.get_by_role("button", name="Start the risk assessment").click()
    review = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    page.get_by_label("Review date").fill(review)
    risks = page.locator("fieldset.checklist-item").filter(has=page.get_by_label("Mitigation"))
    for index in range(risks.count() - 1):  # the last is the blank "Add a risk" row
        risk = risks.nth(index)
        risk.get_by_label("Likelihood").select_option("2")
        risk.get_by_label("Impact").select_option("4")
        risk.get_by_label("Mitigation").fill("Ground rules, two facilitators and a quiet room.")
        risk.get_by_label("Owner").fill("Lead facilitator")
    check_accessibility(page)
    screenshot(page, "coordinator-risk-assessment")
    page.get_by_role("button", name="Save the risk assessment").click()
    expect(page.get_by_text("This risk assessment is complete.")).to_be_visible()

    # Exit strategy and facilitator-support plan.
    page.goto(f"{plan_url}exit-strategy/")
    for label in ("How members leave", "How the whole group would end", "When the group cannot run"):
        page.get_by_label(re.compile(label)).fill("Planned with members and written down.")
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()
    page.goto(plan_url)
    page.get_by_role(
        "link", name="The facilitator-support plan has not been started, and the group needs a named supervisor."
    ).click()
    page.get_by_role("combobox", name="Supervisor").select_option(label="Sam Supervisor")
    check_accessibility(page)
    page.get_by_role("button", name="Name the supervisor").click()
    expect(page.locator(".alert-success")).to_contain_text("Sam Supervisor is now the group's supervisor.")
    page.get_by_label("Supervision frequency").select_option(label="Every two weeks")
    for label in ("Debrief after every session", "Co-facilitation and cover", "Facilitators' own wellbeing"):
        page.get_by_label(label).fill("Agreed with the team.")
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()

    # Nothing blocks now: launch.
    page.goto(plan_url)
    expect(page.locator("#launch-blockers")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "coordinator-ready-to-launch")
    page.get_by_role("button", name="Launch the group").click()
    expect(page.locator(".alert-success")).to_contain_text("is now active")
    group.refresh_from_db()
    assert group.status == SupportGroup.Status.ACTIVE
