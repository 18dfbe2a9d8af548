"""Helpers shared by the second-reading tests (groups/tests/test_second_reading*.py)."""

from types import SimpleNamespace

from groups.models import ChecklistAnswer, SupportGroup

Status = ChecklistAnswer.Status
PROBE_RULES = (
    "No self-harm while you are a member of the group",
    "Anyone who self-harms will be asked to leave the group",
)
PROBE_NO_HARM_ANSWER = "Yes: every member signs a no-harm contract on joining"
REAL_ANSWER = "Two facilitators agree it at the planning meeting and read it out at the first session."


def reload(group):
    return SupportGroup.objects.with_plan().get(pk=group.pk)


def forged(group, item, **fields):
    """What a caller other than the page could hand save_checklist_section: a form that says it is
    valid, whatever it holds. The service must check the rules itself."""
    return SimpleNamespace(
        item=item,
        has_changed=lambda: True,
        cleaned_data={"opened_version": 0},
        save=lambda commit: ChecklistAnswer(group=group, item_key=item.key, **fields),
    )
