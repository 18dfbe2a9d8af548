"""Members of a running group, its waiting list, who has left, and the follow-ups of missed
sessions. Each view checks access, calls a service, says what happened and redirects; a rule's
refusal is shown on the form with the person's typing kept."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from groups.permissions import group_view
from groups_site.refusals import show_refusal

from ..forms import AbsencePolicyForm, FollowUpCloseForm, MemberExitForm, MemberForm, MembersForm
from ..models import AbsencePolicy, FollowUp, Member
from ..permissions import (
    can_close_follow_up,
    can_edit_absence_policy,
    can_manage_members,
    can_view_members,
    can_view_sessions,
)
from ..services import (
    absence_policy_for,
    add_member,
    add_members,
    admit_from_waiting_list,
    close_follow_up,
    exit_member,
    save_absence_policy,
    update_member,
)

# The exit form names its fields for the person filling it in; the model names them for the record.
EXIT_FIELDS = {"exit_reason": "reason", "aftercare_offered": "aftercare"}


def _close_form(follow_up, data=None):
    # Several close forms share the member list page, so each needs its own element ids.
    return FollowUpCloseForm(data, auto_id=f"follow-up-{follow_up.pk}-%s")


@group_view(can_view_members)
def member_list(request, group):
    open_follow_ups = FollowUp.objects.open().select_related("assignee", "session")
    members = list(
        group.members.prefetch_related(Prefetch("follow_ups", queryset=open_follow_ups, to_attr="open_follow_ups"))
    )
    active = [member for member in members if member.status == Member.Status.ACTIVE]
    for member in active:
        for follow_up in member.open_follow_ups:
            follow_up.can_close = can_close_follow_up(request.user, follow_up, group)
            follow_up.close_form = _close_form(follow_up)
    waiting = sorted(
        (member for member in members if member.status == Member.Status.WAITING_LIST),
        key=lambda member: (member.created_at, member.pk),
    )
    left = sorted(
        (member for member in members if member.status == Member.Status.EXITED),
        key=lambda member: (member.exited_on, member.pk),
        reverse=True,
    )
    return render(
        request,
        "sessions_log/member_list.html",
        {
            "group": group,
            "active": active,
            "waiting": waiting,
            "left": left,
            "to_follow_up": [member for member in active if member.open_follow_ups],
            "open_follow_up_count": sum(len(member.open_follow_ups) for member in active),
            "can_manage_members": can_manage_members(request.user, group),
            "can_view_sessions": can_view_sessions(request.user, group),
        },
    )


@group_view(can_manage_members)
def member_add(request, group):
    """One person with their details, or several at once by name (the second form, "several")."""
    today = {"joined_on": timezone.localdate()}
    adding_several = request.method == "POST" and "several-names" in request.POST
    form = MemberForm(None if adding_several else request.POST or None, group=group, initial=today)
    several = MembersForm(request.POST if adding_several else None, group=group, initial=today, prefix="several")
    if adding_several and several.is_valid():
        try:
            added = add_members(
                group=group,
                names=several.cleaned_data["names"],
                joined_on=several.cleaned_data["joined_on"],
                by=request.user,
            )
        except ValidationError as refusal:
            show_refusal(several, refusal, field_names={"display_name": "names"})
        else:
            _say_who_was_added(request, group, added)
            return redirect("sessions_log:members", pk=group.pk)
    elif request.method == "POST" and not adding_several and form.is_valid():
        try:
            member = add_member(member=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            _say_who_was_added(request, group, [member])
            return redirect("sessions_log:members", pk=group.pk)
    return render(request, "sessions_log/member_form.html", {"group": group, "form": form, "several": several})


def _say_who_was_added(request, group, added) -> None:
    joined = [member.display_name for member in added if not member.is_waiting]
    waiting = [member.display_name for member in added if member.is_waiting]
    if joined:
        has = "has" if len(joined) == 1 else "have"
        messages.success(request, f"{_and(joined)} {has} joined the group.")
    if waiting:
        are = "is" if len(waiting) == 1 else "are"
        messages.warning(
            request,
            f"The group is full ({group.maximum_size} members), so {_and(waiting)} {are} on the waiting list. "
            "Admit them from the waiting list when a place comes up.",
        )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@group_view(can_manage_members)
def member_edit(request, group, member_pk):
    member = get_object_or_404(group.members, pk=member_pk)
    form = MemberForm(request.POST or None, instance=member, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            member = update_member(member=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, f"{member}'s record has been saved.")
            return redirect("sessions_log:members", pk=group.pk)
    return render(request, "sessions_log/member_form.html", {"group": group, "form": form, "member": member})


@group_view(can_manage_members)
def member_exit(request, group, member_pk):
    # Someone who has already left cannot leave again: their exit stays as recorded.
    member = get_object_or_404(group.members.exclude(status=Member.Status.EXITED), pk=member_pk)
    name = member.display_name
    form = MemberExitForm(request.POST or None, initial={"exited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            exit_member(
                member=member,
                exited_on=form.cleaned_data["exited_on"],
                reason=form.cleaned_data["reason"],
                aftercare=form.cleaned_data["aftercare"],
                by=request.user,
            )
        except ValidationError as refusal:
            show_refusal(form, refusal, field_names=EXIT_FIELDS)
        else:
            messages.success(request, f"{name} has left the group. Any open follow-ups for them have been closed.")
            return redirect("sessions_log:members", pk=group.pk)
    return render(request, "sessions_log/member_exit.html", {"group": group, "form": form, "name": name})


@require_POST
@group_view(write=can_manage_members)
def member_admit(request, group, member_pk):
    member = get_object_or_404(group.members, pk=member_pk)
    try:
        admit_from_waiting_list(member=member, by=request.user)
    except ValidationError as refusal:
        messages.error(request, f"{member} could not be admitted: {' '.join(refusal.messages)}")
    else:
        messages.success(request, f"{member} now has a place in the group.")
    return redirect("sessions_log:members", pk=group.pk)


@group_view(read=can_view_sessions, write=can_edit_absence_policy)
def absence_policy(request, group):
    editable = can_edit_absence_policy(request.user, group)
    policy = absence_policy_for(group)
    form = AbsencePolicyForm(request.POST or None, instance=policy) if editable else None
    if request.method == "POST" and form.is_valid():
        try:
            save_absence_policy(policy=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The absence policy has been saved. It applies to registers saved from now on.")
            return redirect("sessions_log:absence_policy", pk=group.pk)
    steps = [
        ("After one missed session", policy.after_one_miss, policy.get_after_one_miss_assignee_display()),
        ("After two in a row", policy.after_two_misses, policy.get_after_two_misses_assignee_display()),
        ("After three or more in a row", policy.after_three_misses, policy.get_after_three_misses_assignee_display()),
    ]
    return render(
        request,
        "sessions_log/absencepolicy_form.html",
        {
            "group": group,
            "policy": policy,
            "steps": steps,
            "form": form,
            "can_edit_absence_policy": editable,
            "apologies_label": AbsencePolicy._meta.get_field("apologies_count_as_missed").verbose_name,
        },
    )


def _safe_next(request) -> str | None:
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would read anything else as a URL name to reverse.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _follow_up_of(group, follow_up_pk):
    return get_object_or_404(
        FollowUp.objects.select_related("member", "session", "assignee"), pk=follow_up_pk, member__group=group
    )


@require_POST
@group_view(write=can_close_follow_up, record=_follow_up_of)
def follow_up_close(request, group, follow_up):
    form = _close_form(follow_up, request.POST)
    back = _safe_next(request)
    if form.is_valid():
        try:
            close_follow_up(
                follow_up=follow_up,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, f"The follow-up for {follow_up.member} has been closed.")
        return redirect(back) if back else redirect("sessions_log:members", pk=group.pk)
    return render(
        request,
        "sessions_log/followup_form.html",
        {
            "group": group,
            "follow_up": follow_up,
            "form": form,
            "next": back,
            "back_url": back or reverse("sessions_log:members", kwargs={"pk": group.pk}),
        },
    )
