"""The error summary at the top of every form (templates/partials/error_summary.html): what it
lists, where each link goes, and that every form on the site has one."""

import re
from pathlib import Path

from django import forms

from groups_site.templatetags.error_summary import SummaryError, summary_errors

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class Sample(forms.Form):
    name = forms.CharField(label="Your name")
    feeling = forms.ChoiceField(label="How are you?", choices=[("ok", "OK"), ("low", "Low")], widget=forms.RadioSelect)
    helpers = forms.MultipleChoiceField(
        label="Who helped", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Someone else saved this first.")


def test_each_error_links_to_the_control_it_is_about():
    form = Sample({"helpers": ["z"]})

    assert summary_errors(form) == [
        SummaryError("Someone else saved this first."),
        SummaryError("Your name: This field is required.", "id_name"),
        # A question's own mark ends its label; a group of options is reached by its first.
        SummaryError("How are you? This field is required.", "id_feeling_0"),
        SummaryError("Who helped: Select a valid choice. z is not one of the available choices.", "id_helpers_0"),
        # A hidden field has nothing to go to.
        SummaryError("This field is required."),
    ]


def test_a_form_with_a_prefix_links_to_its_own_ids():
    form = Sample({}, prefix="second")

    assert SummaryError("Your name: This field is required.", "id_second-name") in summary_errors(form)


def test_forms_one_of_many_are_named_and_unbound_ones_have_nothing_to_say():
    named = Sample({"name": "Ann", "feeling": "ok", "version": "1"})
    named.error_summary_name = "Risk 2"
    formset = forms.formset_factory(Sample, extra=0, min_num=1, validate_min=True)(
        {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"}
    )

    assert summary_errors(Sample(), [named], formset, "") == [
        SummaryError("Risk 2 \N{EN DASH} Someone else saved this first."),
        SummaryError("Please submit at least 1 form."),
    ]


def _form_templates():
    """Templates that draw a form's fields, through crispy or by hand."""
    drawing = re.compile(r"\{% crispy |\|crispy|\|as_crispy_field|form\.rows")
    for path in sorted(TEMPLATES.rglob("*.html")):
        if drawing.search(path.read_text()):
            yield path


def test_every_form_on_the_site_has_the_summary():
    templates = list(_form_templates())

    assert len(templates) > 20
    missing = [
        str(path.relative_to(TEMPLATES))
        for path in templates
        if 'include "partials/error_summary.html"' not in path.read_text()
    ]
    assert missing == []


def test_crispy_does_not_show_errors_about_the_whole_form_a_second_time():
    assert "non_field_errors" not in (TEMPLATES / "bootstrap5" / "errors.html").read_text()
