"""Reports pages. Each view checks access, asks the report or service module, and shows or
sends the result; the rules themselves live in funder.py, printable.py, calendar.py and
services.py."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import AccessEvent
from audit.services import record_access
from groups.models import SupportGroup
from groups.permissions import find_group, group_view

from .calendar import sessions_calendar
from .chart import monthly_chart
from .forms import FunderReportForm, last_twelve_months
from .funder import FEWER_THAN_5, HIDDEN, build_funder_report
from .models import CalendarFeed
from .permissions import can_print_plan, can_see_funder_report, can_subscribe_to_calendar
from .printable import plan_context
from .services import create_calendar_feed, feed_for_token, renew_calendar_feed, revoke_calendar_feed

# The funder report ---------------------------------------------------------------------------


def _chosen_group(request):
    """The group asked for in ?group=, if any: not found unless the person can see it, and
    refused unless they may report on it."""
    asked = request.GET.get("group", "")
    if not asked:
        return None
    try:
        pk = int(asked)
    except ValueError:
        raise Http404 from None
    return find_group(request.user, pk, can_see_funder_report)


def _csv_safe(value) -> str:
    """Spreadsheets run a cell starting with =, +, - or @ as a formula; a group's name must not."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(report, scope: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="funder-report-{report.start:%Y-%m-%d}-to-{report.end:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Funder report", _csv_safe(scope)])
    writer.writerow(["Period", f"{report.start:%Y-%m-%d}", f"{report.end:%Y-%m-%d}"])
    writer.writerow(
        [
            f'Counts are rounded to the nearest 5; under 5 they are shown as "{FEWER_THAN_5}"; '
            f'"{HIDDEN}" marks a number hidden to protect one. Whole calendar months only.'
        ]
    )
    writer.writerow([])
    writer.writerow(["Group", *report.headings])
    for row in [*report.rows, *([report.total] if report.total else [])]:
        writer.writerow([_csv_safe(row.label), *row.cells])
    writer.writerow([])
    writer.writerow(["Month", "Sessions held"])
    for month in report.months:
        writer.writerow([f"{month.month:%Y-%m}", month.held])
    return response


REPORTED_GROUP_FIELDS = (
    "name",
    "status",
    "launched_at",
    "closed_at",
    "created_at",
    "meeting_frequency",
    "meeting_weekday",
)


def funder_report(request):
    """Aggregate numbers about the groups a coordinator or supervisor reports on (see funder.py)."""
    chosen = _chosen_group(request)
    # What the report and its list of groups read of each group: an administrator's runs to every group.
    reportable = list(SupportGroup.objects.reported_on_by(request.user).only(*REPORTED_GROUP_FIELDS))

    start, end = last_twelve_months(timezone.localdate())
    form = FunderReportForm({"from": start, "to": end, **request.GET.dict()}, groups=reportable)
    report = None
    if reportable and form.is_valid():
        start, end = form.cleaned_data["from"], form.cleaned_data["to"]
        groups = [chosen] if chosen else reportable
        report = build_funder_report(groups=groups, start=start, end=end)
        scope = chosen.name if chosen else "All the groups I coordinate or supervise"
        if request.GET.get("format") == "csv":
            record_access(
                user=request.user,
                action=AccessEvent.Action.EXPORTED_REPORT,
                group=chosen,
                detail=f"funder report CSV {start:%Y-%m-%d} to {end:%Y-%m-%d}",
            )
            return _csv_response(report, scope)

    csv_query = {"from": f"{start:%Y-%m-%d}", "to": f"{end:%Y-%m-%d}", "format": "csv"}
    if chosen:
        csv_query["group"] = chosen.pk
    return render(
        request,
        "reports/funder_report.html",
        {
            "form": form,
            "report": report,
            "chosen": chosen,
            "has_groups": bool(reportable),
            "chart": monthly_chart(report.months) if report else None,
            "csv_url": f"{reverse('reports:funder_report')}?{urlencode(csv_query)}",
            "fewer_than_5": FEWER_THAN_5,
            "hidden": HIDDEN,
        },
    )


# The printable plan --------------------------------------------------------------------------


PDF_TOOK_TOO_LONG = (
    "The plan is too long to make into a PDF in time, so we stopped. Print this page instead: "
    "your browser's Print command can also save it as a PDF."
)


@group_view(can_print_plan, plan=True)
def plan_print(request, group):
    return render(request, "reports/plan_print.html", {**plan_context(group), "printed_on": timezone.localdate()})


@group_view(can_print_plan, plan=True)
def plan_pdf(request, group):
    # Imported here: WeasyPrint loads Debian's Pango when imported, and a machine without it
    # should lose only the PDF, not every page.
    from .pdf import PdfTookTooLong, html_to_pdf

    today = timezone.localdate()
    html = render_to_string(
        "reports/plan_print.html", {**plan_context(group), "printed_on": today, "for_pdf": True}, request=request
    )
    try:
        pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfTookTooLong:
        messages.error(request, PDF_TOOK_TOO_LONG)
        return redirect("reports:plan_print", pk=group.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"plan-{slugify(group.name) or group.pk}-{today:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The calendar feed ---------------------------------------------------------------------------


@group_view(can_subscribe_to_calendar)
def calendar(request, group):
    feed = CalendarFeed.objects.filter(user=request.user, group=group).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else None
    return render(
        request,
        "reports/calendar.html",
        {
            "group": group,
            "feed": feed,
            "feed_url": feed_url,
            # Calendar apps subscribe (and keep refreshing) when given a webcal: address.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else None,
        },
    )


@require_POST
@group_view(write=can_subscribe_to_calendar)
def calendar_create(request, group):
    create_calendar_feed(group=group, by=request.user)
    messages.success(request, "Your calendar link is ready. Add it to your calendar app as a subscription.")
    return redirect("reports:calendar", pk=group.pk)


@require_POST
@group_view(write=can_subscribe_to_calendar)
def calendar_renew(request, group):
    renew_calendar_feed(group=group, by=request.user)
    messages.success(
        request, "You have a new calendar link. The old one no longer works: subscribe again with the new one."
    )
    return redirect("reports:calendar", pk=group.pk)


@require_POST
@group_view(write=can_subscribe_to_calendar)
def calendar_revoke(request, group):
    if revoke_calendar_feed(group=group, by=request.user):
        messages.success(request, "Your calendar link has been turned off. It no longer works anywhere.")
    else:
        messages.info(request, "You had no calendar link for this group.")
    return redirect("reports:calendar", pk=group.pk)


@login_not_required
@never_cache
def calendar_feed(request, token):
    """The only page that works without signing in: calendar apps cannot sign in, so the secret
    address is the key. Unknown, revoked or no-longer-allowed addresses are simply not found."""
    feed = feed_for_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(sessions_calendar(feed.group), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="sessions-{feed.group.pk}.ics"'
    # The address is a secret: keep it out of search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
