"""The change history page: who may read it, what it shows, what it hides, and what it costs.

Sam supervises the group and reads its history; Alice (coordinator) and Bob (facilitator) are
refused, as they are the people whose work it records; Charlie, from another group, is told the
group does not exist.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.history import TRACKED, describe_history, group_history
from audit.models import AccessEvent
from audit.views import HISTORY_PER_PAGE
from groups.models import GroupRole, SupportGroup
from groups.tests.factories import (
    AimFactory,
    GroupRoleFactory,
    RiskAssessmentFactory,
    RiskFactory,
    RuleFactory,
)
from sessions_log.models import Attendance
from sessions_log.tests.factories import (
    DebriefFactory,
    DebriefNoteFactory,
    DebriefReviewFactory,
    GroupSessionFactory,
    MemberFactory,
)
from sessions_log.tests.records import history_models, take_register

pytestmark = pytest.mark.django_db

# session, user, group, its roles, the access event, the count, the page, one per kind of record (18 at
# most), the authors of debriefs whose reviews or notes are listed, and the people named in changes.
HISTORY_PAGE_MAX_QUERIES = 27


def history_url(group, page=None):
    address = reverse("audit:group_history", kwargs={"pk": group.pk})
    return f"{address}?page={page}" if page else address


def as_user(record, user):
    """Stamp the next saved version with who made it, as the middleware does for a request."""
    record._history_user = user
    return record


def entries_for(user, group):
    return describe_history(list(group_history(group)), user=user, group=group)


# Who may read it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, group):
    response = client.get(history_url(group))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={history_url(group)}"


def test_people_outside_the_group_are_told_it_does_not_exist(client, group, outsider):
    client.force_login(outsider)

    assert client.get(history_url(group)).status_code == 404
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "facilitator"])
def test_the_people_running_the_group_are_refused_its_history(client, request, group, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(history_url(group)).status_code == 403
    assert not AccessEvent.objects.exists()


def test_the_supervisor_reads_the_history_and_the_reading_is_logged(client, group, supervisor):
    client.force_login(supervisor)

    response = client.get(history_url(group))

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.group, event.detail) == (
        supervisor,
        AccessEvent.Action.VIEWED_HISTORY,
        group,
        "page 1",
    )


def test_a_superuser_reads_any_groups_history(client, group):
    client.force_login(UserFactory(is_superuser=True))

    assert client.get(history_url(group)).status_code == 200


# What it shows -------------------------------------------------------------------------------


def test_a_change_shows_who_when_and_each_field_from_old_to_new(client, group, coordinator, supervisor):
    coordinator.first_name, coordinator.last_name = "Alice", "Archer"
    coordinator.save()
    rule = as_user(RuleFactory(group=group, text="Phones away."), coordinator)
    rule.text = "Phones on silent."
    rule.save()
    client.force_login(supervisor)

    response = client.get(history_url(group))

    newest = response.context["entries"][0]
    assert (newest.kind, newest.object_id, newest.action, newest.who) == ("Rule", rule.pk, "Changed", "Alice Archer")
    assert [(change.field, change.old, change.new, change.hidden) for change in newest.changes] == [
        ("Rule", "Phones away.", "Phones on silent.", False)
    ]
    assert response.context["entries"][1].action == "Created"
    assert "Phones away." in response.content.decode()


def test_a_deletion_is_listed(group, coordinator, supervisor):
    aim = AimFactory(group=group)
    aim_id = aim.pk
    as_user(aim, coordinator).delete()

    newest = entries_for(supervisor, group)[0]

    assert (newest.kind, newest.object_id, newest.action, newest.who) == (
        "Aim",
        aim_id,
        "Deleted",
        coordinator.get_full_name(),
    )


def test_changes_the_app_makes_itself_are_shown_too(group, supervisor):
    """diff_against skips fields no form edits, such as a group's status; the page does not."""
    group.status, group.launched_at = SupportGroup.Status.ACTIVE, timezone.now()
    group.save()
    group.status, group.closed_at = SupportGroup.Status.CLOSED, timezone.now()
    group.save()

    newest = entries_for(supervisor, group)[0]

    assert newest.kind == "Group details"
    assert ("Status", "Active", "Closed") in [(change.field, change.old, change.new) for change in newest.changes]


