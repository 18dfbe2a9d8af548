"""Two people at once: editing the same plan document, the group's details or a checklist
answer, and two workers on the SQLite database that `make run` uses. The second editor is told,
and nothing anyone saved is lost."""

import datetime
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.forms import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.checklist import items_in_section
from groups.forms import ExitStrategyForm, SupportGroupForm
from groups.models import ChecklistAnswer, ExitStrategy, FacilitatorSupportPlan, GroupRole, RiskAssessment
from groups.services import GROUP_DETAILS_CHANGED, PLAN_DOCUMENT_CHANGED, save_plan_document
from groups.tests.factories import (
    ExitStrategyFactory,
    FacilitatorSupportPlanFactory,
    GroupRoleFactory,
    RiskAssessmentFactory,
    RiskFactory,
    mark_launched,
)
from groups_site import events
from sessions_log.models import Attendance, Debrief, FollowUp, GroupSession, Member
from sessions_log.services import MEMBER_CHANGED, REGISTER_CHANGED, review_debrief, save_debrief, save_register
from sessions_log.tests.factories import DebriefFactory, GroupSessionFactory, MemberFactory
from tests.access_matrix import sign_in

ROOT = Path(__file__).resolve().parents[1]
RACES_ON_ROW_LOCKS = pytest.mark.postgres(
    "a row lock held by one connection and waited for by another; SQLite locks the whole database"
)


# Plan documents ------------------------------------------------------------------------------------


@pytest.fixture
def second_coordinator(group):
    user = UserFactory(username="alex")
    GroupRoleFactory(group=group, user=user, role=GroupRole.Role.COORDINATOR)
    return user


def _exit_strategy_data(text, version, document=None):
    return {**{part: text for part in ExitStrategy.PARTS}, "opened_version": version}


def _support_plan_data(text, version, document=None):
    return {
        "supervision_frequency": FacilitatorSupportPlan.Frequency.MONTHLY,
        "debrief_arrangements": text,
        "cofacilitation_and_cover": text,
        "facilitator_wellbeing": text,
        "opened_version": version,
    }


def _risk_assessment_data(text, version, assessment):
    risk = assessment.risks.get()
    return {
        "review_date": "2099-01-01",
        "opened_version": version,
        "risks-TOTAL_FORMS": "1",
        "risks-INITIAL_FORMS": "1",
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "100",
        "risks-0-id": risk.pk,
        "risks-0-title": risk.title,
        "risks-0-likelihood": "2",
        "risks-0-impact": "3",
        "risks-0-mitigation": text,
        "risks-0-owner": "Lead facilitator",
    }


# For each document's page: how to make one, what its form posts, and where the text lands.
DOCUMENTS = {
    "exit_strategy": (ExitStrategyFactory, _exit_strategy_data, lambda group: group.exit_strategy.members_leaving),
    "support_plan": (
        FacilitatorSupportPlanFactory,
        _support_plan_data,
        lambda group: group.support_plan.debrief_arrangements,
    ),
    "risk_assessment": (
        lambda group: RiskFactory(assessment=RiskAssessmentFactory(group=group)).assessment,
        _risk_assessment_data,
        lambda group: group.risk_assessment.risks.get().mitigation,
    ),
}


@pytest.mark.parametrize("url_name", DOCUMENTS)
def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(
    client, group, coordinator, second_coordinator, url_name
):
    make, data_for, saved_text = DOCUMENTS[url_name]
    document = make(group=group)
    url = reverse(f"groups:{url_name}", kwargs={"pk": group.pk})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    # Both open the document.
    alice_opened = alice.get(url).context["form"]["opened_version"].value()
    alex_opened = alex.get(url).context["form"]["opened_version"].value()
    assert alice_opened == alex_opened == 1

    first = alice.post(url, data_for("Alice's words.", alice_opened, document))
    second = alex.post(url, data_for("Alex's words.", alex_opened, document))

    assert first.status_code == 302
    assert second.status_code == 200
    body = second.content.decode()
    assert PLAN_DOCUMENT_CHANGED.replace("'", "&#x27;") in body
    assert "Alex&#x27;s words." in body  # his typing is still there to copy
    group.refresh_from_db()
    assert saved_text(group) == "Alice's words."
    assert type(document).objects.get(pk=document.pk).version == 2


