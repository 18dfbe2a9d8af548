"""Facilitators' debriefs and their supervisor's review.

A debrief is the most private record in the app: its content is shown only to its author, the
group's supervisor and superusers (sessions_log.permissions.can_read_debrief). Everyone else on
the team gets a 403 here, and people outside the group a 404.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.models import AccessEvent
from audit.services import record_access
from groups.models import SupportGroup
from groups.permissions import group_view
from groups_site.links import row_links
from groups_site.pagination import page_counted_in_its_query
from groups_site.refusals import show_refusal

from ..forms import DebriefForm, DebriefNoteForm, DebriefReviewForm
from ..models import Debrief
from ..models.reflection import NO_SELF_HARM_DETAILS
from ..permissions import can_add_debrief_note, can_read_debrief, can_review_debrief, can_write_debrief
from ..redaction import names_hidden_from
from ..services import add_debrief_note, review_debrief, save_debrief

DEBRIEFS_PER_PAGE = 25

# Helpers ---------------------------------------------------------------------------------------


def with_links(debriefs) -> list:
    """The debriefs, each with its address (`url`), from one reverse() for them all."""
    link = row_links("sessions_log:debrief", "pk", "debrief_pk")
    for debrief in debriefs:
        debrief.url = link(debrief.session.group_id, debrief.pk)
    return debriefs


def review_or_none(debrief):
    """The debrief's review, or None while it awaits one (or has not been saved yet)."""
    if debrief.pk is None:
        return None
    try:
        return debrief.review
    except ObjectDoesNotExist:
        return None


def _session_of(group, session_pk):
    sessions = group.sessions.prefetch_related("facilitators_present")
    return get_object_or_404(sessions, pk=session_pk)


def _debrief_of(group, debrief_pk):
    """The debrief, if it belongs to this group (404 otherwise)."""
    debriefs = (
        Debrief.objects.filter(session__group=group)
        .select_related("author", "session", "review__reviewer")
        .prefetch_related("session__facilitators_present")
    )
    debrief = get_object_or_404(debriefs, pk=debrief_pk)
    # The session's group is this group: reuse it so permission checks read its prefetched roles.
    debrief.session.group = group
    return debrief


def _detail(request, group, debrief, *, review_form=None, note_form=None):
    can_review = not debrief.is_locked and can_review_debrief(request.user, debrief, group)
    session = debrief.session
    context = {
        "group": group,
        "session": session,
        "debrief": debrief,
        "review": review_or_none(debrief),
        "flags": debrief.flags,
        "review_overdue": not debrief.is_locked and debrief.is_review_overdue,
        "notes": debrief.notes.select_related("author"),
        "is_author": debrief.author_id == request.user.pk,
        "can_edit": not debrief.is_locked
        and debrief.author_id == request.user.pk
        and can_write_debrief(request.user, session, group),
        "can_review": can_review,
        "review_form": (review_form or DebriefReviewForm()) if can_review else None,
        # Shown to everyone who may read the debrief: can_add_debrief_note is the same question.
        "note_form": note_form or DebriefNoteForm(),
        "no_self_harm_details": NO_SELF_HARM_DETAILS,
        # Members' names are not the supervisor's to read, even in a debrief (issue 13, item 10).
        "hidden_names": names_hidden_from(request.user, group),
    }
    return render(request, "sessions_log/debrief_detail.html", context)


# Pages -----------------------------------------------------------------------------------------


