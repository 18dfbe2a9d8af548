"""Notes for developers in templates stay out of the pages.

Django's `{# #}` comment ends at the end of its line: one spread over two lines is not a comment
at all, and its text is shown to whoever opens the page (a note about a partial's arguments once
showed on every supervisor's dashboard). Longer notes go in `{% comment %}`.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.access_matrix import sign_in

# `{#` with no `#}` before the end of its line.
UNCLOSED_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + sorted(Path(settings.BASE_DIR).glob("*/templates"))


def project_templates():
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*") if path.is_file())


def test_the_scan_sees_the_project_templates_and_would_catch_a_two_line_comment():
    assert len(project_templates()) > 20
    assert UNCLOSED_COMMENT.search("<p>\n{# A note\n   over two lines. #}\n</p>")
    assert not UNCLOSED_COMMENT.search("{# One line. #}<p>{{ x }}</p>{# And another. #}\n")


def test_no_template_has_a_comment_over_several_lines():
    unclosed = [
        f"{path.relative_to(settings.BASE_DIR)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in project_templates()
        for text in [path.read_text(encoding="utf-8")]
        for match in UNCLOSED_COMMENT.finditer(text)
    ]

    assert not unclosed, "Use {% comment %} for a note over several lines: " + ", ".join(unclosed)


@pytest.mark.parametrize("url_name", ["sessions_log:dashboard", "sessions_log:review_queue"])
def test_the_supervisors_review_queue_shows_no_note_for_developers(client, world, url_name):
    debrief = world.objects["debrief_pk"]

    html = sign_in(client, world.people["supervisor"]).get(reverse(url_name)).content.decode()

    # The queue is there (the debrief waiting for review links to it), and the note is not.
    assert reverse("sessions_log:debrief", args=[world.group.pk, debrief.pk]) in html
    assert "review_due_days" not in html
    assert "never their content" not in html
