"""What a facilitator does after a meeting, in order: record the session, take the register,
record a lesson learnt if there is one, and write their own debrief.

The session page offers the steps that fall to the person looking, each still open as a "Next:"
link and each done as done, so that every save in the thread (the session, the register, a lesson
from it, the debrief) lands back on the session with the next step in view.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import reverse

from .permissions import can_record_lesson, can_record_session_now, can_write_debrief


@dataclass(frozen=True)
class Step:
    name: str
    done: bool
    # What the link says while the step is open, and the line that says it is done.
    next_label: str
    done_label: str
    url: str
    optional: bool = False
    # Where the line saying it is done links, if anywhere: the person's own debrief, to read.
    done_url: str = ""


def after_meeting(user, session, group, *, debriefs, lessons) -> SimpleNamespace:
    """The steps after a held session that fall to this person: the register, for a facilitator
    while the group runs; their own debrief, for a facilitator who was there; and, beside either,
    a lesson learnt, which is optional. None fall to anyone else, nor after a session that did not
    run. `debriefs` and `lessons` are the session's, as the page has them."""
    steps = []
    if session.was_held:
        takes_register = can_record_session_now(user, group)
        own_debrief = next((debrief for debrief in debriefs if debrief.author_id == user.pk), None)
        writes_debrief = own_debrief is not None or can_write_debrief(user, session, group)
        if takes_register:
            steps.append(
                Step(
                    name="register",
                    done=session.has_register,
                    next_label="Next: take the register",
                    done_label="Register taken",
                    url=reverse("sessions_log:register", args=[group.pk, session.pk]),
                )
            )
        if (takes_register or writes_debrief) and can_record_lesson(user, group):
            steps.append(
                Step(
                    name="lesson",
                    done=any(lesson.created_by_id == user.pk for lesson in lessons),
                    next_label="Next: record a lesson learnt (optional)",
                    done_label="You recorded a lesson learnt",
                    url=f"{reverse('sessions_log:lesson_create', args=[group.pk])}?session={session.pk}",
                    optional=True,
                )
            )
        if writes_debrief:
            steps.append(
                Step(
                    name="debrief",
                    done=own_debrief is not None,
                    next_label="Next: write your debrief",
                    done_label="Your debrief is written",
                    url=reverse("sessions_log:debrief_write", args=[group.pk, session.pk]),
                    done_url=reverse("sessions_log:debrief", args=[group.pk, own_debrief.pk]) if own_debrief else "",
                )
            )
    to_do = [step for step in steps if not step.done]
    needed = [step for step in to_do if not step.optional]
    return SimpleNamespace(
        steps=steps,
        to_do=to_do,
        done=[step for step in steps if step.done],
        # The step the page makes its main button: the first one still needed.
        main=needed[0] if needed else None,
        all_done=bool(steps) and not needed,
    )