def test_two_people_writing_a_document_that_does_not_exist_yet_cannot_both_create_it(
    client, group, coordinator, second_coordinator
):
    url = reverse("groups:exit_strategy", kwargs={"pk": group.pk})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    assert alice.get(url).context["form"]["opened_version"].value() == 0
    assert alex.get(url).context["form"]["opened_version"].value() == 0

    assert alice.post(url, _exit_strategy_data("Alice's words.", 0)).status_code == 302
    refused = alex.post(url, _exit_strategy_data("Alex's words.", 0))

    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [PLAN_DOCUMENT_CHANGED]
    assert ExitStrategy.objects.get(group=group).members_leaving == "Alice's words."


def test_after_reloading_the_second_editor_saves_on_top_of_the_first(client, group, coordinator, second_coordinator):
    ExitStrategyFactory(group=group)
    url = reverse("groups:exit_strategy", kwargs={"pk": group.pk})
    sign_in(client, coordinator).post(url, _exit_strategy_data("Alice's words.", 1))

    alex = sign_in(type(client)(), second_coordinator)
    reloaded = alex.get(url).context["form"]["opened_version"].value()
    response = alex.post(url, _exit_strategy_data("Alex's words, after reading Alice's.", reloaded))

    assert reloaded == 2
    assert response.status_code == 302
    strategy = ExitStrategy.objects.get(group=group)
    assert (strategy.members_leaving, strategy.version) == ("Alex's words, after reading Alice's.", 3)


def test_every_saved_version_is_kept_in_the_documents_history(db, group, coordinator):
    strategy = ExitStrategyFactory(group=group)
    for version, text in [(1, "The first version of the plan."), (2, "The second version of the plan.")]:
        form = ExitStrategyForm(_exit_strategy_data(text, version), instance=ExitStrategy.objects.get(pk=strategy.pk))
        assert form.is_valid(), form.errors
        save_plan_document(form=form, expected_version=version, by=coordinator)

    history = list(strategy.history.order_by("history_id").values_list("version", "members_leaving", "updated_by"))
    assert history[-2:] == [
        (2, "The first version of the plan.", coordinator.pk),
        (3, "The second version of the plan.", coordinator.pk),
    ]


def test_a_stale_save_is_refused_by_the_service_itself(db, group, coordinator):
    strategy = ExitStrategyFactory(group=group)
    stale = ExitStrategyForm(
        _exit_strategy_data("The stale version of the plan.", 1), instance=ExitStrategy.objects.get(pk=strategy.pk)
    )
    fresh = ExitStrategyForm(
        _exit_strategy_data("The fresh version of the plan.", 1), instance=ExitStrategy.objects.get(pk=strategy.pk)
    )
    assert stale.is_valid() and fresh.is_valid()

    save_plan_document(form=fresh, expected_version=1, by=coordinator)
    with pytest.raises(ValidationError) as refusal:
        save_plan_document(form=stale, expected_version=1, by=coordinator)

    assert refusal.value.messages == [PLAN_DOCUMENT_CHANGED]
    assert ExitStrategy.objects.get(pk=strategy.pk).members_leaving == "The fresh version of the plan."


# The group's details and the checklist -----------------------------------------------------------


def _details(group, **changes):
    """The details form as its page posts it back, with the version the page was opened at."""
    data = {
        name: value
        for name, value in model_to_dict(group, fields=SupportGroupForm._meta.fields).items()
        if value is not None
    }
    data["meeting_start"], data["meeting_end"] = "18:30", "20:00"
    return data | {"opened_version": group.version} | changes


def test_the_second_of_two_editing_the_details_sees_both_versions_keeps_their_typing_then_can_save(
    client, group, coordinator, second_coordinator
):
    url = reverse("groups:edit", kwargs={"pk": group.pk})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    assert alice.get(url).context["form"]["opened_version"].value() == 1
    assert alex.get(url).context["form"]["opened_version"].value() == 1

    assert alice.post(url, _details(group, venue="The library, upstairs")).status_code == 302
    refused = alex.post(url, _details(group, venue="The church hall"))

    assert refused.status_code == 200
    html = refused.content.decode()
    assert GROUP_DETAILS_CHANGED.replace("'", "&#x27;") in html
    assert ("Venue", "The library, upstairs", "The church hall") in refused.context["changed_meanwhile"]
    assert 'value="The church hall"' in html  # his typing is kept
    group.refresh_from_db()
    assert (group.venue, group.version) == ("The library, upstairs", 2)

    # Having seen both, saving again keeps his version, knowingly.
    again = alex.post(url, _details(group, venue="The church hall") | {"opened_version": 2})
    group.refresh_from_db()
    assert again.status_code == 302
    assert (group.venue, group.version) == ("The church hall", 3)


