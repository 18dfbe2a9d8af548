"""Erasure on request, and a member's name in notes others wrote."""

import re

import pytest
from django.contrib import messages
from django.urls import reverse

from audit.models import AccessEvent
from sessions_log import erasure
from sessions_log.models import DebriefNote, FollowUp, Lesson, Member
from sessions_log.subject_access import MemberNames, find_mentions
from sessions_log.tests.factories import FollowUpFactory, LessonFactory, MemberFactory
from sessions_log.tests.member_record.helpers import erase_data, url
from sessions_log.tests.records import history_rows_referencing, register_counts, snapshot
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


# Erasure on request --------------------------------------------------------------------------


def test_erasing_a_member_removes_them_and_keeps_the_sessions_numbers(client, things, coordinator):
    before = register_counts(things.group)

    response = sign_in(client, coordinator).post(url("member_erase", things), erase_data(things))

    assert response.status_code == 302
    assert response.url == reverse("sessions_log:members", kwargs={"pk": things.group.pk})
    [(level, text)] = messages_of(response)
    assert level == messages.SUCCESS
    assert "3 attendance marks and 2 follow-ups" in text
    assert "Robin" not in text
    assert not Member.objects.filter(pk=things.robin.pk).exists()
    assert history_rows_referencing(things.robin.pk) == {}
    assert register_counts(things.group) == before
    event = AccessEvent.objects.get(action=AccessEvent.Action.ERASED_MEMBER)
    assert (event.user, event.object_id, event.detail) == (coordinator, things.robin.pk, "Asked in writing on 3 March.")


def test_the_erasure_page_says_what_will_go(client, things, coordinator):
    response = sign_in(client, coordinator).get(url("member_erase", things))

    html = response.content.decode()
    assert "their 3 attendance marks and 2 follow-ups" in html
    assert 'name="reason"' in html
    assert 'name="confirm_name"' in html


# Their name in notes others wrote --------------------------------------------------------------


def _lesson_naming_robin(things):
    """The fixture's lesson, edited once since, so its history holds two versions naming Robin."""
    lesson = Lesson.objects.get(group=things.group, what_worked__contains="Robin")
    lesson.what_to_change = "Ask Robin to help plan the next one."
    lesson.save()
    return lesson


def _texts_ever_written(things, *, debriefs=True) -> str:
    """Every version of every lesson and debrief note of the group, and of notes on follow-ups
    other than Robin's own (which erasure deletes), read from the history tables by id alone."""
    lesson_ids = Lesson.history.filter(group_id=things.group.pk).values("id")
    texts = []
    for lesson in Lesson.history.filter(id__in=lesson_ids):
        texts += [lesson.what_worked, lesson.what_to_change, lesson.action]
    if debriefs:
        texts += DebriefNote.history.filter(debrief_id=things.debrief.pk).values_list("text", flat=True)
    member_ids = Member.history.filter(group_id=things.group.pk).exclude(id=things.robin.pk).values("id")
    texts += FollowUp.history.filter(member_id__in=member_ids).values_list("note", flat=True)
    return "\n".join(texts)


def _marked(name) -> str:
    return f'<mark>{name}<span class="visually-hidden"> (their name)</span></mark>'


def _names_robin(text) -> bool:
    return re.search(r"(?<!\w)robin(?!\w)", text, re.IGNORECASE) is not None


def _mention_keys(response) -> list[str]:
    return [item["mention"].key for item in response.context["mentions"]]


def _erase(client, things, keys):
    return client.post(url("member_erase", things), {**erase_data(things), "remove_name_from": keys})


def test_the_erasure_page_shows_each_note_that_names_them_with_only_their_name_marked(client, things, coordinator):
    response = sign_in(client, coordinator).get(url("member_erase", things))

    html = response.content.decode()
    assert "Notes that name them (1)" in html
    assert f"{_marked('Robin')} and [another member] led the check-in together." in html
    # Debrief material is never shown to coordinators: only that it names them.
    assert "great help" not in html
    assert "Debrief material of this group names them." in html
    assert "Sky" not in html
    # Their own follow-up's note goes with the follow-up; it is not a mention.
    assert "will come back" not in html
    assert html.count('name="remove_name_from"') == html.count(" checked>") == 1
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEWED_MEMBER)
    assert (event.user, event.object_id) == (coordinator, things.robin.pk)
    assert event.detail == "Notes naming them, before erasure"


