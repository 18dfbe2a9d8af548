"""A running group's sessions: what is coming up, what happened, and each session's register.
Each view checks access, calls a service, says what happened and redirects; a rule's refusal
is shown on the form with the person's typing kept."""

import datetime
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from concerns.permissions import can_raise_concern_now, can_view_concerns
from groups.models import SupportGroup
from groups.permissions import group_view
from groups_site.links import row_links
from groups_site.pagination import CountedPaginator
from groups_site.refusals import show_refusal
from reports.permissions import can_subscribe_to_calendar

from ..after_meeting import after_meeting
from ..forms import GroupSessionForm, RegisterForm
from ..models import Attendance, GroupSession, Member, attendance_percentage
from ..permissions import (
    can_log_session,
    can_read_debrief,
    can_record_lesson,
    can_record_meeting_not_run_now,
    can_record_session_now,
    can_view_members,
    can_view_sessions,
)
from ..redaction import names_hidden_from
from ..schedule import meeting_dates, upcoming_dates
from ..services import SessionAlreadyRecorded, record_session, save_register, session_refusal

CHART_SESSIONS = 12
SESSION_ROW_FIELDS = ("group_id", "date", "starts_at", "outcome", "not_run_reason", "register_taken_at")
SESSION_ROW_FIELDS += ("marked_count", "attended_count")
SESSIONS_PER_PAGE = 20
# How far back the session form looks for a meeting date that has not been recorded yet.
LOOK_BACK = datetime.timedelta(days=92)
# How far back the sessions page lists meeting dates nobody has recorded.
RECENT = datetime.timedelta(days=28)


def _is_running(group) -> bool:
    return session_refusal(group) is None


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


# The group's sessions page -----------------------------------------------------------------------

# Geometry of the attendance chart, in SVG user units: one horizontal bar per session.
CHART_WIDTH = 320
CHART_LABEL_WIDTH = 96
CHART_BAR_MAX = 150
CHART_ROW = 30
CHART_BAR = 18


def _attendance_chart(sessions, session_url) -> SimpleNamespace:
    """Bars for sessions oldest first: a pale track for those marked, a solid bar for those who came.
    Each session's date is written out here once, in the two ways the chart shows it."""
    scale = max((session.marked_count for session in sessions), default=0) or 1
    rows = []
    for index, session in enumerate(sessions):
        day = session.date
        top = index * CHART_ROW + 4
        attended_width = round(CHART_BAR_MAX * session.attended_count / scale)
        marked_width = round(CHART_BAR_MAX * session.marked_count / scale)
        rows.append(
            SimpleNamespace(
                session=session,
                url=session_url(session.pk),
                short_date=f"{day.day} {day:%b %Y}",
                long_date=f"{day.day} {day:%B %Y}",
                bar_y=top,
                text_y=top + CHART_BAR - 4,
                attended_width=attended_width,
                marked_width=marked_width,
                value_x=CHART_LABEL_WIDTH + max(marked_width, attended_width) + 6,
            )
        )
    return SimpleNamespace(
        rows=rows,
        width=CHART_WIDTH,
        height=len(rows) * CHART_ROW + 8,
        bars_x=CHART_LABEL_WIDTH,
        bar_height=CHART_BAR,
        label_x=CHART_LABEL_WIDTH - 6,
    )


def _recent_meeting_dates(group, today) -> list[datetime.date]:
    """Meeting dates from the last four weeks before today, since the group launched."""
    start = today - RECENT
    if group.launched_at:
        start = max(start, timezone.localdate(group.launched_at))
    return meeting_dates(group, start, today - datetime.timedelta(days=1))


@group_view(can_view_sessions)
def group_sessions(request, group):
    today = timezone.localdate()
    sessions = GroupSession.objects.filter(group=group)
    running = _is_running(group)
    upcoming, unrecorded = [], []
    if running or group.is_paused:
        # A paused group meets no more, but each meeting it would have had is still recorded,
        # with what members were offered instead.
        coming, recent = upcoming_dates(group, today) if running else [], _recent_meeting_dates(group, today)
        recorded = {session.date: session for session in sessions.filter(date__in=[*recent, *coming])}
        upcoming = [(day, recorded.get(day)) for day in coming]
        unrecorded = [day for day in recent if day not in recorded]

    totals = sessions.totals()
    # Only what the chart and the list show of each session.
    shown = sessions.only(*SESSION_ROW_FIELDS).newest_first()
    charted = list(shown.with_register()[:CHART_SESSIONS])
    page = CountedPaginator(shown, SESSIONS_PER_PAGE, count=totals["recorded"]).get_page(request.GET.get("page"))
    session_url = row_links("sessions_log:session", "session_pk", pk=group.pk)
    register_url = row_links("sessions_log:register", "session_pk", pk=group.pk)
    for session in page:
        session.url, session.register_url = session_url(session.pk), register_url(session.pk)

    show_members = can_view_members(request.user, group)
    members = []
    if show_members:
        # The totals are kept on each member (sessions_log.counters): nothing to count here.
        members = (
            Member.objects.active()
            .filter(group=group)
            .only("display_name", "sessions_attended", "sessions_marked", "last_attended_on")
        )
    return render(
        request,
        "sessions_log/groupsession_list.html",
        {
            "group": group,
            "today": today,
            "running": running,
            "upcoming": upcoming,
            "unrecorded": unrecorded,
            "page": page,
            "chart": _attendance_chart(charted[::-1], session_url),
            "totals": {**totals, "rate": attendance_percentage(totals["attended"], totals["marked"])},
            "members": members,
            "can_view_members": show_members,
            "can_log_session": can_log_session(request.user, group),
            "can_record_session": can_record_session_now(request.user, group),
            "can_record_meeting_not_run": can_record_meeting_not_run_now(request.user, group),
            "paused": group.is_paused,
            "can_subscribe_to_calendar": can_subscribe_to_calendar(request.user, group),
        },
    )