def _answers(version_of_competition=0, **answers):
    """The rules section's page as a browser posts it, opened before anything was saved: the
    questions named answered, the others left as the page showed them (each field with its hidden
    copy of what the page showed)."""
    data = {}
    for item in items_in_section("rules", 18):
        if not item.is_answered_elsewhere:
            shown = {"answer": "", "status": "not_started", "not_applicable_reason": ""}
            sent = shown | ({"answer": answers[item.key], "status": "in_progress"} if item.key in answers else {})
            data |= {f"{item.key}-{name}": value for name, value in sent.items()}
            data |= {f"initial-{item.key}-{name}": value for name, value in shown.items()}
            data[f"{item.key}-opened_version"] = 0
    return data | {"competition-opened_version": version_of_competition}


ALICE = "Alice: every member's feelings count the same."
ALEX = "Alex: nobody compares scars."
ALEX_TOO = "Alex: texts between members are fine."


def test_the_second_of_two_answering_the_same_question_is_told_and_shown_the_first_answer(
    client, group, coordinator, second_coordinator
):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "rules"})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    alice.get(url), alex.get(url)

    first = alice.post(url, _answers(competition=ALICE))
    second = alex.post(url, _answers(competition=ALEX, contact_between_sessions=ALEX_TOO))

    assert first.status_code == 302
    assert second.status_code == 200
    html = second.content.decode()
    assert ALICE.replace("'", "&#x27;") in html  # theirs, shown
    assert ALEX in html and ALEX_TOO in html  # his typing, kept
    saved = dict(ChecklistAnswer.objects.filter(group=group).values_list("item_key", "answer"))
    assert saved == {"competition": ALICE}  # nothing of his saved, not even the other answer

    # The page now carries the version he has seen: saving again keeps his.
    [row] = [row for row in second.context["rows"] if row.question.item.key == "competition"]
    assert row.changed_meanwhile and row.form["opened_version"].value() == "1"
    shown_again = {"initial-competition-answer": ALICE, "initial-competition-status": "in_progress"}
    again = alex.post(url, _answers(1, competition=ALEX, contact_between_sessions=ALEX_TOO) | shown_again)
    assert again.status_code == 302
    saved = dict(ChecklistAnswer.objects.filter(group=group).values_list("item_key", "answer"))
    assert saved == {"competition": ALEX, "contact_between_sessions": ALEX_TOO}


def test_answers_to_different_questions_saved_at_once_do_not_clash(client, group, coordinator, second_coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "rules"})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    alice.get(url), alex.get(url)

    assert alice.post(url, _answers(competition=ALICE)).status_code == 302
    assert alex.post(url, _answers(contact_between_sessions=ALEX_TOO)).status_code == 302

    assert ChecklistAnswer.objects.filter(group=group).count() == 2


@RACES_ON_ROW_LOCKS
def test_two_saves_at_the_same_moment_cannot_both_win(transactional_db, group, coordinator):
    """The version is compared under a row lock, so even two saves racing in separate database
    transactions end with exactly one saved and one refused."""
    strategy = ExitStrategyFactory(group=group)
    start = threading.Barrier(2)
    results = []

    def save(text):
        try:
            form = ExitStrategyForm(_exit_strategy_data(text, 1), instance=ExitStrategy.objects.get(pk=strategy.pk))
            assert form.is_valid()
            start.wait()
            save_plan_document(form=form, expected_version=1, by=coordinator)
            results.append("saved")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(text,))
        for text in ("One version of the plan.", "Another version of the plan.")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["refused", "saved"]
    assert ExitStrategy.objects.get(pk=strategy.pk).version == 2


