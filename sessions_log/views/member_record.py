"""One member's record: the page that shows it, and a member's requests under UK GDPR (a copy of
everything held about them, and erasure). Opening the record, exporting it and erasing it each
leave an access event: the fact, never the content."""

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

from audit.models import AccessEvent
from audit.services import record_access
from concerns.permissions import can_raise_concern_now
from groups.permissions import group_view
from groups_site.refusals import show_refusal

from ..erasure import erase_member
from ..forms import MemberErasureForm
from ..models import Attendance
from ..permissions import can_handle_subject_requests, can_manage_members, can_view_members
from ..subject_access import RECORD_FIELDS, MemberNames, find_mentions, member_data

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
    data = member_data(member, reader=request.user)
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
        },
    )


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
    body = json.dumps(member_data(member, reader=request.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
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
    names = MemberNames.of(member)
    mentions = find_mentions(member, names, reader=request.user)
    form = MemberErasureForm(request.POST or None, member_name=member.display_name, mentions=mentions)
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
            "mentions": form.mention_boxes(),
            "same_name": names.shared,
            "mark_count": member.attendance.count(),
            "follow_up_count": member.follow_ups.count(),
        },
    )
