"""Two people at once saving the same register or correcting the same member's record (issue 13,
item 4). The second is shown both, and nothing anyone saved is lost.
"""

import datetime
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, mark_launched
from sessions_log.models import Attendance, FollowUp, GroupSession, Member
from sessions_log.services import MEMBER_CHANGED, REGISTER_CHANGED, save_register
from sessions_log.tests.factories import GroupSessionFactory, MemberFactory
from tests.access_matrix import sign_in
from tests.concurrent_edits import RACES_ON_ROW_LOCKS

# The register and a member's record (issue 13, item 4) ----------------------------------------------
#
# Before these, the second of two people saving the same register silently overwrote the first and
# withdrew the follow-ups its absences had raised; the same for a member's record. The two-client
# tests below failed then (the second save was a 302).


@pytest.fixture
def running(group, coordinator, facilitator):
    mark_launched(group)
    cofacilitator = UserFactory(username="cora")
    GroupRoleFactory(group=group, user=cofacilitator, role=GroupRole.Role.CO_FACILITATOR)
    session = GroupSessionFactory(
        group=group, date=timezone.localdate() - datetime.timedelta(days=1), facilitators_present=[facilitator]
    )
    return SimpleNamespace(
        group=group,
        session=session,
        member=MemberFactory(group=group, display_name="Robin", joined_on=session.date),
        bob=facilitator,
        cora=cofacilitator,
    )


def _register(client, running, status, version):
    url = reverse("sessions_log:register", kwargs={"pk": running.group.pk, "session_pk": running.session.pk})
    return client.post(url, {f"member_{running.member.pk}": status, "opened_version": version})


def test_the_second_of_two_people_saving_a_register_is_shown_both_and_nothing_is_lost(client, running):
    url = reverse("sessions_log:register", kwargs={"pk": running.group.pk, "session_pk": running.session.pk})
    bob, cora = sign_in(client, running.bob), sign_in(type(client)(), running.cora)
    bob_opened = bob.get(url).context["form"]["opened_version"].value()
    cora_opened = cora.get(url).context["form"]["opened_version"].value()
    assert bob_opened == cora_opened == 0

    first = _register(bob, running, Attendance.Status.ABSENT, bob_opened)
    second = _register(cora, running, Attendance.Status.PRESENT, cora_opened)

    assert first.status_code == 302
    assert second.status_code == 200
    form = second.context["form"]
    assert form.non_field_errors() == [REGISTER_CHANGED]
    # Both: her mark is still chosen, his is shown beside it.
    assert form[f"member_{running.member.pk}"].value() == Attendance.Status.PRESENT
    assert "Saved meanwhile by someone else: <strong>Absent without notice</strong>" in second.content.decode()
    # Nothing lost: his mark, and the follow-up his absence raised, stand.
    assert Attendance.objects.get(session=running.session).status == Attendance.Status.ABSENT
    assert FollowUp.objects.filter(member=running.member).count() == 1
    # Having seen both, saving again is hers to decide.
    again = _register(cora, running, Attendance.Status.PRESENT, form["opened_version"].value())
    assert again.status_code == 302
    assert Attendance.objects.get(session=running.session).status == Attendance.Status.PRESENT


def test_a_stale_register_is_refused_by_the_service_itself(running):
    save_register(
        session=running.session,
        marks={running.member.pk: Attendance.Status.ABSENT},
        by=running.bob,
        expected_version=0,
    )
    with pytest.raises(ValidationError) as refusal:
        save_register(
            session=running.session,
            marks={running.member.pk: Attendance.Status.PRESENT},
            by=running.cora,
            expected_version=0,
        )
    assert refusal.value.messages == [REGISTER_CHANGED]
    assert GroupSession.objects.get(pk=running.session.pk).register_version == 1


@RACES_ON_ROW_LOCKS
def test_two_first_saves_of_a_register_at_the_same_moment_are_one_saved_and_one_refused(transactional_db, running):
    """A real race, in two database connections: each thread waits at the barrier, then saves the
    register's first version. The session's row is locked (after the group's), so the second
    waits, then sees the first's version: one saved, one refused, never a clash on the unique mark
    (once a server error) and never a silent overwrite."""
    start = threading.Barrier(2)
    results = []

    def save(person, status):
        try:
            start.wait()
            save_register(
                session=GroupSession.objects.get(pk=running.session.pk),
                marks={running.member.pk: status},
                by=person,
                expected_version=0,
            )
            results.append("saved")
        except ValidationError:
            results.append("refused")
        except Exception as error:  # a server error in the page
            results.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(running.bob, Attendance.Status.ABSENT)),
        threading.Thread(target=save, args=(running.cora, Attendance.Status.PRESENT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["refused", "saved"]
    assert Attendance.objects.filter(session=running.session).count() == 1
    assert GroupSession.objects.get(pk=running.session.pk).register_version == 1


def _member_data(running, name, version):
    return {
        "display_name": name,
        "joined_on": running.member.joined_on.isoformat(),
        "referral_route": Member.Referral.SELF,
        "referring_organisation": "",
        "opened_version": version,
    }


def test_the_second_of_two_people_correcting_a_member_is_shown_both(client, running, coordinator):
    url = reverse("sessions_log:member_edit", kwargs={"pk": running.group.pk, "member_pk": running.member.pk})
    bob, alice = sign_in(client, running.bob), sign_in(type(client)(), coordinator)
    bob_opened = bob.get(url).context["form"]["opened_version"].value()
    alice_opened = alice.get(url).context["form"]["opened_version"].value()

    first = bob.post(url, _member_data(running, "Robyn", bob_opened))
    second = alice.post(url, _member_data(running, "Robbie", alice_opened))

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["form"].non_field_errors() == [MEMBER_CHANGED]
    assert second.context["form"]["display_name"].value() == "Robbie"  # her typing kept
    assert ("Name", "Robyn") in second.context["saved_meanwhile"]  # his beside it
    assert Member.objects.get(pk=running.member.pk).display_name == "Robyn"
    again = alice.post(url, _member_data(running, "Robbie", second.context["form"]["opened_version"].value()))
    assert again.status_code == 302
    assert Member.objects.get(pk=running.member.pk).display_name == "Robbie"
