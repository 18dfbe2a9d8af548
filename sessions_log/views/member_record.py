"""One member's record: the page that shows it, and a member's requests under UK GDPR (a copy of
everything held about them, and erasure). Opening the record, exporting it and erasing it each
leave an access event: the fact, never the content.

Coordinators handle the requests but never read debrief material: they learn whether any names
the member and ask the group's supervisor, who answers for it on a page of their own while the
member's request is open (and may agree to a common-word name being taken out of notes)."""

import datetime
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import AccessEvent
from audit.services import record_access
from concerns.permissions import can_raise_concern_now
from groups.permissions import group_view
from groups_site.refusals import show_refusal

from ..erasure import erase_member
from ..forms import MemberErasureForm
from ..member_requests import agree_to_name_replacement, ask_supervisor
from ..models import Attendance, MemberRequest
from ..permissions import (
    can_answer_for_debrief_material,
    can_handle_subject_requests,
    can_manage_members,
    can_view_members,
)
from ..subject_access import (
    DEBRIEF_MATERIAL,
    RECORD_FIELDS,
    MemberNames,
    common_names,
    debrief_material_data,
    debrief_material_names,
    find_mentions,
    member_data,
)

RECENT_MARKS = 10


@never_cache
@group_view(can_view_members)
def member_detail(request, group, member_pk):
    member = get_object_or_404(group.members, pk=member_pk)
    attended = Q(status__in=Attendance.ATTENDED)
    totals = member.attendance.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Attendance.Status.values},
        last_attended=Max("session__date", filter=attended),
    )
    # Newest first: missed-session follow-ups and a check-in after leaving alike.
    follow_ups = list(member.follow_ups.select_related("session", "assignee").order_by("-created_at", "-pk"))
    record_access(user=request.user, action=AccessEvent.Action.VIEWED_MEMBER, obj=member, group=group)
    return render(
        request,
        "sessions_log/member_detail.html",
        {
            "group": group,
            "member": member,
            "marks_by_status": [(label, totals[status]) for status, label in Attendance.Status.choices],
            "attended": sum(totals[status] for status in Attendance.ATTENDED),
            "marked": sum(totals[status] for status in Attendance.Status.values),
            "last_attended": totals["last_attended"],
            "recent_marks": member.attendance.select_related("session").order_by(
                "-session__date", "-session__starts_at"
            )[:RECENT_MARKS],
            "follow_ups": follow_ups,
            "has_open_follow_ups": any(follow_up.is_open for follow_up in follow_ups),
            "concerns": member.concerns.select_related("session", "member"),
            "can_raise_concern": can_raise_concern_now(request.user, group),
            "can_manage_members": can_manage_members(request.user, group),
            "can_handle_subject_requests": can_handle_subject_requests(request.user, group),
        },
    )


@never_cache
@group_view(can_handle_subject_requests)
def member_export(request, group, member_pk):
    """Everything held about the member as a page to read or print."""
    member = get_object_or_404(group.members, pk=member_pk)
    data = member_data(member)
    record_access(
        user=request.user, action=AccessEvent.Action.EXPORTED_MEMBER, obj=member, group=group, detail="readable page"
    )
    return render(
        request,
        "sessions_log/member_export.html",
        {
            "group": group,
            "member": member,
            "data": data,
            "record": [(label, _readable(name, data["member"][name])) for name, label in RECORD_FIELDS],
            **_debrief_material_context(group, member, names_them=data["debrief_material"]["names_them"]),
        },
    )


def _open_request(member):
    return MemberRequest.objects.open().filter(member=member).first()


def _debrief_material_context(group, member, *, names_them: bool) -> dict:
    """What the coordinator's pages say of debrief material: whether it names the member, who
    answers for it, and the member's request to the supervisor."""
    return {
        "debrief_material_names_them": names_them,
        "supervisor": group.supervisor,
        "open_request": _open_request(member),
    }


def _readable(name, value):
    """The export's dates (ISO 8601 in the file) as people write them, for the page."""
    if name in ("joined_on", "exited_on", "contact_consent_on") and value:
        return datetime.date.fromisoformat(value).strftime("%-d %B %Y")
    if name == "created_at" and value:
        return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime("%-d %B %Y, %H:%M")
    return value