@group_view(can_write_debrief, record=_session_of)
def debrief_write(request, group, session):
    """The signed-in facilitator's own debrief for a session: written, edited, or shown locked
    once their supervisor has reviewed it."""
    own = Debrief.objects.filter(session=session, author=request.user).select_related("review")
    debrief = own.first() or Debrief(session=session, author=request.user)
    context = {
        "group": group,
        "session": session,
        "no_self_harm_details": NO_SELF_HARM_DETAILS,
        "concerns_raised": session.concerns.count(),
        "hidden_names": names_hidden_from(request.user, group),
    }

    if request.method == "POST":
        form = DebriefForm(request.POST, instance=debrief)
        if form.is_valid():
            try:
                debrief = save_debrief(debrief=form.instance, by=request.user)
            except ValidationError as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, "Your debrief has been saved. Your supervisor will read and review it.")
                # Back to the session, where the steps after the meeting show it done.
                return redirect(session)
        # Keep what they typed. Their supervisor may have reviewed the debrief since the page was opened.
        if debrief.pk:
            debrief = Debrief.objects.select_related("review").get(pk=debrief.pk)
        return render(
            request,
            "sessions_log/debrief_form.html",
            {**context, "form": form, "debrief": debrief, "locked": debrief.is_locked},
        )

    if debrief.is_locked:
        return render(
            request,
            "sessions_log/debrief_form.html",
            {**context, "debrief": debrief, "review": review_or_none(debrief), "locked": True, "flags": debrief.flags},
        )
    form = DebriefForm(instance=debrief)
    return render(request, "sessions_log/debrief_form.html", {**context, "form": form, "debrief": debrief})


@group_view(can_read_debrief, record=_debrief_of)
def debrief_detail(request, group, debrief):
    record_access(user=request.user, action=AccessEvent.Action.VIEWED_DEBRIEF, obj=debrief, group=group)
    return _detail(request, group, debrief)


@require_POST
@group_view(write=can_review_debrief, record=_debrief_of)
def debrief_review(request, group, debrief):
    form = DebriefReviewForm(request.POST)
    if form.is_valid():
        try:
            review_debrief(
                debrief=debrief,
                by=request.user,
                comments=form.cleaned_data["comments"],
                agreed_actions=form.cleaned_data["agreed_actions"],
            )
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The debrief has been reviewed. It is now locked; later thoughts go in notes.")
            return redirect("sessions_log:debrief", pk=group.pk, debrief_pk=debrief.pk)
    # A refusal may mean someone else reviewed it meanwhile: show the page as it now stands.
    debrief = _debrief_of(group, debrief.pk)
    if review_or_none(debrief) is not None:
        # The page no longer has the review form, nor its error summary: say why here.
        messages.error(request, " ".join(["The review has not been saved.", *form.non_field_errors()]))
    return _detail(request, group, debrief, review_form=form)


@require_POST
@group_view(write=can_add_debrief_note, record=_debrief_of)
def debrief_note(request, group, debrief):
    form = DebriefNoteForm(request.POST)
    if form.is_valid():
        try:
            add_debrief_note(debrief=debrief, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "Your note has been added.")
            return redirect("sessions_log:debrief", pk=group.pk, debrief_pk=debrief.pk)
    return _detail(request, group, debrief, note_form=form)


def review_queue(request):
    """Debriefs waiting for the signed-in supervisor, those needing attention first, a page at a
    time: an administrator's queue holds every group's."""
    user = request.user
    group_ids = None if user.is_superuser else list(SupportGroup.objects.reviewed_by(user).values_list("pk", flat=True))
    waiting = Debrief.objects.awaiting_review_by(user, group_ids=group_ids).with_waiting_counts()
    page = page_counted_in_its_query(
        waiting, DEBRIEFS_PER_PAGE, request.GET.get("page"), count_attribute="waiting_total"
    )
    debriefs = with_links(list(page))
    counts = {"total": page.paginator.count, "flagged": debriefs[0].waiting_flagged if debriefs else 0}
    supervises = bool(debriefs) or user.is_superuser or bool(group_ids)
    return render(
        request,
        "sessions_log/debrief_queue.html",
        {
            "debriefs": debriefs,
            "page": page,
            "counts": counts,
            "supervises": supervises,
            "review_due_days": Debrief.REVIEW_DUE_DAYS,
            "review_due_days_after_concern": Debrief.REVIEW_DUE_DAYS_AFTER_CONCERN,
        },
    )