@RACES_ON_ROW_LOCKS
def test_a_debrief_edit_racing_its_sign_off_waits_for_it_and_is_refused(
    transactional_db, group, facilitator, supervisor, monkeypatch
):
    """save_debrief locks the debrief before asking whether it was reviewed, so an edit made
    while the supervisor's sign-off is being saved waits for it and is refused, instead of
    landing after the sign-off and marking the debrief unreviewed again. The edit starts while
    the sign-off's transaction is still open: when it announces the review, which it does
    inside its transaction (the announcement itself is sent after commit)."""
    session = GroupSessionFactory(group=group, facilitators_present=[facilitator])
    debrief = DebriefFactory(session=session, author=facilitator)
    loaded_before = Debrief.objects.get(pk=debrief.pk)
    loaded_before.how_it_went = "Edited while it was being signed off."
    outcome = []

    def edit():
        try:
            save_debrief(debrief=loaded_before, by=facilitator)
            outcome.append("saved")
        except ValidationError:
            outcome.append("refused")
        finally:
            connection.close()

    editor = threading.Thread(target=edit)
    waited = []

    def edit_while_signing_off(signal, **facts):
        if signal is events.debrief_reviewed:
            editor.start()
            editor.join(timeout=1)
            waited.append(editor.is_alive())

    monkeypatch.setattr(events, "announce", edit_while_signing_off)
    review_debrief(debrief=debrief, by=supervisor, comments="Thank you.")
    editor.join(timeout=30)

    assert waited == [True], "the edit should wait for the sign-off's lock"

    assert outcome == ["refused"]
    debrief.refresh_from_db()
    assert debrief.reviewed
    assert debrief.how_it_went != "Edited while it was being signed off."


def test_a_tampered_version_is_refused_with_a_message_not_an_error(client, group, coordinator):
    RiskFactory(assessment=RiskAssessmentFactory(group=group))
    assessment = RiskAssessment.objects.get(group=group)
    url = reverse("groups:risk_assessment", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(url, _risk_assessment_data("Changed", "not-a-number", assessment))

    assert response.status_code == 200
    assert "Nothing has been saved yet" in response.content.decode()
    assert RiskAssessment.objects.get(pk=assessment.pk).version == 1


# SQLite, as `make run` uses it ----------------------------------------------------------------------

SQLITE_SETTINGS = """
import json, django
django.setup()
from django.db import connection
from django.forms import model_to_dict
with connection.cursor() as cursor:
    values = {}
    for pragma in ("journal_mode", "busy_timeout", "synchronous"):
        cursor.execute(f"PRAGMA {pragma}")
        values[pragma] = cursor.fetchone()[0]
values["transaction_mode"] = connection.transaction_mode
print(json.dumps(values))
"""

# Each worker reads and then writes in one transaction, over and over for two seconds, both
# starting at the same moment: the pattern that fails with "database is locked" within a second
# when SQLite is left to its defaults (checked by hand: it does, every time).
SQLITE_WORKER = """
import sys, time, django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS tally (worker TEXT)")
name, start, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0, start - time.time()))
written = 0
while time.time() < start + seconds:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tally")
        cursor.execute("INSERT INTO tally (worker) VALUES (%s)", [name])
    written += 1
print(written)
"""


def _sqlite_env(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "groups_site.settings",
    }


def test_the_sqlite_database_is_set_up_for_more_than_one_worker(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SETTINGS], cwd=ROOT, env=_sqlite_env(tmp_path), capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"journal_mode": "wal", "busy_timeout": 20000, "synchronous": 1, "transaction_mode": "IMMEDIATE"}'
    )


def test_two_workers_writing_to_sqlite_at_once_never_find_it_locked(tmp_path):
    env = _sqlite_env(tmp_path)
    subprocess.run([sys.executable, "-c", SQLITE_WORKER, "setup", "0", "0"], cwd=ROOT, env=env, check=True)
    # Far enough ahead for both to have started Django.
    start = str(time.time() + 3)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SQLITE_WORKER, name, start, "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], [stderr for _, stderr in outputs]
    written = {name: int(stdout) for name, (stdout, _) in zip(("first", "second"), outputs, strict=True)}
    assert min(written.values()) > 100
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        assert dict(database.execute("SELECT worker, COUNT(*) FROM tally GROUP BY worker")) == written


def test_only_a_coordinator_may_save_a_plan_document_whoever_calls_the_service(db, group, facilitator):
    strategy = ExitStrategyFactory(group=group)
    form = ExitStrategyForm(_exit_strategy_data("Not theirs", 1), instance=ExitStrategy.objects.get(pk=strategy.pk))
    assert form.is_valid()

    with pytest.raises(PermissionDenied):
        save_plan_document(form=form, expected_version=1, by=facilitator)

    assert ExitStrategy.objects.get(pk=strategy.pk).version == 1


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
