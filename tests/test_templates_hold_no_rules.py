"""Templates show what the models and views decided, and decide nothing: no status or role is
compared in a template. A model says what a status means (`status_tone`, `is_running`,
`has_left`, `SupportGroup.ALLOWED_TRANSITIONS`), and a view passes exact permission booleans
(`can_record_session`, `can_subscribe_to_calendar`)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# A status or a role compared with a literal (`member.status == "active"`, `role != 'supervisor'`),
# or who is a superuser.
RULE = re.compile(r"""(\b(status|role)\s*(==|!=|\bin\b)\s*['"])|is_superuser""")


def rules_in(path: Path) -> list[str]:
    return [
        f"{path.relative_to(path.parents[1])}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if RULE.search(line)
    ]


def test_no_template_compares_a_status_or_a_role():
    assert [rule for path in sorted(TEMPLATES.rglob("*.html")) for rule in rules_in(path)] == []


def test_the_check_catches_a_status_or_role_compared_in_a_template(tmp_path):
    sample = tmp_path / "app" / "page.html"
    sample.parent.mkdir()
    sample.write_text(
        '{% if member.status == "active" %}A{% endif %}\n'
        "{% if status != 'closed' %}B{% endif %}\n"
        '{% if role in "coordinator supervisor" %}C{% endif %}\n'
        "{% if user.is_superuser %}D{% endif %}\n"
        "{% status_tag group.status_tone group.get_status_display %}\n"
        "{% if can_record_session %}E{% endif %}\n"
    )
    assert len(rules_in(sample)) == 4
