"""The plan's pages say what the rules decide (issue 12): why a safety question has no "not
applicable", where an answer given elsewhere lives, the warnings and the box to tick at launch, an
overdue risk review, closing a group for good, and removing an aim or a rule only once asked."""

import datetime
import re

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from groups.checklist import CHECKLIST_BY_KEY, SAFETY_CRITICAL_EXPLANATION, SECTIONS, UNDER_18_EXPLANATION
from groups.models import ChecklistAnswer, Risk, RiskAssessment, SupportGroup
from groups.services import start_risk_assessment
from groups.tests.factories import AimFactory, RuleFactory, complete_plan, mark_launched
from groups.tests.view_helpers import checklist_data, field_html
from groups.wording import NO_HARM_CONTRACT_RULE_WARNING, PLACEHOLDER_MESSAGE, STOPPING_AIM_WARNING
from sessions_log.models import FollowUp, Member
from sessions_log.tests.factories import FollowUpFactory, GroupSessionFactory, MemberFactory
from tests.access_matrix import messages_of

pytestmark = pytest.mark.django_db

Status = ChecklistAnswer.Status
PUNITIVE_RULE = "Anyone who self-harms will be asked to leave the group"


def section_url(group, section):
    return reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": section})


def plan_url(group):
    return reverse("groups:plan", kwargs={"pk": group.pk})


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


# The checklist's pages ---------------------------------------------------------------------------


def test_a_safety_question_offers_no_not_applicable_and_says_why_citing_the_guidance(signed_in, group):
    html = signed_in.get(section_url(group, "safety")).content.decode()

    distress = html[html.index('id="item-distress"') : html.index('id="item-crisis_and_first_aid"')]
    assert escape(SAFETY_CRITICAL_EXPLANATION) in distress
    assert "<cite>LifeSIGNS: Guidance on running or supporting a real-life group</cite>" in distress
    assert 'value="not_applicable"' not in distress
    extra_support = html[html.index('id="item-extra_support"') :]
    assert 'value="not_applicable"' in extra_support


def test_only_a_group_for_under_18s_is_asked_the_under_18_questions(signed_in, group):
    adult = signed_in.get(section_url(group, "safety")).content.decode()
    SupportGroup.objects.filter(pk=group.pk).update(minimum_age=14)
    young = signed_in.get(section_url(group, "safety")).content.decode()

    assert 'id="item-child_protection"' not in adult and UNDER_18_EXPLANATION not in adult
    assert 'id="item-child_protection"' in young and UNDER_18_EXPLANATION in young


def test_a_question_answered_in_the_details_shows_that_answer_and_a_link_and_no_box(signed_in, group):
    response = signed_in.get(section_url(group, "purpose"))
    html = response.content.decode()

    why = html[html.index('id="item-why_group_work"') : html.index('id="item-who_for"')]
    assert escape(group.why_group_work) in why
    assert f'href="{reverse("groups:edit", kwargs={"pk": group.pk})}"' in why
    assert "<textarea" not in why and 'name="why_group_work-answer"' not in html
    assert "Completed" in why
    assert 'name="sounded_out-answer"' in html


def test_the_misread_items_show_their_new_help(signed_in, group):
    sessions = signed_in.get(section_url(group, "sessions")).content.decode()
    records = signed_in.get(section_url(group, "records")).content.decode()
    safety = signed_in.get(section_url(group, "safety")).content.decode()

    assert escape(CHECKLIST_BY_KEY["arguments_between_members"].help_text) in sessions
    assert escape(CHECKLIST_BY_KEY["complaints"].help_text) in records
    assert "requires self-harm itself to be reported" in safety


