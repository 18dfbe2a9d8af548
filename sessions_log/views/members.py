"""Members of a running group, its waiting list, who has left, and the follow-ups of missed
sessions. Each view checks access, calls a service, says what happened and redirects; a rule's
refusal is shown on the form with the person's typing kept."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Window
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from groups.permissions import group_view
from groups_site.refusals import show_refusal

from ..erasure import stop_holding_contact_details
from ..forms import AbsencePolicyForm, FollowUpCloseForm, MemberExitForm, MemberForm, MembersForm, SignpostingForm
from ..models import AbsencePolicy, FollowUp, Member
from ..permissions import (
    can_close_follow_up,
    can_edit_absence_policy,
    can_handle_subject_requests,
    can_manage_members,
    can_view_members,
    can_view_sessions,
)
from ..services import (
    SignpostInstead,
    absence_policy_for,
    add_member,
    add_members,
    admit_from_waiting_list,
    check_in_weeks,
    close_follow_up,
    exit_member,
    group_has_room,
    record_signposting,
    save_absence_policy,
    signposts_instead_of_waiting,
    signposts_while_waiting,
    update_member,
)

# The exit form names its fields for the person filling it in; the model names them for the record.
EXIT_FIELDS = {"exit_reason": "reason", "aftercare_offered": "aftercare"}
# The most recent people signposted elsewhere that the member list shows (all are counted).
SIGNPOSTINGS_LISTED = 10


def _close_form(follow_up, data=None):
    # Several close forms share the member list page, so each needs its own element ids.
    return FollowUpCloseForm(data, auto_id=f"follow-up-{follow_up.pk}-%s")


@group_view(can_view_members)
def member_list(request, group):
    open_follow_ups = FollowUp.objects.open().select_related("assignee", "session")
    members = list(
        group.members.prefetch_related(
            Prefetch("follow_ups", queryset=open_follow_ups, to_attr="open_follow_ups"), "signpostings"
        )
    )
    for member in members:
        for follow_up in member.open_follow_ups:
            follow_up.can_close = can_close_follow_up(request.user, follow_up, group)
            follow_up.close_form = _close_form(follow_up)
    active = [member for member in members if member.status == Member.Status.ACTIVE]
    waiting = sorted(
        (member for member in members if member.status == Member.Status.WAITING_LIST),
        key=lambda member: (member.created_at, member.pk),
    )
    left = sorted(
        (member for member in members if member.status == Member.Status.EXITED),
        key=lambda member: (member.exited_on, member.pk),
        reverse=True,
    )
    managing = can_manage_members(request.user, group)
    # The most recent, each with how many there are in all, in one query.
    signposted = list(
        group.signpostings.filter(member__isnull=True).annotate(total=Window(Count("pk")))[:SIGNPOSTINGS_LISTED]
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
            "to_check_in": [member for member in left if member.open_follow_ups],
            "signposted_elsewhere": signposted,
            "signposted_elsewhere_count": signposted[0].total if signposted else 0,
            "signposts_while_waiting": signposts_while_waiting(group),
            "can_manage_members": managing,
            "can_record_signposting": managing and not group.is_closed,
            "can_stop_holding_contact_details": group.holds_contact_details
            and can_handle_subject_requests(request.user, group),
            "can_view_sessions": can_view_sessions(request.user, group),
        },
    )


@group_view(can_manage_members)
def member_add(request, group):
    """One person with their details, or several at once by name (the second form, "several")."""
    if request.method == "GET" and signposts_instead_of_waiting(group):
        return _signpost_instead(request, group)
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
        except SignpostInstead:
            # The group filled up since the page was opened: nobody is added, nor their name kept.
            return _signpost_instead(request, group)
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
            "Admit them from the waiting list when a place comes up."
            + (
                " The group's plan is to signpost people to other support while they wait: record where, "
                "from the waiting list."
                if signposts_while_waiting(group)
                else ""
            ),
        )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _signpost_instead(request, group):
    messages.info(
        request,
        f"The group is full ({group.maximum_size} members), and its plan is to signpost people to other support "
        "rather than keep a waiting list. Record where you signposted them: their name is not kept.",
    )
    return redirect("sessions_log:signpost", pk=group.pk)


@group_view(can_manage_members)
def signpost(request, group, member_pk=None):
    """Record where someone was pointed to because the group was full: someone not added (no
    name kept), or someone on the waiting list, while they wait."""
    member = (
        get_object_or_404(group.members.filter(status=Member.Status.WAITING_LIST), pk=member_pk) if member_pk else None
    )
    form = SignpostingForm(
        request.POST or None, group=group, member=member, initial={"signposted_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_signposting(signposting=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            who = f"{member}" if member else "Someone the group had no room for"
            messages.success(request, f"{who} was signposted to {form.instance.where_to}: recorded.")
            return redirect("sessions_log:members", pk=group.pk)
    return render(
        request,
        "sessions_log/signposting_form.html",
        {"group": group, "form": form, "member": member, "group_is_full": not group_has_room(group)},
    )


@group_view(can_handle_subject_requests)
def stop_holding_contact_details_page(request, group):
    """Confirming that the group stops holding members' contact details, erasing those held."""
    held = group.members_with_contact_details().count()
    if request.method == "POST":
        try:
            erased = stop_holding_contact_details(group=group, by=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(
                request,
                f"The group no longer holds contact details: {erased} member{'s' if erased != 1 else ''}' "
                "details erased, with every earlier copy in the change history.",
            )
        return redirect("sessions_log:members", pk=group.pk)
    return render(
        request,
        "sessions_log/contact_details_stop.html",
        {"group": group, "held": held, "holds_contact_details": group.holds_contact_details},
    )


@group_view(can_manage_members)
def member_edit(request, group, member_pk):
    member = get_object_or_404(group.members, pk=member_pk)
    form = MemberForm(request.POST or None, instance=member, group=group)
    saved_meanwhile = None
    if request.method == "POST" and form.is_valid():
        try:
            member = update_member(
                member=form.instance, by=request.user, expected_version=form.cleaned_data["opened_version"]
            )
        except ValidationError as refusal:
            show_refusal(form, refusal)
            if refusal.code == "changed_since_opened":
                # Show both: their typing stays in the form, the saved record beside it.
                stored = Member.objects.get(pk=member.pk)
                saved_meanwhile = [
                    (form[name].label, getattr(stored, name)) for name in form.fields if name in Member.DETAIL_FIELDS
                ]
                form.opened_afresh(stored.version)
        else:
            messages.success(request, f"{member}'s record has been saved.")
            return redirect("sessions_log:members", pk=group.pk)
    return render(
        request,
        "sessions_log/member_form.html",
        {"group": group, "form": form, "member": member, "saved_meanwhile": saved_meanwhile},
    )


@group_view(can_manage_members)
def member_exit(request, group, member_pk):
    # Someone who has already left cannot leave again: their exit stays as recorded.
    member = get_object_or_404(group.members.exclude(status=Member.Status.EXITED), pk=member_pk)
    name = member.display_name
    form = MemberExitForm(request.POST or None, initial={"exited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            left = exit_member(
                member=member,
                exited_on=form.cleaned_data["exited_on"],
                reason=form.cleaned_data["reason"],
                aftercare=form.cleaned_data["aftercare"],
                by=request.user,
            )
        except ValidationError as refusal:
            show_refusal(form, refusal, field_names=EXIT_FIELDS)
        else:
            check_in = left.follow_ups.filter(kind=FollowUp.Kind.CHECK_IN).select_related("assignee").first()
            messages.success(
                request,
                f"{name} has left the group. Any open follow-ups for them have been closed."
                + (
                    f" A check-in with them is due on {check_in.due_on:%-d %B %Y}, for {check_in.assignee}."
                    if check_in and check_in.assignee
                    else ""
                ),
            )
            return redirect("sessions_log:members", pk=group.pk)
    return render(
        request,
        "sessions_log/member_exit.html",
        {
            "group": group,
            "form": form,
            "name": name,
            # Someone taken off the waiting list never came, so gets no check-in.
            "check_in_weeks": None if member.is_waiting else check_in_weeks(group.exit_strategy_or_none),
        },
    )


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
        (label, action, AbsencePolicy.Assignee(assignee).label, needs_contact)
        for label, (action, assignee, needs_contact) in (
            ("After one missed session", policy.step_for(1)),
            ("After two in a row", policy.step_for(2)),
            ("After three or more in a row", policy.step_for(3)),
        )
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
