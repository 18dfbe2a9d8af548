"""A group's concerns and its complaints log. Each view checks access, calls a service, says what
happened and redirects; a rule's refusal is shown on the form with the person's typing kept.
Opening a concern is recorded in the access log: the fact, never the content."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import AccessEvent
from audit.services import record_access
from groups.checklist import CHECKLIST_BY_KEY
from groups.permissions import group_view
from groups_site.refusals import show_refusal
from sessions_log.models import Debrief, GroupSession

from .forms import CloseForm, ComplaintForm, ConcernForm, ConcernUpdateForm
from .models import DETAILS_ELSEWHERE, Complaint, Concern
from .permissions import (
    can_close_complaint,
    can_close_concern,
    can_raise_concern,
    can_raise_concern_now,
    can_read_complaint,
    can_read_concern,
    can_record_complaint,
    can_record_complaint_now,
    can_see_who_a_concern_is_about,
    can_update_concern,
    can_view_complaints,
    can_view_concerns,
)
from .services import close_complaint, close_concern, raise_concern, record_complaint, update_concern

PER_PAGE = 25
# The plan's answers a complaints-log entry is handled under (SR-5): complaints (LS-Q18) and
# arguments between members (LS-Q17).
COMPLAINT_GUIDANCE_ITEMS = ("complaints", "arguments_between_members")


def _not_saved(request, form, what: str) -> None:
    """Say at the top why nothing was saved: a refusal about the record itself (closed meanwhile)
    may come back to a page that no longer shows the form."""
    if form.non_field_errors():
        messages.error(request, f"{what} {' '.join(form.non_field_errors())}")
    else:
        messages.error(request, f"{what} Please correct what is marked below.")


def _close(request, form, service, *, saying, **record):
    """Close the concern or complaint log entry (`record`, by the service's name for it) with the
    outcome and date the valid form gives, say so, and return the redirect to it; otherwise None,
    with the form carrying why."""
    if not form.is_valid():
        return None
    (thing,) = record.values()
    try:
        service(
            **record,
            outcome=form.cleaned_data["outcome"],
            closed_on=form.cleaned_data["closed_on"],
            by=request.user,
        )
    except ValidationError as refusal:
        show_refusal(form, refusal)
        return None
    messages.success(request, saying)
    return redirect(thing)


def _open_first(queryset):
    return queryset.annotate(
        closed_order=Case(When(closed_on__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("closed_order", "-happened_on", "-pk")


# Concerns --------------------------------------------------------------------------------------


def _concern_of(group, concern_pk):
    """The concern, if it belongs to this group (404 otherwise)."""
    concerns = Concern.objects.filter(group=group).select_related(
        "member", "session", "raised_by", "closed_by", "follow_up__assignee"
    )
    concern = get_object_or_404(concerns, pk=concern_pk)
    concern.group = group
    return concern


@group_view(can_view_concerns)
def concern_list(request, group):
    show_members = can_see_who_a_concern_is_about(request.user, group)
    concerns = _open_first(group.concerns.select_related("member", "session"))
    page = Paginator(concerns, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/concern_list.html",
        {
            "group": group,
            "page": page,
            "show_members": show_members,
            "can_raise_concern": can_raise_concern_now(request.user, group),
        },
    )


def _session_asked_for(request, group):
    """The held session named in ?session=, raised from its page; None otherwise."""
    session_pk = request.GET.get("session", "")
    if not session_pk.isdigit():
        return None
    return get_object_or_404(GroupSession.objects.filter(group=group).held(), pk=session_pk)


def _effects_message(concern) -> str:
    """What raising the concern changed, in words."""
    if not concern.escalates:
        return (
            "The concern has been recorded. Nothing else changes: distress handled in the session is the "
            "group's plan working."
        )
    parts = ["The concern has been recorded. The group's coordinators and supervisor see it on their dashboards."]
    if concern.follow_up:
        assignee = concern.follow_up.assignee
        parts.append(f"A follow-up for the member is due today{f', for {assignee}' if assignee else ''}.")
    if concern.session_id:
        parts.append("The supervisor will review this session's debriefs within a day.")
    return " ".join(parts)


@group_view(can_raise_concern)
def concern_create(request, group):
    session = _session_asked_for(request, group)
    initial = {"member": request.GET.get("member")} if request.GET.get("member", "").isdigit() else {}
    form = ConcernForm(request.POST or None, group=group, session=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            concern = raise_concern(concern=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _effects_message(concern))
            return redirect(concern)
    return render(
        request,
        "concerns/concern_form.html",
        {
            "group": group,
            "session": session,
            "form": form,
            "kind_options": form.kind_options(),
            "details_elsewhere": DETAILS_ELSEWHERE,
            "can_raise_now": can_raise_concern_now(request.user, group),
        },
    )


def _concern_page(request, group, concern, *, close_form=None):
    can_close = concern.is_open and can_close_concern(request.user, concern, group)
    debriefs = []
    if concern.session_id and concern.escalates:
        debriefs = list(
            concern.session.debriefs.with_attention()
            .select_related("author")
            .only(
                "pk", "created_at", "reviewed", "session", "author__username", "author__first_name", "author__last_name"
            )
        )
    return render(
        request,
        "concerns/concern_detail.html",
        {
            "group": group,
            "concern": concern,
            "show_member": can_see_who_a_concern_is_about(request.user, group),
            "follow_up": concern.follow_up,
            "debriefs_awaiting_review": [debrief for debrief in debriefs if not debrief.reviewed],
            "review_due_days": Debrief.REVIEW_DUE_DAYS_AFTER_CONCERN,
            "can_update": concern.is_open and can_update_concern(request.user, concern, group),
            "can_close": can_close,
            "close_form": (close_form or CloseForm(model=Concern)) if can_close else None,
        },
    )


@never_cache
@group_view(can_read_concern, record=_concern_of)
def concern_detail(request, group, concern):
    record_access(user=request.user, action=AccessEvent.Action.VIEWED_CONCERN, obj=concern, group=group)
    return _concern_page(request, group, concern)


@never_cache
@group_view(can_update_concern, record=_concern_of)
def concern_edit(request, group, concern):
    if not concern.is_open:
        messages.info(request, "This concern has been closed, so it no longer changes.")
        return redirect(concern)
    form = ConcernUpdateForm(request.POST or None, instance=concern)
    if request.method == "POST" and form.is_valid():
        try:
            update_concern(concern=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The concern has been updated.")
            return redirect(concern)
    return render(
        request,
        "concerns/concern_edit.html",
        {
            "group": group,
            "concern": _concern_of(group, concern.pk),
            "form": form,
            "details_elsewhere": DETAILS_ELSEWHERE,
        },
    )


@require_POST
@group_view(write=can_close_concern, record=_concern_of)
def concern_close(request, group, concern):
    form = CloseForm(request.POST, model=Concern)
    if closed := _close(request, form, close_concern, concern=concern, saying="The concern has been closed."):
        return closed
    _not_saved(request, form, "The concern has not been closed.")
    # A refusal may mean someone closed it meanwhile: show the page as it now stands.
    return _concern_page(request, group, _concern_of(group, concern.pk), close_form=form)


# The complaints log ----------------------------------------------------------------------------


def _complaint_of(group, complaint_pk):
    complaint = get_object_or_404(
        Complaint.objects.filter(group=group).select_related("recorded_by", "closed_by"), pk=complaint_pk
    )
    complaint.group = group
    return complaint


def _plan_guidance(group) -> list[dict]:
    """The group's answers on complaints (LS-Q18) and arguments between members (LS-Q17), with
    where to read them in full."""
    answers = {
        answer.item_key: answer for answer in group.checklist_answers.filter(item_key__in=COMPLAINT_GUIDANCE_ITEMS)
    }
    guidance = []
    for key in COMPLAINT_GUIDANCE_ITEMS:
        item = CHECKLIST_BY_KEY[key]
        answer = answers.get(key)
        guidance.append(
            {
                "item": item,
                "answer": answer.answer if answer else "",
                "section": item.section,
                "anchor": f"item-{item.key}",
            }
        )
    return guidance


@group_view(can_view_complaints)
def complaint_list(request, group):
    page = Paginator(_open_first(group.complaints.all()), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/complaint_list.html",
        {
            "group": group,
            "page": page,
            "guidance": _plan_guidance(group),
            "can_record_complaint": can_record_complaint_now(request.user, group),
        },
    )


@group_view(can_record_complaint)
def complaint_create(request, group):
    form = ComplaintForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = record_complaint(complaint=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            if can_view_complaints(request.user, group):
                messages.success(request, "Added to the complaints log.")
                return redirect(complaint)
            messages.success(
                request, "Added to the complaints log. The group's coordinators and supervisor will take it from here."
            )
            return redirect("sessions_log:group_sessions", pk=group.pk)
    return render(
        request,
        "concerns/complaint_form.html",
        {
            "group": group,
            "form": form,
            "guidance": _plan_guidance(group),
            "can_view_complaints": can_view_complaints(request.user, group),
            "hide_log_link": not can_view_complaints(request.user, group),
            "can_record_now": can_record_complaint_now(request.user, group),
        },
    )


def _complaint_page(request, group, complaint, *, close_form=None):
    can_close = complaint.is_open and can_close_complaint(request.user, complaint, group)
    return render(
        request,
        "concerns/complaint_detail.html",
        {
            "group": group,
            "complaint": complaint,
            "guidance": _plan_guidance(group),
            "can_close": can_close,
            "close_form": (close_form or CloseForm(model=Complaint)) if can_close else None,
        },
    )


@group_view(can_read_complaint, record=_complaint_of)
def complaint_detail(request, group, complaint):
    return _complaint_page(request, group, complaint)


@require_POST
@group_view(write=can_close_complaint, record=_complaint_of)
def complaint_close(request, group, complaint):
    form = CloseForm(request.POST, model=Complaint)
    if closed := _close(request, form, close_complaint, complaint=complaint, saying="The entry has been closed."):
        return closed
    _not_saved(request, form, "The entry has not been closed.")
    return _complaint_page(request, group, _complaint_of(group, complaint.pk), close_form=form)