def test_people_in_a_change_are_named_and_choices_are_in_words(group, coordinator, facilitator, supervisor):
    role = GroupRole.objects.get(group=group, user=facilitator)
    role.role = GroupRole.Role.CO_FACILITATOR
    role.save()
    risk = RiskFactory(assessment=RiskAssessmentFactory(group=group))
    risk.likelihood = 1
    risk.save()

    entries = entries_for(supervisor, group)

    assert [(change.field, change.old, change.new) for change in changes_of(entries, "Team role")] == [
        ("Role", "Lead facilitator", "Co-facilitator")
    ]
    assert [(change.field, change.old, change.new) for change in changes_of(entries, "Risk")] == [
        ("Likelihood", "3", "1")
    ]


def test_the_history_is_newest_first_across_every_kind_of_record(active_group, facilitator, supervisor):
    member = MemberFactory(group=active_group)
    session = GroupSessionFactory(group=active_group, facilitators_present=[facilitator])
    take_register(session, {member: Attendance.Status.PRESENT}, facilitator)
    AimFactory(group=active_group)

    entries = entries_for(supervisor, active_group)

    assert [entry.kind for entry in entries[:4]] == ["Aim", "Session", "Attendance mark", "Session"]
    assert entries == sorted(entries, key=lambda entry: entry.when, reverse=True)


def test_another_groups_records_never_appear(group, outsider, supervisor):
    RuleFactory(group=GroupRole.objects.get(user=outsider).group, text="Their rule")
    RuleFactory(group=group, text="Our rule")

    entries = entries_for(supervisor, group)

    assert [entry.kind for entry in entries].count("Rule") == 1


def test_records_of_deleted_sessions_are_still_listed(active_group, facilitator, supervisor):
    member = MemberFactory(group=active_group)
    session = GroupSessionFactory(group=active_group)
    take_register(session, {member: Attendance.Status.PRESENT}, facilitator)
    session.delete()

    kinds = [(entry.kind, entry.action) for entry in entries_for(supervisor, active_group)]

    assert ("Attendance mark", "Deleted") in kinds
    assert ("Attendance mark", "Created") in kinds


def test_every_audited_model_is_on_the_history_page():
    assert {tracked.history for tracked in TRACKED} == set(history_models())


# What it hides -------------------------------------------------------------------------------


@pytest.fixture
def debrief(active_group, facilitator):
    debrief = DebriefFactory(
        session=GroupSessionFactory(group=active_group), author=facilitator, how_it_went="Hard going."
    )
    debrief.how_it_went = "Hard going, but we got there."
    debrief.save()
    return debrief


def changes_of(entries, kind):
    return [change for entry in entries if entry.kind == kind for change in entry.changes]


def test_debrief_content_is_shown_to_those_who_may_read_the_debrief(debrief, supervisor):
    [change] = changes_of(entries_for(supervisor, debrief.session.group), "Debrief")

    assert (change.field, change.old, change.new, change.hidden) == (
        "How did the session go?",
        "Hard going.",
        "Hard going, but we got there.",
        False,
    )


def test_debrief_content_is_only_said_to_have_changed_for_anyone_else(debrief, active_group):
    colleague = UserFactory()
    GroupRoleFactory(group=active_group, user=colleague, role=GroupRole.Role.CO_FACILITATOR)
    active_group = SupportGroup.objects.prefetch_related("roles").get(pk=active_group.pk)
    review = DebriefReviewFactory(debrief=debrief, comments="Thank you.")
    review.comments = "Thank you; let's talk on Friday."
    review.save()

    entries = entries_for(colleague, active_group)

    [debrief_change] = changes_of(entries, "Debrief")
    [review_change] = changes_of(entries, "Debrief review")
    assert (debrief_change.field, debrief_change.hidden, debrief_change.old, debrief_change.new) == (
        "How did the session go?",
        True,
        "",
        "",
    )
    assert (review_change.field, review_change.hidden) == ("Comments", True)