def test_a_placeholder_is_refused_beside_the_answer_and_the_typing_is_kept(signed_in, group):
    data = checklist_data("rules", competition__answer="tbc", triggers__answer="")

    response = signed_in.post(section_url(group, "rules"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert escape(PLACEHOLDER_MESSAGE) in field_html(html, "competition-answer")
    assert "tbc</textarea>" in field_html(html, "competition-answer")
    assert not ChecklistAnswer.objects.filter(group=group).exists()


def test_save_and_go_to_the_next_section_goes_there_and_the_last_goes_back_to_the_plan(signed_in, group):
    first, second, last = SECTIONS[0].slug, SECTIONS[1].slug, SECTIONS[-1].slug

    onwards = signed_in.post(section_url(group, first), {**checklist_data(first), "then": "next"})
    back = signed_in.post(section_url(group, last), checklist_data(last))

    assert onwards.url == section_url(group, second)
    assert back.url == plan_url(group)
    assert "Save and go to the next section" not in signed_in.get(section_url(group, last)).content.decode()


# Warnings --------------------------------------------------------------------------------------


def test_rules_and_aims_show_the_guidances_own_words_and_no_invented_reason(signed_in, group):
    RuleFactory(group=group, text=PUNITIVE_RULE)
    AimFactory(group=group, text="Reduce self-harm to zero.")

    rules = signed_in.get(reverse("groups:rules", kwargs={"pk": group.pk})).content.decode()
    aims = signed_in.get(reverse("groups:aims", kwargs={"pk": group.pk})).content.decode()

    assert escape(NO_HARM_CONTRACT_RULE_WARNING) in rules
    assert escape(STOPPING_AIM_WARNING) in aims
    for page in (rules, aims):
        assert "stop people asking for help" not in page


@pytest.fixture
def ready_with_a_warning(group, coordinator):
    complete_plan(group)
    RuleFactory(group=group, text=PUNITIVE_RULE)
    return group


def test_the_plan_page_lists_the_warnings_and_asks_for_a_tick_beside_the_launch_button(signed_in, ready_with_a_warning):
    html = signed_in.get(plan_url(ready_with_a_warning)).content.decode()

    warnings = html[html.index('id="warnings-heading"') : html.index('id="checklist-heading"')]
    assert escape(PUNITIVE_RULE) in warnings and escape(NO_HARM_CONTRACT_RULE_WARNING) in warnings
    launch = html[html.index('id="launch-heading"') :]
    assert 'name="acknowledged_warnings"' in launch and escape(PUNITIVE_RULE) in launch


def test_launching_without_the_tick_shows_why_beside_it_and_changes_nothing(signed_in, ready_with_a_warning):
    url = reverse("groups:launch", kwargs={"pk": ready_with_a_warning.pk})

    refused = signed_in.post(url)
    ready_with_a_warning.refresh_from_db()
    assert refused.status_code == 200 and ready_with_a_warning.is_planning
    assert "Tick to say you have read the warnings" in field_html(refused.content.decode(), "acknowledged_warnings")

    launched = signed_in.post(url, {"acknowledged_warnings": "on"})
    ready_with_a_warning.refresh_from_db()
    assert launched.status_code == 302 and ready_with_a_warning.is_running


# After launch ------------------------------------------------------------------------------------


def test_an_overdue_risk_review_shows_on_the_group_and_on_what_needs_the_coordinator(signed_in, group):
    complete_plan(group)
    mark_launched(group)
    RiskAssessment.objects.filter(group=group).update(review_date=timezone.localdate() - datetime.timedelta(days=3))
    review_url = reverse("groups:risk_assessment", kwargs={"pk": group.pk})

    plan = signed_in.get(plan_url(group)).content.decode()
    dashboard = signed_in.get(reverse("sessions_log:dashboard")).content.decode()

    assert 'id="risk-review-overdue"' in plan and f'href="{review_url}"' in plan
    needs = dashboard[
        dashboard.index('id="needs-heading"') : dashboard.index("</section>", dashboard.index('id="needs-heading"'))
    ]
    assert f'href="{review_url}"' in needs

    RiskAssessment.objects.filter(group=group).update(review_date=timezone.localdate() + datetime.timedelta(days=90))
    assert 'id="risk-review-overdue"' not in signed_in.get(plan_url(group)).content.decode()


def test_a_running_group_whose_age_was_lowered_shows_the_new_questions_as_missing(signed_in, group):
    complete_plan(group)
    ChecklistAnswer.objects.filter(group=group, item_key="child_protection").delete()
    mark_launched(group)
    SupportGroup.objects.filter(pk=group.pk).update(minimum_age=16)

    html = signed_in.get(plan_url(group)).content.decode()

    gaps = html[html.index('id="plan-gaps"') :]
    assert escape(CHECKLIST_BY_KEY["child_protection"].prompt) in gaps


def test_a_starting_risk_has_no_delete_box_on_the_page(signed_in, group, coordinator):
    assessment = start_risk_assessment(group=group, by=coordinator)
    Risk.objects.create(assessment=assessment, title="The lift at the venue breaks down")

    html = signed_in.get(reverse("groups:risk_assessment", kwargs={"pk": group.pk})).content.decode()

    # Only the risk the coordinator added (after the 18 starting ones) can be removed.
    assert re.findall(r'name="risks-(\d+)-DELETE"', html) == ["18"]
    assert "rate it low and say why" in html


# Closing a group ---------------------------------------------------------------------------------


@pytest.fixture
def running(group, coordinator, facilitator):
    complete_plan(group)
    mark_launched(group)
    return group


def test_close_sits_away_from_launch_and_opens_a_page_with_the_exit_strategy(signed_in, running):
    plan = signed_in.get(plan_url(running)).content.decode()
    close_url = reverse("groups:close", kwargs={"pk": running.pk})

    assert f'<a class="btn btn-outline-danger" href="{close_url}">Close the group for good</a>' in plan
    assert plan.index('id="close-heading"') > plan.index('id="status-heading"')

    page = signed_in.get(close_url).content.decode()
    assert escape(running.exit_strategy.group_ending) in page
    assert escape(running.exit_strategy.members_leaving) in page
    assert 'name="typed_name"' in page


def test_closing_needs_the_groups_name_typed_and_then_every_member_leaves_with_the_aftercare(
    signed_in, running, facilitator
):
    attending = MemberFactory(group=running, display_name="Robin")
    waiting = MemberFactory(group=running, display_name="Kit", status=Member.Status.WAITING_LIST)
    follow_up = FollowUpFactory(member=attending, session=GroupSessionFactory(group=running), assignee=facilitator)
    url = reverse("groups:close", kwargs={"pk": running.pk})
    aftercare = "A check-in call a month later, and the drop-in service stays open to everyone."

    wrong = signed_in.post(url, {"typed_name": "Riverside", "aftercare": aftercare})
    running.refresh_from_db()
    assert wrong.status_code == 200 and running.is_running
    assert "Type the group&#x27;s name exactly" in field_html(wrong.content.decode(), "typed_name")
    assert f"{aftercare}</textarea>" in wrong.content.decode()

    closed = signed_in.post(url, {"typed_name": running.name, "aftercare": aftercare})

    running.refresh_from_db()
    assert closed.status_code == 302 and running.is_closed
    for member in (attending, waiting):
        member.refresh_from_db()
        assert (member.status, member.exit_reason, member.aftercare_offered) == (
            Member.Status.EXITED,
            Member.ExitReason.GROUP_CLOSED,
            aftercare,
        )
    assert FollowUp.objects.get(pk=follow_up.pk).outcome == FollowUp.Outcome.MEMBER_LEFT
    assert messages_of(closed)[0][0] == messages.SUCCESS


def test_a_facilitator_cannot_open_the_closing_page(client, running, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("groups:close", kwargs={"pk": running.pk})).status_code == 403


# Removing an aim or a rule asks first ------------------------------------------------------------


@pytest.mark.parametrize("noun", ["aim", "rule"])
def test_removing_an_aim_or_a_rule_asks_first(signed_in, group, noun):
    thing = (AimFactory if noun == "aim" else RuleFactory)(group=group)
    url = reverse(f"groups:{noun}_delete", kwargs={"pk": group.pk, f"{noun}_pk": thing.pk})

    asked = signed_in.get(url)
    assert asked.status_code == 200
    assert escape(thing.text) in asked.content.decode()
    assert getattr(group, f"{noun}s").exists()

    removed = signed_in.post(url)
    assert removed.url == reverse(f"groups:{noun}s", kwargs={"pk": group.pk})
    assert not getattr(group, f"{noun}s").exists()