# Recording a session --------------------------------------------------------------------------


def _initial_date(request, group, today) -> datetime.date:
    """The date asked for in ?date=, or else the latest meeting date with nothing recorded yet."""
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        pass
    start = today - LOOK_BACK
    if group.launched_at:
        start = max(start, timezone.localdate(group.launched_at))
    due = meeting_dates(group, start, today)
    recorded = set(group.sessions.filter(date__in=due).values_list("date", flat=True))
    missing = [day for day in due if day not in recorded]
    return missing[-1] if missing else today


def _session_form_page(request, group, form, session=None):
    return render(
        request,
        "sessions_log/groupsession_form.html",
        {
            "group": group,
            "form": form,
            "session": session,
            # Whether anything can be recorded now: any session while active, only meetings that
            # did not run while paused (services.session_refusal).
            "can_record_here": session_refusal(group, held=False) is None,
            "paused": group.is_paused,
        },
    )


RUN_ALONE_WARNING = (
    "This session had fewer than two facilitators. The session's page says what the support plan asks "
    "then, and offers to record a lesson about cover."
)


def _save_session(request, group, form):
    """Record the session through the service; a refusal lands on the form. None when refused."""
    try:
        session = record_session(
            session=form.instance, facilitators=form.cleaned_data.get("facilitators_present", []), by=request.user
        )
    except SessionAlreadyRecorded as refusal:
        show_refusal(form, refusal)
        # Beside the refusal, under the date: the way to the session already recorded then.
        recorded = refusal.session
        # On the bound field: it took its help text from the field when the form was cleaned.
        form["date"].help_text = format_html(
            '<a href="{}">Open the session recorded on {} at {}</a>, or change the date or the start time.',
            recorded.get_absolute_url(),
            date_format(recorded.date, "j F Y"),
            recorded.starts_at.strftime("%H:%M"),
        )
        return None
    except ValidationError as refusal:
        show_refusal(form, refusal)
        return None
    if session.was_run_alone:
        messages.warning(request, RUN_ALONE_WARNING)
    return session


@group_view(can_log_session)
def session_create(request, group):
    today = timezone.localdate()
    initial = {
        "date": _initial_date(request, group, today) if request.method == "GET" else today,
        "starts_at": group.meeting_start,
        "ends_at": group.meeting_end,
        "format": GroupSession.Format.ONLINE
        if group.format == SupportGroup.Format.ONLINE
        else GroupSession.Format.IN_PERSON,
        "facilitators_present": [request.user.pk],
    }
    form = GroupSessionForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        session = _save_session(request, group, form)
        if session is not None:
            if session.was_held:
                messages.success(
                    request, f"The session on {session.date:%-d %B} has been recorded. Now take the register."
                )
                return redirect("sessions_log:register", pk=group.pk, session_pk=session.pk)
            messages.success(request, f"The session on {session.date:%-d %B} has been recorded as not run.")
            return redirect(session)
    return _session_form_page(request, group, form)


@group_view(can_log_session)
def session_edit(request, group, session_pk):
    session = get_object_or_404(group.sessions, pk=session_pk)
    form = GroupSessionForm(request.POST or None, instance=session, group=group)
    if request.method == "POST" and form.is_valid():
        if _save_session(request, group, form) is not None:
            messages.success(request, "The session's details have been saved.")
            return redirect(session)
    return _session_form_page(request, group, form, session)


# One session ----------------------------------------------------------------------------------