@never_cache
@group_view(can_handle_subject_requests)
def member_export_json(request, group, member_pk):
    """Everything held about the member as a JSON file to download and send to them."""
    member = get_object_or_404(group.members, pk=member_pk)
    body = json.dumps(member_data(member), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    record_access(
        user=request.user, action=AccessEvent.Action.EXPORTED_MEMBER, obj=member, group=group, detail="JSON file"
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    # The file is named by number and date, so a name never sits in a downloads folder listing.
    filename = f"member-{member.pk}-records-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@group_view(can_handle_subject_requests)
def member_erase(request, group, member_pk):
    member = get_object_or_404(group.members, pk=member_pk)
    # Only their names exactly as recorded, in lessons and follow-up notes (never debriefs).
    names = MemberNames.of(member, exact_case=True)
    mentions = find_mentions(member, names)
    common = common_names(member)
    open_request = _open_request(member)
    # A name that is also a common word is taken out only once the supervisor has agreed.
    may_replace = not common or (open_request is not None and open_request.replacement_agreed)
    form = MemberErasureForm(
        request.POST or None, member_name=member.display_name, mentions=mentions if may_replace else ()
    )
    if request.method == "POST" and form.is_valid():
        try:
            erased = erase_member(
                member=member,
                reason=form.cleaned_data["reason"],
                by=request.user,
                remove_name_from=set(form.cleaned_data.get("remove_name_from", ())),
            )
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            rewritten = erased.notes_rewritten
            notes = (
                f" Their name was taken out of {rewritten} note{'s' if rewritten != 1 else ''}, and out of every "
                "earlier version."
                if rewritten
                else ""
            )
            messages.success(
                request,
                f"The member's records have been erased: their record, {erased.attendance_marks} attendance "
                f"mark{'s' if erased.attendance_marks != 1 else ''} and {erased.follow_ups} "
                f"follow-up{'s' if erased.follow_ups != 1 else ''}, with every earlier version. "
                f"The sessions they came to keep their attendance numbers.{notes}",
            )
            return redirect("sessions_log:members", pk=group.pk)
    if mentions:
        # The notes are shown in full here, as in the export, which is logged too.
        record_access(
            user=request.user,
            action=AccessEvent.Action.VIEWED_MEMBER,
            obj=member,
            group=group,
            detail="Notes naming them, before erasure",
        )
    return render(
        request,
        "sessions_log/member_erase.html",
        {
            "group": group,
            "member": member,
            "form": form,
            "mentions": form.mention_boxes() if may_replace else [{"mention": mention} for mention in mentions],
            "may_replace": may_replace,
            "common_names": common,
            "same_name": names.shared,
            "mark_count": member.attendance.count(),
            "follow_up_count": member.follow_ups.count(),
            **_debrief_material_context(group, member, names_them=debrief_material_names(member)),
        },
    )


ASKED_FROM = {"export": "sessions_log:member_export", "erase": "sessions_log:member_erase"}


@require_POST
@group_view(write=can_handle_subject_requests)
def member_ask_supervisor(request, group, member_pk):
    """The coordinator asks the group's supervisor to answer for the debrief material in the
    member's request (and, for erasure, to agree to a common-word name being taken out)."""
    member = get_object_or_404(group.members, pk=member_pk)
    try:
        ask_supervisor(member=member, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        who = group.supervisor or "An administrator of the organisation"
        messages.success(
            request,
            f"{who} has been asked. They see the request on their dashboard for {MemberRequest.OPEN_DAYS} days.",
        )
    back = ASKED_FROM.get(request.POST.get("back", ""), ASKED_FROM["export"])
    return redirect(back, pk=group.pk, member_pk=member.pk)


# The supervisor's side of a request ------------------------------------------------------------


def _requested_member(group, member_pk):
    """A member of the group with an open request: the supervisor may see their debrief material,
    and their name, only then (otherwise: not found, so no name can be learnt by trying numbers)."""
    open_requests = MemberRequest.objects.open().values("member_id")
    return get_object_or_404(group.members.filter(pk__in=open_requests).select_related("request"), pk=member_pk)


@never_cache
@group_view(can_answer_for_debrief_material)
def member_debrief_material(request, group, member_pk):
    member = _requested_member(group, member_pk)
    names = MemberNames.of(member)
    material = find_mentions(member, names, kinds=DEBRIEF_MATERIAL)
    # What erasure would change, for agreeing to a common-word name being taken out.
    common = common_names(member)
    to_replace = find_mentions(member, MemberNames.of(member, exact_case=True)) if common else []
    record_access(
        user=request.user,
        action=AccessEvent.Action.VIEWED_MEMBER,
        obj=member,
        group=group,
        detail="Debrief material naming them, for their request",
    )
    return render(
        request,
        "sessions_log/member_debrief_material.html",
        {
            "group": group,
            "member": member,
            "material": material,
            "member_request": member.request,
            "common_names": common,
            "to_replace": to_replace,
        },
    )


@never_cache
@group_view(can_answer_for_debrief_material)
def member_debrief_material_json(request, group, member_pk):
    member = _requested_member(group, member_pk)
    body = json.dumps(debrief_material_data(member), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    record_access(
        user=request.user,
        action=AccessEvent.Action.EXPORTED_MEMBER,
        obj=member,
        group=group,
        detail="Debrief material naming them, JSON file",
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"member-{member.pk}-debrief-material-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@group_view(write=can_answer_for_debrief_material)
def member_agree_replacement(request, group, member_pk):
    member = _requested_member(group, member_pk)
    try:
        agree_to_name_replacement(member=member, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request, "Recorded: erasure may take their name out of the notes that name them, as shown here."
        )
    return redirect("sessions_log:member_debrief_material", pk=group.pk, member_pk=member.pk)