def test_debrief_notes_are_as_private_as_their_debrief(debrief, active_group, facilitator):
    note = DebriefNoteFactory(debrief=debrief, text="First thought.")
    note.text = "Second thought."
    note.save()
    outsider_to_it = UserFactory()
    GroupRoleFactory(group=active_group, user=outsider_to_it, role=GroupRole.Role.CO_FACILITATOR)
    active_group = SupportGroup.objects.prefetch_related("roles").get(pk=active_group.pk)

    [hidden] = changes_of(entries_for(outsider_to_it, active_group), "Debrief note")
    [shown] = changes_of(entries_for(facilitator, active_group), "Debrief note")

    assert hidden.hidden and (hidden.old, hidden.new) == ("", "")
    assert (shown.old, shown.new) == ("First thought.", "Second thought.")


def test_the_supervisor_sees_that_a_members_record_changed_but_not_their_details(client, active_group, supervisor):
    # Names no Faker-made user can have: the page also shows the people signed in ("Robinson").
    member = MemberFactory(group=active_group, display_name="Quillonelle")
    member.display_name = "Quillonella"
    member.save()
    client.force_login(supervisor)

    response = client.get(history_url(active_group))

    [change] = changes_of(response.context["entries"], "Member")
    assert (change.field, change.hidden) == ("Name", True)
    html = response.content.decode()
    assert "Quillonel" not in html


def test_a_superuser_sees_a_members_details_change(active_group):
    member = MemberFactory(group=active_group, display_name="Robin")
    member.display_name = "Robyn"
    member.save()

    [change] = changes_of(entries_for(UserFactory(is_superuser=True), active_group), "Member")

    assert (change.old, change.new, change.hidden) == ("Robin", "Robyn", False)


# What it costs -------------------------------------------------------------------------------


def test_the_history_comes_fifty_to_a_page(client, group, supervisor):
    for number in range(HISTORY_PER_PAGE + 5):
        RuleFactory(group=group, text=f"Rule {number}")
    client.force_login(supervisor)

    first = client.get(history_url(group))
    second = client.get(history_url(group, page=2))

    assert len(first.context["entries"]) == HISTORY_PER_PAGE
    assert first.context["page"].paginator.num_pages == 2
    assert first.context["entries"][0].when >= second.context["entries"][0].when
    seen = {(entry.kind, entry.object_id, entry.when) for entry in first.context["entries"]}
    assert not seen & {(entry.kind, entry.object_id, entry.when) for entry in second.context["entries"]}
    assert AccessEvent.objects.filter(detail="page 2").exists()


def every_kind_of_change(group, facilitator, supervisor, *, rounds, start=0):
    """Create and change records of every audited kind in the group, `rounds` times over."""
    for number in range(start, start + rounds):
        member = MemberFactory(group=group, display_name=f"Member{number}")
        member.contact_details = "07700 900000"
        member.save()
        session = GroupSessionFactory(
            group=group,
            date=timezone.localdate() - datetime.timedelta(days=7 * (number + 1)),
            facilitators_present=[facilitator],
        )
        take_register(session, {member: Attendance.Status.ABSENT}, facilitator)
        take_register(session, {member: Attendance.Status.LATE}, facilitator)
        debrief = DebriefFactory(session=session, author=facilitator)
        debrief.wellbeing = 2
        debrief.save()
        review = DebriefReviewFactory(debrief=debrief, reviewer=supervisor)
        review.comments += " More."
        review.save()
        note = DebriefNoteFactory(debrief=debrief)
        note.text += " More."
        note.save()
        rule = RuleFactory(group=group)
        rule.text += " More."
        rule.save()


def test_the_page_costs_the_same_queries_however_many_records_it_shows(
    client, active_group, facilitator, supervisor, django_assert_max_num_queries
):
    client.force_login(supervisor)
    every_kind_of_change(active_group, facilitator, supervisor, rounds=1)
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(active_group))
    every_kind_of_change(active_group, facilitator, supervisor, rounds=6, start=1)

    with django_assert_max_num_queries(HISTORY_PAGE_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(history_url(active_group))

    assert len(response.context["entries"]) == HISTORY_PER_PAGE
    # The first page with few records also lists the group's own creation and team: never more with many.
    assert len(many) <= len(few)
