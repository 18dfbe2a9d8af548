"""A coordinator plans a group from nothing, is shown everything that blocks launch, puts each
right through the pages (answering nothing twice), reads the warnings and ticks to launch, and
later closes the group for good on a phone, confirming by typing its name."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from groups.checklist import CHECKLIST_BY_KEY, SECTIONS, items_for
from groups.models import SupportGroup
from groups.suggestions import SUGGESTED_AIMS
from groups.wording import NO_HARM_CONTRACT_RULE_WARNING

pytestmark = pytest.mark.django_db(transaction=True)

# What an adult group is asked on the checklist's own pages: not the under-18 questions, nor those
# the group's details, documents, aims or rules already answer.
ASKED = [item for item in items_for(18) if not item.is_answered_elsewhere]
NO_HARM_RULE = "Members promise not to self-harm while in the group."


@pytest.fixture
def coordinator(make_user):
    user = make_user("alice", first_name="Alice", last_name="Coordinator")
    user.user_permissions.add(Permission.objects.get(codename="add_supportgroup"))
    return user


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_coordinator_plans_a_group_and_launches_it_once_nothing_blocks(
    page, phone, live_server, coordinator, make_user, sign_in, check_accessibility, screenshot
):
    make_user("bob", first_name="Bob", last_name="Facilitator")
    sam = make_user("sam", first_name="Sam", last_name="Supervisor")
    # The organisation allows Sam to supervise groups (coordinators choose only among such people).
    sam.user_permissions.add(Permission.objects.get(codename="supervise_groups"))
    sign_in(page, coordinator)

    # Create the group. What it is for, why a group, the venue and the room are written here once.
    page.goto(f"{live_server.url}/groups/")
    check_accessibility(page)
    page.get_by_role("link", name="Plan a new group").click()
    check_accessibility(page)
    page.get_by_role("textbox", name=re.compile(r"^Name\W*$")).fill("Riverside evening group")
    page.get_by_label("Purpose").fill("A weekly place to talk about feelings and ways of coping.")
    page.get_by_label("Why a group").fill("Members asked to meet others who understand.")
    page.get_by_role("textbox", name="Venue", exact=True).fill("Riverside Community Centre, Room 2")
    page.get_by_label("About the room").fill("Chairs in a circle, tea and biscuits, a quiet room next door.")
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
        # The supervisor is named on the support plan: one blocker for both, linking there.
        "The facilitator-support plan has not been started, and the group needs a named supervisor.",
        "The group has no aims yet.",
        "The group has no rules yet.",
        "No facilitator has been added to the team.",
    ):
        expect(blockers.get_by_role("link", name=text)).to_be_visible()
    for item in (item for item in ASKED if item.required):
        expect(blockers.get_by_role("link", name=item.prompt, exact=True)).to_be_visible()
    # Never asked twice: the leadership question waits on the details, and says which.
    leadership = CHECKLIST_BY_KEY["leadership_model"]
    expect(blockers).to_contain_text("answered by the group's details, which still needs support that goes with this")
    expect(page.get_by_role("button", name="Launch the group")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "coordinator-plan-blocked")

    # The leadership question is answered where the details are: its link opens that field.
    blockers.get_by_role("link", name=leadership.prompt, exact=True).click()
    expect(page).to_have_url(re.compile(r"/edit/#id_leadership_support$"))
    page.get_by_label("Support that goes with this leadership").fill(
        "Members choose each term's topics and take turns to open the session."
    )
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("#launch-blockers").get_by_role("link", name=leadership.prompt, exact=True)).to_have_count(0)

    # The team.
    page.get_by_role("link", name="No facilitator has been added to the team.").click()
    check_accessibility(page)
    # People with accounts are found by name (the page suggests them as the coordinator types); the
    # supervisor is chosen on the facilitator-support plan (below).
    page.get_by_label("Name").fill("bob")
    page.get_by_label("Role").select_option(label="Lead facilitator")
    page.get_by_role("button", name="Add to the team, or invite").click()
    expect(page.locator(".alert-success")).to_contain_text("of the group")

    # Aims: one suggestion taken with a click. Rules: one that reads like a no-harm contract is
    # saved with the guidance's warning; a second is added and removed, which asks first.
    page.goto(plan_url)
    page.get_by_role("link", name="The group has no aims yet.").click()
    page.get_by_role("button", name=f"Add suggested aim: {SUGGESTED_AIMS[1]}").click()
    expect(page.locator(".list-group-item")).to_have_text([re.compile(re.escape(SUGGESTED_AIMS[1]))])
    check_accessibility(page)
    page.goto(plan_url)
    page.get_by_role("link", name="The group has no rules yet.").click()
    for text in (NO_HARM_RULE, "Phones on silent."):
        page.get_by_role("textbox", name=re.compile(r"^Rule\W*$")).fill(text)
        page.get_by_label("How it is shared").fill("Read out at the start of every session")
        page.get_by_label("How it is upheld").fill("A facilitator reminds the group gently")
        page.get_by_role("button", name="Add rule").click()
    expect(page.locator(".list-group-item").filter(has_text=NO_HARM_RULE)).to_contain_text(
        NO_HARM_CONTRACT_RULE_WARNING
    )
    check_accessibility(page)
    page.get_by_role("link", name="Remove rule: Phones on silent.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove this rule?")
    check_accessibility(page)
    page.get_by_role("button", name="Remove the rule").click()
    expect(page.locator(".list-group-item")).to_have_count(1)

    # The checklist, section by section: only the questions nothing else answers have a box, a
    # safety question offers no "not applicable", and each page leads on to the next.
    page.goto(f"{plan_url}checklist/{SECTIONS[0].slug}/")
    why = page.locator("#item-why_group_work")
    expect(why).to_contain_text("Members asked to meet others who understand.")
    expect(why.get_by_role("textbox")).to_have_count(0)
    expect(why.get_by_role("link", name=re.compile("^Change it in the group's details"))).to_be_visible()
    for section in SECTIONS:
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        for item in (item for item in ASKED if item.section == section.slug):
            block = page.locator(f"#item-{item.key}")
            block.get_by_label("Your answer").fill(f"Agreed at the planning meeting with the team ({item.key}).")
            block.get_by_label("Completed").check()
            if item.safety_critical:
                expect(block.get_by_label("Not applicable")).to_have_count(0)
        check_accessibility(page)
        if section == SECTIONS[-1]:
            page.get_by_role("button", name="Save this section").click()
        else:
            page.get_by_role("button", name=re.compile("^Save and go to the next section")).click()
        expect(page.locator(".alert-success")).to_contain_text("Saved")

    # The risk assessment: started from the guidance's risks, each rated, mitigated and owned.
    page.get_by_role("link", name="The risk assessment has not been started.").click()
    page.get_by_role("button", name="Start the risk assessment").click()
    review = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    page.get_by_label("Review date").fill(review)
    risks = page.locator("fieldset.checklist-item").filter(has=page.get_by_label("Mitigation"))
    for index in range(risks.count() - 1):  # the last is the blank "Add a risk" row
        risk = risks.nth(index)
        expect(risk.get_by_label("Delete")).to_have_count(0)  # a starting risk stays
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
        page.get_by_label(re.compile(label)).fill(f"Planned with members and written down: {label.lower()}.")
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
        page.get_by_label(label).fill("Agreed with the team and the supervisor.")
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()

    # Nothing blocks now, but the rule's warning must be read: the box beside Launch says so.
    page.goto(plan_url)
    expect(page.locator("#launch-blockers")).to_have_count(0)
    expect(page.locator("#warnings-heading")).to_be_visible()
    expect(page.locator(".launch-warnings").first).to_contain_text(NO_HARM_RULE)
    check_accessibility(page)
    screenshot(page, "coordinator-ready-to-launch")
    page.get_by_role("button", name="Launch the group").click()
    # Beside the box, and in the summary at the top, which links to it.
    expect(page.locator(".invalid-feedback").filter(has_text="Tick to say you have read the warnings")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_contain_text("I have read these warnings")
    group.refresh_from_db()
    assert group.is_planning
    check_accessibility(page)
    page.get_by_label("I have read these warnings").check()
    page.get_by_role("button", name="Launch the group").click()
    expect(page.locator(".alert-success")).to_contain_text("is now active")
    group.refresh_from_db()
    assert group.status == SupportGroup.Status.ACTIVE

    # Later, on a phone: closing for good is away from the status buttons, on a page of its own.
    phone.context.add_cookies(page.context.cookies())
    phone.goto(plan_url)
    assert fits_the_phone(phone)
    check_accessibility(phone)
    phone.get_by_role("link", name="Close the group for good").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Close Riverside evening group for good")
    expect(phone.get_by_text("Planned with members and written down: how the whole group would end.")).to_be_visible()
    assert fits_the_phone(phone)
    check_accessibility(phone)
    phone.get_by_label("Type the group's name to confirm").fill("Riverside")
    phone.get_by_role("button", name="Close the group for good").click()
    expect(phone.locator(".invalid-feedback").filter(has_text="Type the group's name exactly")).to_be_visible()
    assert fits_the_phone(phone)
    check_accessibility(phone)
    screenshot(phone, "coordinator-close-confirm-phone")
    phone.get_by_label("Type the group's name to confirm").fill("Riverside evening group")
    phone.get_by_role("button", name="Close the group for good").click()
    expect(phone.locator(".alert-success")).to_contain_text("is closed")
    group.refresh_from_db()
    assert group.is_closed
