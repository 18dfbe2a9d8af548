"""The funder report page and its CSV: who may see it, what it shows, and what it never shows.

Alice coordinates the group and Sam supervises it: the report is theirs. Bob facilitates it,
so he is refused; Charlie facilitates another group, so he is told it does not exist.
"""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AccessEvent
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory
from reports.forms import last_twelve_months
from reports.funder import whole_months
from sessions_log.models import Attendance, FollowUp
from sessions_log.tests.factories import AttendanceFactory, FollowUpFactory, GroupSessionFactory, MemberFactory

from .conftest import launched_group

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START, END = TODAY - datetime.timedelta(days=120), TODAY - datetime.timedelta(days=1)
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}
ATTENDEES = "Members who attended"
# Users get Faker names, which a member could share; nobody is called these.
UNMISTAKABLE_NAMES = ["Quillonelle", "Brambleworth", "Zephyrine", "Ottoline", "Marigoldina", "Thistlewick", "Peregrina"]
REPORT_MAX_QUERIES = 10
# The main menu's roles come with the person (accounts.backends.ROLES_HELD): no query of their own.
MENU_QUERIES = 0


def report_url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("reports:funder_report") + (f"?{query}" if query else "")


def run_sessions(group, attendees: int, *, sessions=7, names=UNMISTAKABLE_NAMES):
    """`sessions` weekly held sessions in the period, each attended by the same `attendees`
    members, and one follow-up raised for the last of them."""
    members = [MemberFactory(group=group, display_name=names[index]) for index in range(attendees)]
    for week in range(sessions):
        session = GroupSessionFactory(
            group=group, date=END - datetime.timedelta(days=7 * week), register_taken_at=timezone.now()
        )
        for member in members:
            AttendanceFactory(session=session, member=member, status=Attendance.Status.PRESENT)
    FollowUpFactory(member=members[-1], session=session, assignee=None)
    FollowUp.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    return members


def cells_of_row(html: str, label: str) -> dict[str, str]:
    """The report table's row for `label`, as {heading: shown value}."""
    headings = re.findall(r'<th scope="col">(.*?)</th>', html)
    row = re.search(rf">{re.escape(label)}</th>(.*?)</tr>", html, re.S)
    assert row, f"no row for {label}"
    return dict(zip(headings[1:], re.findall(r"<td>(.*?)</td>", row.group(1)), strict=False))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def csv_row(response, label) -> dict[str, str]:
    rows = csv_rows(response)
    header = next(row for row in rows if row[:1] == ["Group"])
    return dict(zip(header, next(row for row in rows if row[:1] == [label]), strict=True))


# Who may see it -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, group):
    address = report_url(group=group.pk)

    response = client.get(address)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_people_outside_the_group_are_told_it_does_not_exist(client, group, outsider):
    client.force_login(outsider)

    assert client.get(report_url(group=group.pk)).status_code == 404


@pytest.mark.parametrize("nonsense", ["abc", "99999999", "1.5"])
def test_a_group_that_is_not_there_is_not_found(client, group, coordinator, nonsense):
    client.force_login(coordinator)

    assert client.get(report_url(group=nonsense)).status_code == 404


def test_facilitators_are_refused_a_group_report(client, group, facilitator):
    client.force_login(facilitator)

    assert client.get(report_url(group=group.pk)).status_code == 403


