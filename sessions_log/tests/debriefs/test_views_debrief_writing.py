"""Writing a debrief, and its locking once reviewed."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from sessions_log.models import Debrief, DebriefNote, GroupSession
from sessions_log.tests.debriefs.helpers import SECRET, debrief_data, debrief_url
from sessions_log.tests.factories import DebriefReviewFactory, GroupSessionFactory
from tests.access_matrix import messages_of, sign_in
from tests.error_summary import assert_every_link_finds_its_field, read_summary, summary_links

pytestmark = pytest.mark.django_db


# Writing a debrief -----------------------------------------------------------------------------


def test_a_facilitator_writes_their_debrief_for_a_session_they_ran(client, active_group, session, facilitator):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    response = sign_in(client, facilitator).post(url, debrief_data(how_it_went="Calm, two new members."))

    debrief = Debrief.objects.get()
    assert (debrief.author, debrief.session, debrief.how_it_went) == (facilitator, session, "Calm, two new members.")
    assert response.url == session.get_absolute_url()


def test_the_debrief_form_asks_for_no_details_of_self_harm_and_offers_large_wellbeing_buttons(
    client, active_group, session, facilitator
):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    page = sign_in(client, facilitator).get(url).content.decode()

    assert "Never write details of anyone&#x27;s self-harm" in page
    assert page.count('name="wellbeing"') == 5
    assert 'class="btn-check' in page


def test_editing_a_debrief_before_review_changes_it(client, scene, facilitator):
    url = debrief_url("debrief_write", scene, session_pk=scene.session.pk)
    sign_in(client, facilitator)

    form_page = client.get(url)
    response = client.post(url, debrief_data(how_it_went="On reflection, it went well."))

    assert form_page.context["form"].instance == scene.debrief
    assert response.status_code == 302
    assert Debrief.objects.get().how_it_went == "On reflection, it went well."


def test_a_debrief_with_mistakes_is_not_saved_and_keeps_what_was_typed(client, active_group, session, facilitator):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    response = sign_in(client, facilitator).post(
        url, debrief_data(anything_difficult="A hard evening for everyone.", how_it_went="", wellbeing="9")
    )

    assert response.status_code == 200
    assert not Debrief.objects.exists()
    assert set(response.context["form"].errors) == {"how_it_went", "wellbeing"}
    assert "A hard evening for everyone." in response.content.decode()


def test_the_debrief_forms_errors_are_summed_up_at_the_top_each_linked_to_its_field(
    client, active_group, session, facilitator
):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    response = sign_in(client, facilitator).post(url, debrief_data(how_it_went="", wellbeing=""))

    html = response.content.decode()
    heading, errors = read_summary(html)
    assert heading == "Nothing has been saved yet"
    # In the order of the form; a group of radio buttons is reached by its first button.
    assert errors == [
        ("#id_how_it_went", "How did the session go? This field is required."),
        ("#id_wellbeing_0", "How are you feeling after the session? This field is required."),
    ]
    assert_every_link_finds_its_field(html)
    # Beside each field, the same words.
    form = response.context["form"]
    for name in ("how_it_went", "wellbeing"):
        assert escape(form.errors[name][0]) in html
    # The summary says it all: no second message at the top of the page.
    assert messages_of(response) == []


def test_a_refusal_about_the_whole_debrief_is_in_the_summary_once(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief)

    response = sign_in(client, facilitator).post(
        debrief_url("debrief_write", scene, session_pk=scene.session.pk), debrief_data()
    )

    html = response.content.decode()
    refusal = "This debrief has been reviewed and is locked. Add a note instead."
    assert summary_links(html) == [("", refusal)]
    assert html.count(refusal) == 1


def test_the_same_words_say_who_reads_a_debrief_before_writing_and_after_saving(
    client, active_group, session, facilitator, supervisor
):
    readers = (
        f"Only you, the group's supervisor ({supervisor}) and the organisation's administrators can read "
        "your debrief. The rest of the team sees only that you wrote one, and when."
    )
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})
    sign_in(client, facilitator)

    assert readers in client.get(url).content.decode()
    saved = client.post(url, debrief_data(), follow=True)
    assert saved.redirect_chain[-1][0] == session.get_absolute_url()
    assert readers in saved.content.decode()
    debrief_page = client.get(
        reverse("sessions_log:debrief", kwargs={"pk": active_group.pk, "debrief_pk": Debrief.objects.get().pk})
    )
    assert readers in debrief_page.content.decode()


def test_the_supervisor_and_the_session_page_are_told_who_reads_a_debrief(
    client, scene, facilitator, supervisor, coordinator
):
    debrief_page = sign_in(client, supervisor).get(debrief_url("debrief", scene, debrief_pk=scene.debrief.pk))
    assert (
        f"Only {facilitator}, the group's supervisor ({supervisor}) and the organisation's administrators "
        f"can read this debrief. The rest of the team sees only that {facilitator} wrote one, and when."
    ) in debrief_page.content.decode()

    session_page = sign_in(client, coordinator).get(
        reverse("sessions_log:session", kwargs={"pk": scene.group.pk, "session_pk": scene.session.pk})
    )
    assert (
        f"Only its author, the group's supervisor ({supervisor}) and the organisation's administrators "
        "can read a debrief. The rest of the team sees only that the author wrote one, and when."
    ) in session_page.content.decode()


def test_a_facilitator_who_was_not_at_the_session_cannot_debrief_it(client, active_group, co_facilitator):
    session = GroupSessionFactory(group=active_group, facilitators_present=[])
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    sign_in(client, co_facilitator)

    assert client.get(url).status_code == 403
    assert client.post(url, debrief_data()).status_code == 403
    assert not Debrief.objects.exists()


def test_a_session_that_did_not_run_cannot_be_debriefed(client, active_group, facilitator):
    session = GroupSessionFactory(
        group=active_group,
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
        facilitators_present=[facilitator],
    )
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    assert sign_in(client, facilitator).get(url).status_code == 403


def test_a_session_of_another_group_is_not_found(client, active_group, facilitator):
    foreign = GroupSessionFactory(facilitators_present=[facilitator])
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": foreign.pk})

    assert sign_in(client, facilitator).get(url).status_code == 404


# Locking after review --------------------------------------------------------------------------


def test_a_reviewed_debrief_is_shown_read_only_with_a_way_to_add_a_note(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief, comments="Thank you for staying with her.")

    response = sign_in(client, facilitator).get(debrief_url("debrief_write", scene, session_pk=scene.session.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "This debrief is locked" in page
    assert SECRET in page
    assert 'name="how_it_went"' not in page
    assert debrief_url("debrief", scene, debrief_pk=scene.debrief.pk) + "#add-note" in page


def test_a_reviewed_debrief_cannot_be_edited_but_keeps_what_was_typed(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief)

    response = sign_in(client, facilitator).post(
        debrief_url("debrief_write", scene, session_pk=scene.session.pk),
        debrief_data(how_it_went="Trying to change it afterwards."),
    )

    assert response.status_code == 200
    assert "locked" in " ".join(response.context["form"].non_field_errors())
    assert "Trying to change it afterwards." in response.content.decode()
    assert Debrief.objects.get().how_it_went == SECRET


def test_after_review_a_note_is_appended_and_the_debrief_is_unchanged(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief)

    response = sign_in(client, facilitator).post(
        debrief_url("debrief_note", scene, debrief_pk=scene.debrief.pk), {"text": "Spoke to Sam; I am fine now."}
    )

    assert response.status_code == 302
    assert list(DebriefNote.objects.values_list("author", "text")) == [(facilitator.pk, "Spoke to Sam; I am fine now.")]
    assert Debrief.objects.get().how_it_went == SECRET
    assert "Spoke to Sam; I am fine now." in client.get(response.url).content.decode()


def test_an_empty_note_is_refused_on_the_debrief_page(client, scene, facilitator):
    response = sign_in(client, facilitator).post(
        debrief_url("debrief_note", scene, debrief_pk=scene.debrief.pk), {"text": ""}
    )

    assert response.status_code == 200
    assert "text" in response.context["note_form"].errors
    assert not DebriefNote.objects.exists()
