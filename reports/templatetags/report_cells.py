"""Table cells and list options the funder report prints by the hundred (a row per group, every
group of the organisation for an administrator): one join each, where a template loop costs a
context and a lookup per cell, and format_html a dozen calls per cell."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def as_cells(cells):
    """<td> for each of a row's cells, escaped."""
    return mark_safe("".join(f"<td>{escape(str(cell))}</td>" for cell in cells))  # noqa: S308 (escaped here)


@register.filter
def as_options(options):
    """<option> for each (value, label, selected), escaped."""
    return mark_safe(  # noqa: S308 (escaped here)
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if selected else ""}>{escape(str(label))}</option>'
            for value, label, selected in options
        )
    )
