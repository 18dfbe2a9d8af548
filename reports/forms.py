import datetime
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone

from groups.forms import template_form_helper

from .funder import whole_months

# Long enough for any funding cycle; short enough that the monthly chart stays readable.
LONGEST_PERIOD = datetime.timedelta(days=5 * 366)
# Before any group here ran. A report may look ahead to the end of next year (the sessions planned);
# a date such as 31 December 9999 was a server error, as the day after it does not exist.
EARLIEST_DATE = datetime.date(2000, 1, 1)


def latest_date(today: datetime.date) -> datetime.date:
    return datetime.date(today.year + 1, 12, 31)


def last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve calendar months up to the end of this one: any day of October 2026 gives
    1 November 2025 to 31 October 2026 (reports count whole months only)."""
    months = today.year * 12 + today.month - 1 - 11
    return whole_months(datetime.date(months // 12, months % 12 + 1, 1), today)


@dataclass
class ShownField:
    name: str
    id: str
    label: str
    required: bool
    errors: list
    value: str
    # (value, label, selected) for the list of groups; empty for a date.
    options: list = field(default_factory=list)


class FunderReportForm(forms.Form):
    """Which groups and which period. The dates are called `from` and `to` in the address, so
    a link to a report reads plainly; `from` is a Python keyword, hence the fields are added in
    __init__."""

    group = forms.TypedChoiceField(label="Groups", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All the groups I coordinate or supervise")] + [
            (group.pk, group.name) for group in groups
        ]
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label="From", widget=date_input)
        self.fields["to"] = forms.DateField(label="To (inclusive)", widget=date_input)
        self.helper = template_form_helper()

    def shown_fields(self) -> list["ShownField"]:
        """The three fields as the page shows them, worked out here: what crispy-forms would
        render, without the dozens of templates it includes for three fields (a quarter of this
        page's time), and a list of groups that may run to every group of the organisation."""
        shown = []
        for name in ("group", "from", "to"):
            bound = self[name]
            value = bound.value()
            field = ShownField(
                name=name,
                id=bound.auto_id,
                label=bound.label,
                required=bound.field.required,
                errors=list(bound.errors),
                value="" if value is None else str(bound.field.widget.format_value(value) or ""),
            )
            if name == "group":
                chosen = "" if value in (None, "") else str(value)
                field.options = [(str(pk), label, str(pk) == chosen) for pk, label in bound.field.choices]
            shown.append(field)
        return shown

    def _within_reach(self, name) -> datetime.date:
        day = self.cleaned_data[name]
        latest = latest_date(timezone.localdate())
        if not EARLIEST_DATE <= day <= latest:
            raise forms.ValidationError(f"Choose a date from {EARLIEST_DATE:%-d %B %Y} to {latest:%-d %B %Y}.")
        return day

    def clean_from(self):
        return self._within_reach("from")

    def clean_to(self):
        return self._within_reach("to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end:
            if end < start:
                self.add_error("to", "The end of the period must be on or after its start.")
            elif end - start > LONGEST_PERIOD:
                self.add_error("from", "Choose a period of five years or less.")
            else:
                # Whole calendar months only, so no report can be subtracted from another to
                # count a few days (reports.funder.suppress).
                cleaned["from"], cleaned["to"] = whole_months(start, end)
        return cleaned
