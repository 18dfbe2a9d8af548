"""Adding several people at once, one name a line, on the add-a-member page: one request instead of
one each, every name checked as one member's would be, all saved together or none, and each
problem said beside the names with its line."""

import pytest
from django.contrib import messages
from django.urls import reverse

from audit import changes
from groups.models import SupportGroup
from sessions_log.models import Member
from sessions_log.services import add_members
from sessions_log.tests.factories import MemberFactory
from sessions_log.tests.records import TODAY, days_ago
from tests.access_matrix import messages_of, sign_in
from tests.error_summary import assert_every_link_finds_its_field, summary_links

pytestmark = pytest.mark.django_db


def add_url(group):
    return reverse("sessions_log:member_add", kwargs={"pk": group.pk})


def several(names: str, **changes) -> dict:
    return {"several-names": names, "several-joined_on": days_ago(7).isoformat(), **changes}


def names_in(group) -> list[str]:
    return sorted(group.members.values_list("display_name", flat=True))


def test_the_add_page_offers_several_at_once_with_a_name_a_line(client, active_group, facilitator):
    response = sign_in(client, facilitator).get(add_url(active_group))

    html = response.content.decode()
    assert 'href="#add-several"' in html
    assert '<textarea name="several-names"' in html
    assert response.context["several"]["joined_on"].value() == TODAY()


def test_three_people_are_added_in_one_request(client, active_group, facilitator):
    response = sign_in(client, facilitator).post(add_url(active_group), several("Alex\nBea\n\n  Cam  \n"))

    assert response.status_code == 302
    assert response.url == reverse("sessions_log:members", kwargs={"pk": active_group.pk})
    assert names_in(active_group) == ["Alex", "Bea", "Cam"]
    assert set(active_group.members.values_list("joined_on", "status")) == {(days_ago(7), Member.Status.ACTIVE)}
    assert messages_of(response) == [(messages.SUCCESS, "Alex, Bea and Cam have joined the group.")]


def test_once_the_group_is_full_the_rest_go_on_the_waiting_list_in_order(client, active_group, coordinator):
    active_group.maximum_size = 3
    active_group.save()
    MemberFactory(group=active_group, display_name="Robin")

    response = sign_in(client, coordinator).post(add_url(active_group), several("Alex\nBea\nCam\nDee"))

    statuses = dict(active_group.members.values_list("display_name", "status"))
    assert statuses == {
        "Robin": Member.Status.ACTIVE,
        "Alex": Member.Status.ACTIVE,
        "Bea": Member.Status.ACTIVE,
        "Cam": Member.Status.WAITING_LIST,
        "Dee": Member.Status.WAITING_LIST,
    }
    assert messages_of(response) == [
        (messages.SUCCESS, "Alex and Bea have joined the group."),
        (
            messages.WARNING,
            "The group is full (3 members), so Cam and Dee are on the waiting list. "
            "Admit them from the waiting list when a place comes up.",
        ),
    ]


def test_each_problem_is_said_with_its_line_nothing_is_saved_and_the_typing_is_kept(client, active_group, facilitator):
    active_group.member_names = SupportGroup.NameRecording.FIRST_NAME
    active_group.save()
    MemberFactory(group=active_group, display_name="Robin")
    MemberFactory(group=active_group, display_name="Sky", status=Member.Status.WAITING_LIST)
    typed = "Alex\nBea Smith\nrobin\nSky\nAlex"

    response = sign_in(client, facilitator).post(add_url(active_group), several(typed))

    assert response.status_code == 200
    assert response.context["several"].errors["names"] == [
        "Line 2, \u201cBea Smith\u201d: This group records a first name only: one word, without a surname.",
        "Line 3, \u201crobin\u201d: already a member of the group.",
        "Line 4, \u201cSky\u201d: already on the waiting list. Admit them from the members page.",
        "Line 5, \u201cAlex\u201d: this name is on line 1 too.",
    ]
    html = response.content.decode()
    assert "Alex\nBea Smith\nrobin\nSky\nAlex</textarea>" in html
    assert f'value="{days_ago(7).isoformat()}"' in html
    links = summary_links(html)
    assert len(links) == 4
    assert {target for target, _ in links} == {"#id_several-names"}
    assert_every_link_finds_its_field(html)
    # The one-member form above is left as it was, with no errors of its own.
    assert not response.context["form"].is_bound
    assert names_in(active_group) == ["Robin", "Sky"]


def test_a_fault_part_way_through_leaves_nobody_added(active_group, facilitator, monkeypatch):
    real_save_change = changes.save_change
    saved = []

    def failing_on_the_third(record, **kwargs):
        if len(saved) == 2:
            raise RuntimeError("the database went away")
        saved.append(record)
        return real_save_change(record, **kwargs)

    monkeypatch.setattr("sessions_log.services.save_change", failing_on_the_third)

    with pytest.raises(RuntimeError):
        add_members(group=active_group, names=["Alex", "Bea", "Cam"], joined_on=TODAY(), by=facilitator)

    assert len(saved) == 2
    assert names_in(active_group) == []


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ("\n   \n", "Enter at least one name."),
        ("\n".join(f"Name{number}" for number in range(31)), "Add at most 30 people at a time."),
    ],
)
def test_no_names_or_too_many_are_refused(client, active_group, facilitator, names, problem):
    response = sign_in(client, facilitator).post(add_url(active_group), several(names))

    assert response.context["several"].errors["names"] == [problem]
    assert names_in(active_group) == []


def test_the_date_they_joined_is_needed(client, active_group, facilitator):
    response = sign_in(client, facilitator).post(add_url(active_group), several("Alex", **{"several-joined_on": ""}))

    assert "joined_on" in response.context["several"].errors
    assert names_in(active_group) == []


def test_a_closed_group_takes_nobody(client, active_group, facilitator):
    active_group.status = SupportGroup.Status.CLOSED
    active_group.save(update_fields=["status"])

    response = sign_in(client, facilitator).post(add_url(active_group), several("Alex\nBea"))

    assert response.context["several"].non_field_errors() == ["The group has closed, so it cannot take new members."]
    assert names_in(active_group) == []


def test_the_supervisor_may_not_add_people(client, active_group, supervisor):
    response = sign_in(client, supervisor).post(add_url(active_group), several("Alex"))

    assert response.status_code == 403
    assert names_in(active_group) == []


def test_someone_outside_the_group_is_told_it_does_not_exist(client, active_group, outsider):
    response = sign_in(client, outsider).post(add_url(active_group), several("Alex"))

    assert response.status_code == 404
    assert names_in(active_group) == []


def test_each_person_added_has_their_own_history(active_group, facilitator):
    add_members(group=active_group, names=["Alex", "Bea"], joined_on=TODAY(), by=facilitator)

    for member in active_group.members.all():
        copy = member.history.get()
        assert (copy.history_user, copy.history_change_reason) == (facilitator, "Joined the group")
