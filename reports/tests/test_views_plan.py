"""The printable plan and its PDF: the whole plan, for everyone on the team, and nobody else."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from groups.checklist import CHECKLIST, SOURCE_DOCUMENTS, items_for
from groups.models import ChecklistAnswer
from groups.tests.factories import (
    AimFactory,
    ChecklistAnswerFactory,
    ExitStrategyFactory,
    FacilitatorSupportPlanFactory,
    RiskAssessmentFactory,
    RiskFactory,
    RuleFactory,
)
from reports.pdf import PdfTookTooLong, StaticFilesFetcher, html_to_pdf
from reports.views import PDF_TOOK_TOO_LONG

pytestmark = pytest.mark.django_db

TEAM = ["coordinator", "facilitator", "supervisor"]
PLAN_PAGES = ["reports:plan_print", "reports:plan_pdf"]
PRINT_MAX_QUERIES = 10


def url(name, group):
    return reverse(name, kwargs={"pk": group.pk})


@pytest.fixture
def written_plan(group, coordinator, facilitator, supervisor):
    """A plan with something in every part: an aim, a rule, an answer and the three documents."""
    AimFactory(group=group, text="Members learn to explore difficult emotions safely.")
    RuleFactory(group=group, text="Phones on silent during the session.")
    ChecklistAnswerFactory(group=group, item_key="sounded_out", answer="Members asked for a group at a drop-in.")
    ChecklistAnswerFactory(
        group=group,
        item_key="not_joining",
        status=ChecklistAnswer.Status.NOT_APPLICABLE,
        answer="",
        not_applicable_reason="Decided by the commissioning panel.",
    )
    RiskFactory(assessment=RiskAssessmentFactory(group=group), title="Members compare scars", source="LS-C5")
    ExitStrategyFactory(group=group, group_ending="Three months' notice and a planned last session.")
    FacilitatorSupportPlanFactory(group=group, facilitator_wellbeing="Reflective practice every month.")
    return group


# Who may see it -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PLAN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, group, name):
    response = client.get(url(name, group))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url(name, group)}"


@pytest.mark.parametrize("name", PLAN_PAGES)
def test_people_outside_the_group_are_told_it_does_not_exist(client, group, outsider, name):
    client.force_login(outsider)

    assert client.get(url(name, group)).status_code == 404


@pytest.mark.parametrize("name", PLAN_PAGES)
@pytest.mark.parametrize("role", TEAM)
def test_everyone_on_the_team_may_have_the_plan_on_paper(client, written_plan, role, name, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url(name, written_plan)).status_code == 200


def test_the_plan_page_links_to_the_printable_plan(client, group, facilitator):
    client.force_login(facilitator)

    html = client.get(reverse("groups:plan", kwargs={"pk": group.pk})).content.decode()

    assert f'<a href="{url("reports:plan_print", group)}">Print or download the plan</a>' in html


# What it shows --------------------------------------------------------------------------------


def test_the_print_page_lists_every_checklist_question_with_where_it_comes_from(client, written_plan, supervisor):
    client.force_login(supervisor)

    html = client.get(url("reports:plan_print", written_plan)).content.decode()

    # Every question an adult group is asked, and none it is not (under-18 questions).
    for item in CHECKLIST:
        assert (escape(item.prompt) in html) is (item in items_for(written_plan))
    for document in SOURCE_DOCUMENTS.values():
        assert escape(document) in html


def test_the_print_page_shows_every_part_of_the_plan(client, written_plan, facilitator):
    client.force_login(facilitator)

    html = client.get(url("reports:plan_print", written_plan)).content.decode()

    for text in [
        written_plan.purpose,
        "Members learn to explore difficult emotions safely.",
        "Phones on silent during the session.",
        "Members asked for a group at a drop-in.",
        "Decided by the commissioning panel.",
        "Members compare scars",
        "LS-C5",
        "Three months&#x27; notice and a planned last session.",
        "Reflective practice every month.",
    ]:
        assert text in html
    assert 'rel="stylesheet" href="/static/reports/print.css"' in html


def test_the_print_stylesheet_lays_the_plan_out_for_paper():
    css = StaticFilesFetcher._read("reports/print.css").decode()

    assert "@media print" in css
    assert "@page" in css


def test_the_print_page_has_no_inline_styles_or_scripts(client, written_plan, coordinator):
    client.force_login(coordinator)

    html = client.get(url("reports:plan_print", written_plan)).content.decode()

    assert "style=" not in html and "<style" not in html and "<script" not in html


def _queries_for(client, group) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("reports:plan_print", group)).status_code == 200
    return len(queries)


def test_the_print_page_runs_the_same_queries_however_long_the_plan_is(client, written_plan, coordinator):
    client.force_login(coordinator)
    short_plan = _queries_for(client, written_plan)

    assessment = written_plan.risk_assessment
    for index in range(10):
        AimFactory(group=written_plan, text=f"Aim {index}")
        RuleFactory(group=written_plan, text=f"Rule {index}")
        RiskFactory(assessment=assessment, title=f"Risk {index}")
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(group=written_plan, item_key=item.key, answer="Agreed.", status=ChecklistAnswer.Status.DONE)
        for item in CHECKLIST
        if item.key not in {"sounded_out", "not_joining"}
    )

    assert _queries_for(client, written_plan) == short_plan <= PRINT_MAX_QUERIES


# The PDF --------------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_file_named_after_the_group(client, written_plan, coordinator):
    client.force_login(coordinator)

    response = client.get(url("reports:plan_pdf", written_plan))

    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="plan-riverside-evening-group-{today:%Y-%m-%d}.pdf"'
    )


def test_a_plan_with_nothing_written_yet_still_makes_a_pdf(client, group, coordinator):
    client.force_login(coordinator)

    response = client.get(url("reports:plan_pdf", group))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_pdf_fetches_nothing_but_static_files(client, written_plan, coordinator, monkeypatch, tmp_path):
    # The PDF is made in a child process (see reports/pdf.py), so the spy writes to a file.
    asked = tmp_path / "asked.txt"
    original = StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        with asked.open("a") as file:
            file.write(url + "\n")
        return original(self, url, headers)

    monkeypatch.setattr(StaticFilesFetcher, "fetch", spy)
    client.force_login(coordinator)

    client.get(url("reports:plan_pdf", written_plan))

    assert "http://testserver/static/reports/print.css" in asked.read_text().splitlines()


def test_a_pdf_that_takes_too_long_is_stopped_and_the_printable_page_says_to_print_it_instead(
    client, written_plan, coordinator, settings
):
    """A megabyte in the exit strategy once took 25 seconds to lay out, and gunicorn killed the
    worker: a server error. Here the limit is a millisecond, so any plan is too long."""
    settings.PDF_TIME_LIMIT_SECONDS = 0.001
    client.force_login(coordinator)

    response = client.get(url("reports:plan_pdf", written_plan))

    assert response.status_code == 302
    assert response.url == url("reports:plan_print", written_plan)
    page = client.get(response.url).content.decode()
    assert '<div class="print-messages" role="alert">' in page
    assert escape(PDF_TOOK_TOO_LONG) in page
    assert "Print this page instead" in PDF_TOOK_TOO_LONG


def test_making_a_pdf_is_stopped_at_its_time_limit():
    html = "<h1>A plan</h1>" + "<p>We talk it through.</p>" * 20_000

    started = time.monotonic()
    with pytest.raises(PdfTookTooLong):
        html_to_pdf(html, base_url="http://testserver/", time_limit=0.5)

    # Stopped, not waited for: pebble polls every 0.1 s and then ends the child process.
    assert time.monotonic() - started < 5


def test_a_pdf_made_within_its_time_limit_is_returned():
    assert html_to_pdf("<h1>A plan</h1>", base_url="http://testserver/", time_limit=60).startswith(b"%PDF")


def test_the_pdf_fetcher_serves_static_files_from_disk_and_refuses_other_addresses():
    fetcher = StaticFilesFetcher("http://testserver/")

    response = fetcher.fetch("http://testserver/static/reports/print.css")

    assert response.content_type == "text/css"
    assert b"@media print" in response.read()
    for address in [
        "https://example.org/static/reports/print.css",
        "http://testserver/admin/",
        "file:///etc/passwd",
        "http://testserver/static/../groups_site/settings.py",
        "http://testserver/static/reports/missing.css",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(address)


def test_superusers_may_print_any_plan(client, written_plan):
    client.force_login(UserFactory(is_superuser=True))

    assert client.get(url("reports:plan_print", written_plan)).status_code == 200