@group_view(can_view_sessions)
def session_detail(request, group, session_pk):
    session = get_object_or_404(
        group.sessions.with_register_counts().prefetch_related("facilitators_present"), pk=session_pk
    )
    counts = dict(session.attendance.values_list("status").annotate(count=Count("pk")).order_by())
    register_summary = [(label, counts.get(status, 0)) for status, label in Attendance.Status.choices]
    if session.erased_marked_count:
        # Marks of members erased since keep counting in the totals, so the summary must add up.
        register_summary.append(("Members since erased", session.erased_marked_count))

    show_members = can_view_members(request.user, group)
    marks = list(session.attendance.select_related("member")) if show_members else []

    # Who wrote a debrief and when; the content is never loaded here.
    debriefs = list(
        session.debriefs.select_related("author")
        .only("pk", "created_at", "session", "author__username", "author__first_name", "author__last_name")
        .order_by("created_at")
    )
    for debrief in debriefs:
        debrief.can_read = can_read_debrief(request.user, debrief, group)
    lessons = list(session.lessons.all())
    concerns = (
        list(session.concerns.select_related("member", "session")) if can_view_concerns(request.user, group) else []
    )
    return render(
        request,
        "sessions_log/groupsession_detail.html",
        {
            "group": group,
            "session": session,
            "register_summary": register_summary,
            "marks": marks,
            "lessons": lessons,
            "debriefs": debriefs,
            "wrote_a_debrief": any(debrief.author_id == request.user.pk for debrief in debriefs),
            "after_meeting": after_meeting(request.user, session, group, debriefs=debriefs, lessons=lessons),
            "can_view_members": show_members,
            "can_log_session": can_log_session(request.user, group),
            "can_record_session": can_record_session_now(request.user, group),
            "can_record_lesson": can_record_lesson(request.user, group),
            "concerns": concerns,
            "can_view_concerns": can_view_concerns(request.user, group),
            "can_raise_concern": session.was_held and can_raise_concern_now(request.user, group),
            "run_alone": session.was_run_alone,
            # What the plan says happens then, read only when it did.
            "support_plan": group.support_plan_or_none if session.was_run_alone else None,
            "hidden_names": names_hidden_from(request.user, group),
        },
    )


# The register ---------------------------------------------------------------------------------


def _register_members(session):
    """Everyone expected at the session, and anyone already marked in it (even if they have since
    left), each with their saved mark, in one query."""
    marked = Attendance.objects.filter(session=session)
    expected = Member.objects.on_register_for(session).values("pk")
    return list(
        Member.objects.filter(group_id=session.group_id)  # lets the database use the group index first
        .filter(Q(pk__in=expected) | Q(pk__in=marked.values("member_id")))
        .annotate(saved_mark=Subquery(marked.filter(member=OuterRef("pk")).values("status")[:1]))
    )


def _register_saved_message(session, marks, raised, withdrawn) -> str:
    """What the register's save did, in words; escaped HTML, as it links to the follow-ups raised."""
    came = sum(status in Attendance.ATTENDED for status in marks.values())
    parts = [f"The register for {session.date:%-d %B} has been saved: {came} of {len(marks)} attended."]
    if raised:
        parts.append(
            format_html(
                "{} raised for members who missed it: "
                '<a class="alert-link" href="{}">see them on the members page</a>.',
                _plural(raised, "follow-up"),
                reverse("sessions_log:members", args=[session.group_id]),
            )
        )
    else:
        parts.append("No new follow-ups.")
    if withdrawn:
        parts.append(f"{_plural(withdrawn, 'follow-up')} withdrawn, as the member was there after all.")
    return format_html_join(" ", "{}", ((part,) for part in parts))


def _opened_version(request, session) -> int:
    """The register's version the facilitator's page was opened at, carried through "Mark
    everyone present" (which saves nothing)."""
    try:
        return max(0, int(request.POST.get("opened_version", "")))
    except ValueError:
        return session.register_version


@group_view(can_log_session)
def register(request, group, session_pk):
    session = get_object_or_404(group.sessions, pk=session_pk)
    if not session.was_held:
        messages.info(request, "This session did not run, so it has no register.")
        return redirect(session)
    members = _register_members(session)
    saved = {member.pk: member.saved_mark for member in members if member.saved_mark}
    marked_all = False
    if request.method == "POST" and "mark_all" in request.POST:
        # Without JavaScript: show everyone as present, and save nothing until they press Save.
        form = RegisterForm(members=members, opened_version=_opened_version(request, session))
        marked_all = True
    elif request.method == "POST":
        form = RegisterForm(request.POST, members=members, initial_marks=saved, opened_version=session.register_version)
        if form.is_valid():
            try:
                changes = save_register(
                    session=session,
                    marks=form.marks(),
                    by=request.user,
                    expected_version=form.cleaned_data["opened_version"],
                )
            except ValidationError as refusal:
                show_refusal(form, refusal)
                if refusal.code == "changed_since_opened":
                    # Show both: their marks stay in the form, the saved ones beside them.
                    form.show_saved_meanwhile(saved, session.register_version)
            else:
                messages.success(
                    request, _register_saved_message(session, form.marks(), len(changes.raised), changes.withdrawn)
                )
                return redirect(session)
    else:
        form = RegisterForm(members=members, initial_marks=saved, opened_version=session.register_version)
    return render(
        request,
        "sessions_log/groupsession_register.html",
        {"group": group, "session": session, "form": form, "marked_all": marked_all},
    )
