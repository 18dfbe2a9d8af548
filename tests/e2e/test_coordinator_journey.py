"""A coordinator plans a group from nothing, is shown everything that blocks launch, puts each
right through the pages, and launches it."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from groups.checklist import CHECKLIST, SECTIONS
from groups.models import SupportGroup
from groups.suggestions import SUGGESTED_AIMS

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
    make_user("sam", first_name="Sam", last_name="Supervisor")
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
    refusal = "The upper age limit must not be below the lower one."
    expect(page.get_by_text(refusal, exact=True)).to_be_visible()  # beside the field
    expect(page.get_by_role("textbox", name=re.compile(r"^Name\W*$"))).to_have_value("Riverside evening group")
    check_accessibility(page)
    # The summary at the top of the form has the focus, and takes them to the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=f"Maximum age: {refusal}").click()
    expect(page.get_by_label("Maximum age")).to_be_focused()
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
        "The facilitator-support plan has not been started.",
        "The group has no aims yet.",
        "The group has no rules yet.",
        "No facilitator has been added to the team.",
        "No supervisor has been added to the team.",
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
    # People with accounts are found by name (the page suggests them as the coordinator types).
    for username, role in (("bob", "Lead facilitator"), ("sam", "Supervisor")):
        page.get_by_label("Name").fill(username)
        page.get_by_label("Role").select_option(label=role)
        page.get_by_role("button", name="Add to the team, or invite").click()
        expect(page.locator(".alert-success")).to_contain_text("of the group")

    # Aims: one suggestion taken with a click. Rules: one that reads like a no-harm contract is
    # saved with a warning, then reworded.
    page.goto(plan_url)
    page.get_by_role("link", name="The group has no aims yet.").click()
    page.get_by_role("button", name=f"Add suggested aim: {SUGGESTED_AIMS[1]}").click()
    expect(page.locator(".list-group-item")).to_have_text([re.compile(re.escape(SUGGESTED_AIMS[1]))])
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
    page.goto(f"{plan_url}support-plan/")
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
