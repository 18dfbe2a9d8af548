"""Two people at once editing the group's details or a checklist answer, and a debrief edit racing
its sign-off. The second editor is told, and nothing anyone saved is lost.
"""

import threading

from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import model_to_dict
from django.urls import reverse

from groups.checklist import items_in_section
from groups.forms import ExitStrategyForm, SupportGroupForm
from groups.models import ChecklistAnswer, ExitStrategy, RiskAssessment
from groups.services import GROUP_DETAILS_CHANGED, save_plan_document
from groups.tests.factories import ExitStrategyFactory, RiskAssessmentFactory, RiskFactory
from groups_site import events
from sessions_log.models import Debrief
from sessions_log.services import review_debrief, save_debrief
from sessions_log.tests.factories import DebriefFactory, GroupSessionFactory
from tests.access_matrix import sign_in
from tests.concurrent_edits import RACES_ON_ROW_LOCKS, _exit_strategy_data, _risk_assessment_data

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
