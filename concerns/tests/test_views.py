"""The concern and complaints-log pages: who may use each (anonymous visitors sign in, outsiders
get a 404, a team member without the right a 403), what each shows to whom, and what they cost."""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from concerns.models import Complaint, Concern
from concerns.tests.factories import ComplaintFactory, ConcernFactory
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "facilitator", "supervisor")
TODAY = timezone.localdate
WHAT_WAS_DONE = "Stayed with them, then called the crisis line together."


@pytest.fixture
def things(scene):
    concern = ConcernFactory(
        session=scene.session, member=scene.sky, kind=Concern.Kind.RISK_TO_LIFE, what_was_done=WHAT_WAS_DONE
    )
    complaint = ComplaintFactory(group=scene.group, summary="Two members talked over others.")
    return SimpleNamespace(**vars(scene), concern=concern, complaint=complaint)


def _concern(things):
    return {"concern_pk": things.concern.pk}


def _complaint(things):
    return {"complaint_pk": things.complaint.pk}


def _new_concern(things):
    return {
        "kind": Concern.Kind.SAFEGUARDING,
        "member": things.robin.pk,
        "where": Concern.Where.PHONE_OR_MESSAGE,
        "session": "",
        "happened_on": TODAY().isoformat(),
        "what_was_done": "Listened, and followed the safeguarding policy.",
        "who_was_told": "The safeguarding lead",
        "told_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }


def _more_done(things):
    return {
        "what_was_done": "Stayed with them, then rang them the next morning.",
        "who_was_told": "The safeguarding lead",
        "told_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }


def _closing(things):
    return {"outcome": "Taken forward by the safeguarding lead.", "closed_on": TODAY().isoformat()}


def _new_complaint(things):
    return {
        "kind": Complaint.Kind.COMPLAINT,
        "happened_on": TODAY().isoformat(),
        "summary": "A member felt the group ran late too often.",
        "handling": "The coordinator will speak to them this week, as the plan says.",
    }


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    allowed: frozenset
    url_kwargs: object = lambda things: {}
    data: object = lambda things: {}

    def __str__(self):
        return f"{self.name}-{self.method}"

    def request(self, client, things):
        address = reverse(f"concerns:{self.name}", kwargs={"pk": things.group.pk, **self.url_kwargs(things)})
        if self.method == "GET":
            return address, client.get(address)
        return address, client.post(address, self.data(things))


RUNNING = frozenset({"coordinator", "facilitator"})
EVERYONE = frozenset(ROLES)
REPORTING = frozenset({"coordinator", "supervisor"})
PAGES = [
    Page("concerns", "GET", EVERYONE),
    Page("concern_create", "GET", RUNNING),
    Page("concern_create", "POST", RUNNING, data=_new_concern),
    Page("concern", "GET", EVERYONE, _concern),
    Page("concern_edit", "GET", RUNNING, _concern),
    Page("concern_edit", "POST", RUNNING, _concern, _more_done),
    Page("concern_close", "POST", frozenset({"coordinator"}), _concern, _closing),
    Page("complaints", "GET", REPORTING),
    Page("complaint_create", "GET", EVERYONE),
    Page("complaint_create", "POST", EVERYONE, data=_new_complaint),
    Page("complaint", "GET", REPORTING, _complaint),
    Page("complaint_close", "POST", REPORTING, _complaint, _closing),
]


def everything():
    return {
        "concerns": list(Concern.objects.order_by("pk").values()),
        "complaints": list(Complaint.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize("endpoint", PAGES, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client, things, endpoint):
    address, response = endpoint.request(client, things)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={address}"


@pytest.mark.parametrize("endpoint", PAGES, ids=str)
def test_people_outside_the_group_are_told_it_does_not_exist(client, things, outsider, endpoint):
    before = everything()
    _, response = endpoint.request(sign_in(client, outsider, verified=True), things)

    assert response.status_code == 404
    assert everything() == before


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [(endpoint, role) for endpoint in PAGES for role in ROLES if role not in endpoint.allowed],
    ids=str,
)
def test_team_members_without_the_right_are_refused(client, things, endpoint, role):
    before = everything()
    _, response = endpoint.request(sign_in(client, things.people[role], verified=True), things)

    assert response.status_code == 403
    assert everything() == before


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [(endpoint, role) for endpoint in PAGES for role in ROLES if role in endpoint.allowed],
    ids=str,
)
def test_team_members_with_the_right_get_through(client, things, endpoint, role):
    _, response = endpoint.request(sign_in(client, things.people[role], verified=True), things)

    if endpoint.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.context and response.context["form"].errors


# What each page shows --------------------------------------------------------------------------


def _concern_page(client, things, user):
    url = reverse("concerns:concern", kwargs={"pk": things.group.pk, "concern_pk": things.concern.pk})
    return sign_in(client, user, verified=True).get(url)


def test_the_supervisor_sees_a_concern_without_the_members_name(client, things):
    supervisor_page = _concern_page(client, things, things.people["supervisor"]).content.decode()
    coordinator_page = _concern_page(client, things, things.people["coordinator"]).content.decode()

    assert WHAT_WAS_DONE in supervisor_page and WHAT_WAS_DONE in coordinator_page
    assert "Sky" not in supervisor_page
    assert "A member of the group" in supervisor_page
    assert "Sky" in coordinator_page
    for user in (things.people["supervisor"], things.people["coordinator"]):
        lists = sign_in(client, user, verified=True).get(reverse("concerns:concerns", kwargs={"pk": things.group.pk}))
        assert ("Sky" in lists.content.decode()) is (user == things.people["coordinator"])


def test_opening_a_concern_is_in_the_access_log(client, things):
    _concern_page(client, things, things.people["supervisor"])

    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEWED_CONCERN)
    assert (event.user, event.group, event.object_id) == (things.people["supervisor"], things.group, things.concern.pk)
    assert event.detail == ""


def test_the_form_from_a_session_fixes_the_session_and_says_what_stays_elsewhere(client, things):
    url = reverse("concerns:concern_create", kwargs={"pk": things.group.pk}) + f"?session={things.session.pk}"
    response = sign_in(client, things.people["facilitator"], verified=True).get(url)

    form = response.context["form"]
    assert {"where", "session", "happened_on"}.isdisjoint(form.fields)
    page = response.content.decode()
    assert "the details stay in your organisation's own safeguarding records" in page
    assert "Feelings, not mechanics: never write details of anyone's self-harm." in page


def test_raising_from_a_session_links_it_and_says_what_changed(client, things):
    url = reverse("concerns:concern_create", kwargs={"pk": things.group.pk}) + f"?session={things.session.pk}"
    data = {**_new_concern(things), "kind": Concern.Kind.RISK_TO_LIFE, "member": things.sky.pk}
    response = sign_in(client, things.people["facilitator"], verified=True).post(url, data)

    concern = Concern.objects.latest("pk")
    assert response.url == concern.get_absolute_url()
    assert (concern.session, concern.where, concern.happened_on) == (
        things.session,
        Concern.Where.IN_SESSION,
        things.session.date,
    )
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert f"A follow-up for the member is due today, for {things.people['coordinator']}." in message
    assert "The supervisor will review this session's debriefs within a day." in message
    assert Concern.history.filter(id=concern.pk).get().history_change_reason == "Raised: risk to life"


def test_a_refused_concern_keeps_what_was_typed_and_says_why_beside_the_field(client, things):
    data = {**_new_concern(things), "what_was_done": "Robin told us at the end; we followed the policy."}
    url = reverse("concerns:concern_create", kwargs={"pk": things.group.pk})
    response = sign_in(client, things.people["facilitator"], verified=True).post(url, data)

    assert response.status_code == 200
    assert "what_was_done" in response.context["form"].errors
    assert "Robin told us at the end" in response.content.decode()
    assert not Concern.objects.filter(member=things.robin).exists()


def test_closing_says_what_came_of_it_and_a_closed_concern_offers_no_more_changes(client, things):
    coordinator = things.people["coordinator"]
    url = reverse("concerns:concern_close", kwargs={"pk": things.group.pk, "concern_pk": things.concern.pk})
    sign_in(client, coordinator, verified=True).post(url, _closing(things))

    concern = Concern.objects.get(pk=things.concern.pk)
    assert (concern.outcome, concern.closed_on, concern.closed_by) == (
        "Taken forward by the safeguarding lead.",
        TODAY(),
        coordinator,
    )
    page = _concern_page(client, things, coordinator)
    assert not page.context["can_close"] and not page.context["can_update"]
    again = client.post(url, {"outcome": "Again.", "closed_on": TODAY().isoformat()})
    assert again.status_code == 200
    assert "already closed" in again.content.decode()


def test_a_facilitator_adds_to_the_complaints_log_without_reading_it(client, things):
    facilitator = things.people["facilitator"]
    url = reverse("concerns:complaint_create", kwargs={"pk": things.group.pk})

    response = sign_in(client, facilitator, verified=True).post(url, _new_complaint(things))

    assert response.url == reverse("sessions_log:group_sessions", kwargs={"pk": things.group.pk})
    assert Complaint.objects.filter(recorded_by=facilitator).exists()
    assert client.get(reverse("concerns:complaints", kwargs={"pk": things.group.pk})).status_code == 403


def test_the_complaints_log_shows_the_plans_answers_it_is_handled_under(client, things):
    response = sign_in(client, things.people["coordinator"], verified=True).get(
        reverse("concerns:complaints", kwargs={"pk": things.group.pk})
    )

    page = response.content.decode()
    assert "How can members make a complaint, and who deals with it?" in page
    assert f"/groups/{things.group.pk}/checklist/records/#item-complaints" in page
    assert "Two members talked over others." in page


@pytest.mark.parametrize("name", ["concerns", "complaints"])
def test_the_lists_cost_the_same_queries_however_long(client, things, name, django_assert_max_num_queries):
    sign_in(client, things.people["coordinator"], verified=True)
    url = reverse(f"concerns:{name}", kwargs={"pk": things.group.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ConcernFactory.create_batch(5, session=things.session, member=things.robin)
    ComplaintFactory.create_batch(5, group=things.group)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["page"].object_list) == 6
    assert len(many) == len(few)


def test_a_closed_concern_is_not_offered_for_changes(client, things):
    Concern.objects.filter(pk=things.concern.pk).update(closed_on=TODAY(), outcome="Done.")
    url = reverse("concerns:concern_edit", kwargs={"pk": things.group.pk, "concern_pk": things.concern.pk})

    response = sign_in(client, things.people["facilitator"], verified=True).post(url, _more_done(things))

    assert response.url == things.concern.get_absolute_url()
    assert Concern.objects.get(pk=things.concern.pk).what_was_done == WHAT_WAS_DONE
