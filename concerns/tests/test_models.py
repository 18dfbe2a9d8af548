"""A concern's and a complaints-log entry's own rules: what must be said, dates that make sense,
and no members' names in text the supervisor reads."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concerns.models import Complaint, Concern
from concerns.names import member_names_in

from .conftest import days_ago

pytestmark = pytest.mark.django_db

Kind = Concern.Kind


def concern(scene, **fields) -> Concern:
    values = {
        "group": scene.group,
        "kind": Kind.SAFEGUARDING,
        "session": scene.session,
        "happened_on": scene.session.date,
        "what_was_done": "Followed the safeguarding policy.",
        "who_was_told": "The safeguarding lead",
        "told_at": timezone.now(),
    }
    values.update(fields)
    return Concern(**values)


def errors_of(record) -> dict:
    with pytest.raises(ValidationError) as refusal:
        record.full_clean()
    return refusal.value.message_dict


def test_a_well_formed_concern_passes(scene):
    concern(scene).full_clean()
    concern(scene, kind=Kind.DISTRESS, who_was_told="", told_at=None).full_clean()


@pytest.mark.parametrize("kind", Concern.ESCALATING_KINDS)
def test_a_safeguarding_concern_or_risk_to_life_says_who_was_told(scene, kind):
    assert set(errors_of(concern(scene, kind=kind, who_was_told="", told_at=None))) == {"who_was_told"}


def test_who_was_told_and_when_go_together(scene):
    assert set(errors_of(concern(scene, told_at=None))) == {"told_at"}
    assert set(errors_of(concern(scene, kind=Kind.DISTRESS, who_was_told=""))) == {"who_was_told"}


def test_a_concern_in_a_session_names_it_and_one_between_sessions_does_not(scene):
    assert set(errors_of(concern(scene, session=None))) == {"session"}
    between = concern(scene, where=Concern.Where.ONLINE_SPACE)
    assert set(errors_of(between)) == {"session"}
    concern(scene, where=Concern.Where.ONLINE_SPACE, session=None, happened_on=days_ago(1)).full_clean()


def test_dates_come_in_order_and_never_from_the_future(scene):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert "happened_on" in errors_of(concern(scene, session=None, where=Concern.Where.ELSEWHERE, happened_on=tomorrow))
    assert "told_at" in errors_of(concern(scene, told_at=timezone.now() + datetime.timedelta(hours=2)))
    assert "told_at" in errors_of(concern(scene, told_at=timezone.now() - datetime.timedelta(days=30)))
    early = concern(scene, outcome="Done.", closed_on=scene.session.date - datetime.timedelta(days=1))
    assert set(early.closing_errors()) == {"closed_on"}


def test_text_the_supervisor_reads_never_names_a_member(scene):
    refused = errors_of(concern(scene, what_was_done="Sat with sky in the quiet room.", outcome=""))
    assert set(refused) == {"what_was_done"}
    assert "\u201csky\u201d" in refused["what_was_done"][0]
    assert "supervisor" in refused["what_was_done"][0]
    closing = concern(scene, outcome="Robin is safe now.", closed_on=timezone.localdate())
    assert set(closing.closing_errors()) == {"outcome"}


def test_names_are_found_as_whole_words_only(scene):
    assert member_names_in("Skye and Robins came; the sky was clear, Robin", scene.group) == ["sky", "Robin"]
    assert member_names_in("Two members talked over others.", scene.group) == []


def test_a_complaint_never_names_a_member(scene):
    entry = Complaint(
        group=scene.group,
        kind=Complaint.Kind.ARGUMENT,
        happened_on=timezone.localdate(),
        summary="Sky and Robin argued about the break.",
        handling="Spoke with both members afterwards.",
    )
    assert set(errors_of(entry)) == {"summary"}
    entry.summary = "Two members argued about the break."
    entry.full_clean()