def test_erasing_takes_their_name_out_of_the_ticked_notes_and_every_earlier_version(client, things, coordinator):
    lesson = _lesson_naming_robin(things)
    skys = FollowUpFactory(member=things.sky, session=things.sessions[2], note="Robin passed on the message.")
    elsewhere = LessonFactory(what_worked="Robin from the other group came.")
    LessonFactory(group=things.group, what_worked="Robinson's book helped.", what_to_change="")
    sign_in(client, coordinator)
    keys = _mention_keys(client.get(url("member_erase", things)))
    assert len(keys) == 3 and _names_robin(_texts_ever_written(things))

    response = _erase(client, things, keys)

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.what_worked == "[a former member] and Sky led the check-in together."
    assert lesson.what_to_change == "Ask [a former member] to help plan the next one."
    # Debrief material is never the coordinator's to change (and "ROBIN" is not the name as recorded).
    assert DebriefNote.objects.get(debrief=things.debrief).text == "Sky said ROBIN had been a great help."
    skys.refresh_from_db()
    assert skys.note == "[a former member] passed on the message."
    everything = _texts_ever_written(things, debriefs=False)
    assert not _names_robin(everything)
    assert "Robinson's book helped." in everything  # a longer word is not their name
    elsewhere.refresh_from_db()
    assert elsewhere.what_worked == "Robin from the other group came."  # another group's notes are not theirs
    newest = lesson.history.latest("history_date", "history_id")
    assert (newest.history_user, newest.history_change_reason) == (coordinator, "An erased member's name taken out")
    assert lesson.history.count() == 3  # created, edited, and one save for both its parts
    [(_, text)] = messages_of(response)
    assert "Their name was taken out of 2 notes, and out of every earlier version." in text


def test_unticked_notes_are_left_as_written(client, things, coordinator):
    lesson = _lesson_naming_robin(things)
    sign_in(client, coordinator)
    skys = FollowUpFactory(member=things.sky, session=things.sessions[2], note="Robin passed on the message.")
    keys = _mention_keys(client.get(url("member_erase", things)))
    [note_key] = [key for key in keys if key.startswith("followup-")]

    response = _erase(client, things, [note_key])

    assert response.status_code == 302
    skys.refresh_from_db()
    assert skys.note == "[a former member] passed on the message."
    lesson.refresh_from_db()
    assert lesson.what_worked == "Robin and Sky led the check-in together."
    assert all("Robin" in version.what_to_change for version in lesson.history.all() if version.what_to_change)
    [(_, text)] = messages_of(response)
    assert "taken out of 1 note," in text


def test_with_nothing_ticked_no_note_changes(client, things, coordinator):
    _lesson_naming_robin(things)
    before = _texts_ever_written(things)

    response = sign_in(client, coordinator).post(url("member_erase", things), erase_data(things))

    assert response.status_code == 302
    assert not Member.objects.filter(pk=things.robin.pk).exists()
    assert _texts_ever_written(things) == before
    [(_, text)] = messages_of(response)
    assert "taken out of" not in text


def test_another_members_longer_name_is_never_taken_for_theirs(client, things, coordinator):
    jo = MemberFactory(group=things.group, display_name="Jo")
    MemberFactory(group=things.group, display_name="Jo Ann")
    lesson = LessonFactory(group=things.group, what_worked="Jo Ann and Jo came early.", what_to_change="")
    sign_in(client, coordinator)

    page = client.get(url("member_erase", things, member=jo))
    assert f"[another member] and {_marked('Jo')} came early." in page.content.decode()
    client.post(
        url("member_erase", things, member=jo),
        {"reason": "Asked.", "confirm_name": "Jo", "remove_name_from": _mention_keys(page)},
    )

    lesson.refresh_from_db()
    assert lesson.what_worked == "Jo Ann and [a former member] came early."


def test_names_they_were_recorded_under_before_are_found_too(client, things, coordinator):
    things.robin.display_name = "Robbie"
    things.robin.save()

    response = sign_in(client, coordinator).get(url("member_erase", things))

    assert f"{_marked('Robin')} and [another member] led the check-in together." in response.content.decode()


def test_a_name_they_were_recorded_under_before_is_kept_out_of_the_access_log_too(client, things, coordinator):
    things.robin.display_name = "Robbie"
    things.robin.save()

    sign_in(client, coordinator).post(
        url("member_erase", things), {"reason": "ROBIN asked in writing; Robbie confirmed.", "confirm_name": "Robbie"}
    )

    event = AccessEvent.objects.get(action=AccessEvent.Action.ERASED_MEMBER)
    assert event.detail == "[the member] asked in writing; [the member] confirmed."


def test_the_change_history_gives_the_reason_only_where_its_reader_may_see_the_change(
    client, things, coordinator, supervisor
):
    FollowUpFactory(member=things.sky, session=things.sessions[2], note="Robin passed on the message.")
    sign_in(client, coordinator)
    _erase(client, things, _mention_keys(client.get(url("member_erase", things))))

    html = sign_in(client, supervisor).get(reverse("audit:group_history", kwargs={"pk": things.group.pk})).content
    # The lesson says why; notes on follow-ups are not the supervisor's to read.
    assert html.decode().count("an erased member&#x27;s name taken out") == 1


def test_notes_using_a_name_another_member_had_too_are_pointed_out_and_left_unticked(client, things, coordinator):
    other_robin = MemberFactory(group=things.group, display_name="Robyn")
    other_robin.display_name = "robin"  # only in their history now: still the same name
    other_robin.save()
    other_robin.display_name = "Robyn"
    other_robin.save()

    response = sign_in(client, coordinator).get(url("member_erase", things))

    html = response.content.decode()
    assert "Another member of this group has been recorded under the same name as them" in html
    assert [item["ticked"] for item in response.context["mentions"]] == [False]
    assert html.count("Another member has been recorded under this name too") == 1