def test_facilitators_are_refused_the_csv_too_and_nothing_is_logged(client, group, facilitator):
    client.force_login(facilitator)

    assert client.get(report_url(group=group.pk, format="csv")).status_code == 403
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
def test_coordinators_and_supervisors_see_the_groups_report(client, group, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(report_url(group=group.pk, **PERIOD))

    assert response.status_code == 200
    assert [row.label for row in response.context["report"].rows] == [group.name]


def test_superusers_see_every_group(client, group):
    other = launched_group("Hillside group")
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(report_url(**PERIOD))

    assert [row.label for row in response.context["report"].rows] == [other.name, group.name]


def test_someone_who_only_facilitates_gets_an_empty_report_that_says_why(client, group, facilitator):
    client.force_login(facilitator)

    response = client.get(report_url())

    assert response.status_code == 200
    assert response.context["report"] is None
    assert "you do not coordinate or supervise any" in response.content.decode()
    assert "<table" not in response.content.decode()


def test_all_groups_means_those_the_person_coordinates_or_supervises(client, group, coordinator):
    facilitated = launched_group("Facilitated only")
    GroupRoleFactory(group=facilitated, user=coordinator, role=GroupRole.Role.LEAD_FACILITATOR)
    supervised = launched_group("Supervised")
    GroupRoleFactory(group=supervised, user=coordinator, role=GroupRole.Role.SUPERVISOR)
    client.force_login(coordinator)

    response = client.get(report_url(**PERIOD))

    assert [row.label for row in response.context["report"].rows] == [group.name, supervised.name]
    assert response.context["report"].total.label == "All these groups"


# Small numbers --------------------------------------------------------------------------------


def test_three_attendees_are_shown_as_fewer_than_5_on_the_page_and_in_the_csv(client, group, coordinator):
    run_sessions(group, attendees=3)
    client.force_login(coordinator)

    page = client.get(report_url(group=group.pk, **PERIOD)).content.decode()
    sheet = client.get(report_url(group=group.pk, format="csv", **PERIOD))

    assert cells_of_row(page, group.name)[ATTENDEES] == "fewer than 5"
    assert csv_row(sheet, group.name)[ATTENDEES] == "fewer than 5"
    # The average rests on 3 members, so it would give them away.
    assert csv_row(sheet, group.name)["Average attendance per held session"] == "not shown"
    assert cells_of_row(page, group.name)["Sessions held"] == "5"  # 7, rounded to the nearest 5


def test_eight_attendees_are_shown_rounded_to_10_on_the_page_and_in_the_csv(client, group, coordinator):
    run_sessions(group, attendees=8, names=[*UNMISTAKABLE_NAMES, "Wenceslava"])
    client.force_login(coordinator)

    page = client.get(report_url(group=group.pk, **PERIOD)).content.decode()
    sheet = client.get(report_url(group=group.pk, format="csv", **PERIOD))

    assert cells_of_row(page, group.name)[ATTENDEES] == "10"
    assert csv_row(sheet, group.name)[ATTENDEES] == "10"
    assert cells_of_row(page, group.name)["Sessions held"] == "5"  # 7, rounded
    assert csv_row(sheet, group.name)["Average attendance per held session"] == "8.0"
    assert csv_row(sheet, group.name)["Follow-ups raised"] == "fewer than 5"


def test_a_month_with_fewer_than_5_sessions_is_hidden_in_the_chart_and_its_table(client, group, coordinator):
    run_sessions(group, attendees=5, sessions=2)
    client.force_login(coordinator)

    response = client.get(report_url(group=group.pk, **PERIOD))
    html = response.content.decode()

    shown = [month.held for month in response.context["report"].months]
    assert set(shown) == {"fewer than 5"}
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="chart-small"' in chart
    assert 'class="chart-bar"' not in chart
    assert re.search(r"<td>fewer than 5</td>", html[html.index("The chart's numbers") :])


def test_no_member_name_appears_anywhere_in_the_page_or_the_csv(client, group, coordinator, supervisor):
    names = run_sessions(group, attendees=7)
    for person in (coordinator, supervisor):
        client.force_login(person)
        for params in ({}, {"group": group.pk}):
            page = client.get(report_url(**params, **PERIOD)).content.decode()
            sheet = client.get(report_url(**params, format="csv", **PERIOD)).content.decode()
            for member in names:
                assert member.display_name not in page
                assert member.display_name not in sheet


# The CSV --------------------------------------------------------------------------------------


def test_the_csv_is_a_download_named_after_the_period_and_its_export_is_logged(client, group, coordinator):
    run_sessions(group, attendees=7)
    client.force_login(coordinator)

    response = client.get(report_url(group=group.pk, format="csv", **PERIOD))

    assert response["Content-Type"].startswith("text/csv")
    # The period asked for, widened to whole months.
    first, last = whole_months(START, END)
    assert response["Content-Disposition"] == (
        f'attachment; filename="funder-report-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.csv"'
    )
    event = AccessEvent.objects.get()
    assert (event.user, event.group, event.action) == (coordinator, group, AccessEvent.Action.EXPORTED_REPORT)
    assert event.detail == f"funder report CSV {first:%Y-%m-%d} to {last:%Y-%m-%d}"


def test_the_page_itself_logs_nothing(client, group, coordinator):
    client.force_login(coordinator)

    client.get(report_url(group=group.pk, **PERIOD))

    assert not AccessEvent.objects.exists()


def test_a_group_name_cannot_become_a_spreadsheet_formula(client, coordinator):
    hostile = launched_group("=HYPERLINK(1)")
    GroupRoleFactory(group=hostile, user=coordinator, role=GroupRole.Role.COORDINATOR)
    client.force_login(coordinator)

    response = client.get(report_url(group=hostile.pk, format="csv", **PERIOD))

    labels = [row[0] for row in csv_rows(response) if row]
    assert "'=HYPERLINK(1)" in labels
    assert "=HYPERLINK(1)" not in labels


# The period -----------------------------------------------------------------------------------


def test_the_period_defaults_to_the_last_twelve_months(client, group, coordinator):
    client.force_login(coordinator)

    response = client.get(report_url())

    report = response.context["report"]
    assert (report.start, report.end) == last_twelve_months(TODAY)
    assert report.start.day == 1 and report.end.month == TODAY.month


def test_the_last_twelve_months_are_whole_calendar_months_up_to_the_end_of_this_one():
    assert last_twelve_months(datetime.date(2026, 10, 31)) == (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    assert last_twelve_months(datetime.date(2026, 10, 5)) == (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    assert last_twelve_months(datetime.date(2028, 2, 29)) == (datetime.date(2027, 3, 1), datetime.date(2028, 2, 29))


def test_a_period_that_ends_before_it_starts_is_refused_beside_the_field_keeping_the_typing(client, group, coordinator):
    client.force_login(coordinator)

    response = client.get(report_url(group=group.pk, **{"from": "2026-05-01", "to": "2026-04-01"}))
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors == {"to": ["The end of the period must be on or after its start."]}
    assert 'value="2026-05-01"' in html and 'value="2026-04-01"' in html
    assert "The end of the period must be on or after its start." in html


def test_a_refused_period_downloads_nothing(client, group, coordinator):
    client.force_login(coordinator)

    response = client.get(report_url(group=group.pk, format="csv", **{"from": "2026-05-01", "to": "2026-04-01"}))

    assert response["Content-Type"].startswith("text/html")
    assert not AccessEvent.objects.exists()


def test_a_date_that_is_not_a_date_is_refused_beside_its_field(client, group, coordinator):
    client.force_login(coordinator)

    response = client.get(report_url(**{"from": "last Tuesday", "to": END.isoformat()}))

    assert "from" in response.context["form"].errors
    assert 'value="last Tuesday"' in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ("9999-01-01", "9999-12-31", {"from", "to"}),
        ("2026-01-01", "9999-12-31", {"to"}),
        ("0001-01-01", "0001-12-31", {"from", "to"}),
        ("1999-12-31", "2000-06-30", {"from"}),
    ],
)
@pytest.mark.parametrize("csv_format", [False, True])
def test_a_date_outside_the_years_a_report_can_cover_is_refused_beside_its_field(
    client, group, coordinator, start, end, refused, csv_format
):
    """The year 9999 was a server error on the page and in the CSV (the day after 31 December
    9999 does not exist): a date from 2000 to the end of next year is asked for instead."""
    client.force_login(coordinator)
    latest = datetime.date(TODAY.year + 1, 12, 31)
    message = f"Choose a date from 1 January 2000 to {latest:%-d %B %Y}."

    response = client.get(report_url(**{"from": start, "to": end}, **({"format": "csv"} if csv_format else {})))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["report"] is None
    assert {field: errors for field, errors in response.context["form"].errors.items()} == {
        field: [message] for field in refused
    }
    assert message in html
    assert f'value="{start}"' in html and f'value="{end}"' in html
    assert not AccessEvent.objects.exists()


def test_the_first_and_last_days_a_report_can_cover_are_accepted(client, group, coordinator):
    client.force_login(coordinator)
    latest = datetime.date(TODAY.year + 1, 12, 31)

    first = client.get(report_url(**{"from": "2000-01-01", "to": "2000-12-31"}))
    last = client.get(report_url(**{"from": f"{TODAY.year}-01-01", "to": latest.isoformat()}))

    assert first.context["report"] is not None
    assert last.context["report"] is not None


# The chart ------------------------------------------------------------------------------------


def test_the_chart_is_an_accessible_image_with_its_numbers_in_a_table(client, group, coordinator):
    run_sessions(group, attendees=7, sessions=12)
    client.force_login(coordinator)

    html = client.get(report_url(group=group.pk, **PERIOD)).content.decode()

    assert '<svg role="img" aria-labelledby="held-chart-title held-chart-desc"' in html
    assert '<title id="held-chart-title">' in html and '<desc id="held-chart-desc">' in html
    assert "<caption>The chart's numbers</caption>" in html
    assert 'class="chart-bar"' in html


def test_the_page_has_no_inline_styles_or_scripts(client, group, coordinator):
    run_sessions(group, attendees=7, sessions=12)
    client.force_login(coordinator)

    html = client.get(report_url(**PERIOD)).content.decode()

    assert "style=" not in html
    assert "<style" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


# A fixed number of queries --------------------------------------------------------------------


def _queries_for(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(report_url(**params))
    assert response.status_code == 200
    return len(queries)


def test_the_report_runs_the_same_few_queries_for_one_group_or_five(client, group, coordinator):
    run_sessions(group, attendees=6)
    client.force_login(coordinator)
    # Worked out, then from the cache (reports.funder.figures_of_groups): two queries fewer.
    assert _queries_for(client, **PERIOD) <= REPORT_MAX_QUERIES
    one_group = _queries_for(client, **PERIOD)
    one_group_csv = _queries_for(client, format="csv", **PERIOD)

    for index in range(4):
        other = launched_group(f"Group {index}")
        GroupRoleFactory(group=other, user=coordinator, role=GroupRole.Role.COORDINATOR)
        run_sessions(other, attendees=7, names=[f"Member {index}-{n}" for n in range(7)])

    assert len(response_rows := client.get(report_url(**PERIOD)).context["report"].rows) == 5
    assert all(row.cells for row in response_rows)
    assert _queries_for(client, **PERIOD) == one_group <= REPORT_MAX_QUERIES
    # The CSV adds only the access log entry.
    assert _queries_for(client, format="csv", **PERIOD) == one_group_csv == one_group + 1 - MENU_QUERIES
