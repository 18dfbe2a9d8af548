"""Lessons learnt about running a group (LifeSIGNS LS-Q14): a log everyone on the team can read,
and a form for the people who run and coordinate the group."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from groups.permissions import group_view
from groups_site.refusals import show_refusal

from ..forms import LessonFilterForm, LessonForm
from ..models.reflection import NO_SELF_HARM_DETAILS
from ..permissions import can_record_lesson, can_view_sessions
from ..redaction import names_hidden_from, shown
from ..services import LessonAlreadyRecorded, record_lesson

LESSONS_PER_PAGE = 20


@group_view(can_view_sessions)
def lesson_log(request, group):
    lessons = group.lessons.select_related("session", "action_owner", "created_by")
    # Members' names are not the supervisor's to read, in lessons either (issue 13, item 10).
    hidden_names = names_hidden_from(request.user, group)
    filters = LessonFilterForm(request.GET)
    if filters.is_valid():
        if filters.cleaned_data["theme"]:
            lessons = lessons.filter(theme=filters.cleaned_data["theme"])
        if search := filters.cleaned_data["q"].strip():
            lessons = lessons.filter(
                Q(what_worked__icontains=search) | Q(what_to_change__icontains=search) | Q(action__icontains=search)
            )
            if hidden_names is not None:
                # Searched as they read it: a name they cannot see cannot find a lesson either.
                lessons = [lesson for lesson in lessons if _reads(lesson, search, hidden_names)]
    page = Paginator(lessons, LESSONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions_log/lesson_list.html",
        {
            "group": group,
            "filters": filters,
            "filtered": filters.is_valid() and any(filters.cleaned_data.values()),
            "page": page,
            "can_record_lesson": can_record_lesson(request.user, group),
            "hidden_names": hidden_names,
        },
    )


def _reads(lesson, search: str, hidden_names) -> bool:
    texts = (shown(text, hidden_names) for text in (lesson.what_worked, lesson.what_to_change, lesson.action))
    return any(search.casefold() in text.casefold() for text in texts)


def _where_the_lesson_is(lesson):
    """After saving, the thread goes on where the lesson shows: its session (with the steps after
    that meeting still to do), or else the lessons learnt."""
    return redirect(lesson.session) if lesson.session_id else redirect("sessions_log:lessons", pk=lesson.group_id)


def _session_asked_for(group, session_pk):
    """Opened from a session (?session=), the form starts with it, and Cancel goes back to it."""
    try:
        return group.sessions.held().get(pk=int(session_pk))
    except (TypeError, ValueError, ObjectDoesNotExist):
        return None


@group_view(can_record_lesson)
def lesson_create(request, group):
    from_session = _session_asked_for(group, request.GET.get("session"))
    initial = {"session": from_session, "theme": request.GET.get("theme")}
    form = LessonForm(request.POST or None, group=group, initial=initial)
    # Every session here is this group's: its date alone tells them apart, and fits a phone's width.
    form.fields["session"].label_from_instance = lambda session: f"{session.date:%-d %B %Y}"
    if request.method == "POST" and form.is_valid():
        try:
            lesson = record_lesson(lesson=form.instance, by=request.user)
        except LessonAlreadyRecorded as sent_again:
            messages.info(request, sent_again.message)
            return _where_the_lesson_is(sent_again.lesson)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The lesson has been recorded.")
            return _where_the_lesson_is(lesson)
    return render(
        request,
        "sessions_log/lesson_form.html",
        {"group": group, "form": form, "from_session": from_session, "no_self_harm_details": NO_SELF_HARM_DETAILS},
    )