def test_a_name_written_with_the_other_apostrophe_is_still_theirs_and_counts_as_shared():
    names = MemberNames(own=["O'Brien"], others=["O\u2019Brien", "Sky"])

    assert names.shared == ["O\u2019Brien"]
    assert names.named_in("O\u2019brien came") and names.shared_name_in("O\u2019brien came")
    assert names.redacted("O'Brien and Sky came") == "O'Brien and [another member] came"


def test_a_refused_erasure_keeps_which_notes_were_ticked(client, things, coordinator):
    _lesson_naming_robin(things)
    sign_in(client, coordinator)
    keys = _mention_keys(client.get(url("member_erase", things)))

    response = client.post(
        url("member_erase", things), {"reason": "Asked.", "confirm_name": "Robyn", "remove_name_from": keys[:1]}
    )

    assert response.status_code == 200
    assert [item["ticked"] for item in response.context["mentions"]] == [True, False]
    assert Member.objects.filter(pk=things.robin.pk).exists()


def test_a_note_that_was_not_on_the_page_cannot_be_ticked(client, things, coordinator):
    sign_in(client, coordinator)
    before = snapshot()

    response = client.post(
        url("member_erase", things), {**erase_data(things), "remove_name_from": ["lesson-999999-what_worked"]}
    )

    assert response.status_code == 200
    assert "A note changed after this page was shown" in " ".join(response.context["form"].errors["remove_name_from"])
    assert 'id="remove-name-from-errors"' in response.content.decode()
    assert Member.objects.filter(pk=things.robin.pk).exists()
    after = snapshot()
    after.pop("audit.AccessEvent"), before.pop("audit.AccessEvent")  # the notes shown again
    assert after == before


def test_a_part_that_would_grow_too_long_is_refused_beside_the_list_and_nothing_changes(client, things, coordinator):
    lesson = LessonFactory(group=things.group, what_worked="", what_to_change="", action="Robin " + "x" * 294)
    sign_in(client, coordinator)
    keys = _mention_keys(client.get(url("member_erase", things)))
    before = _texts_ever_written(things)

    response = _erase(client, things, keys)

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["remove_name_from"])
    assert "would make \u201cLesson learnt: action agreed\u201d longer than its 300 characters" in errors
    assert Member.objects.filter(pk=things.robin.pk).exists()
    assert _texts_ever_written(things) == before
    lesson.refresh_from_db()
    assert lesson.action.startswith("Robin ")
    # Unticked, the erasure goes through and the lesson is left as it is.
    response = _erase(client, things, [key for key in keys if key != f"lesson-{lesson.pk}-action"])
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.action.startswith("Robin ")


def test_with_no_note_naming_them_the_page_says_so_and_offers_no_boxes(client, things, coordinator):
    quiet = MemberFactory(group=things.group, display_name="Quillonelle")

    response = sign_in(client, coordinator).get(url("member_erase", things, member=quiet))

    assert (
        "No lessons learnt or notes on other members' follow-ups use their name as it was recorded."
        in response.content.decode()
    )
    assert "remove_name_from" not in response.context["form"].fields
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.VIEWED_MEMBER).exists()


def test_notes_keep_their_name_when_the_erasure_itself_fails(things, coordinator, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(erasure, "_erase_members", fail)
    keys = {mention.key for mention in find_mentions(things.robin)}
    before = _texts_ever_written(things)

    with pytest.raises(RuntimeError):
        erasure.erase_member(member=things.robin, reason="Asked.", by=coordinator, remove_name_from=keys)

    assert _texts_ever_written(things) == before
    assert len(keys) == 1 and _names_robin(before)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "Asked in writing.", "confirm_name": "robin"}, "confirm_name", "not the member's name"),
        ({"reason": "Asked in writing.", "confirm_name": "Sky"}, "confirm_name", "not the member's name"),
        ({"reason": "", "confirm_name": "Robin"}, "reason", "This field is required."),
        ({"reason": "x" * 301, "confirm_name": "Robin"}, "reason", "at most 300 characters"),
    ],
)
def test_an_unconfirmed_erasure_is_refused_beside_the_field_and_keeps_the_typing(
    client, things, coordinator, data, field, message
):
    sign_in(client, coordinator)
    before = snapshot()

    response = client.post(url("member_erase", things), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["reason"].value() == data["reason"]
    after = snapshot()
    events_before, events_after = before.pop("audit.AccessEvent"), after.pop("audit.AccessEvent")
    # The only new row: the notes naming Robin, shown again, are logged again.
    [event] = [row for row in events_after if row not in events_before]
    assert (event["action"], event["object_id"]) == (AccessEvent.Action.VIEWED_MEMBER, things.robin.pk)
    assert after == before


@pytest.mark.parametrize("name", ["member", "member_export", "member_erase"])
def test_a_name_with_markup_is_shown_escaped_on_every_page(client, things, coordinator, name):
    things.robin.display_name = "<b>Robin</b>"
    things.robin.save()

    html = sign_in(client, coordinator).get(url(name, things)).content.decode()

    assert "<b>Robin</b>" not in html
    assert "&lt;b&gt;Robin&lt;/b&gt;" in html
