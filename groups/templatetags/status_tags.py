"""`{% status_tag tone label %}`: a status in words, its colour repeating them.

A simple tag rather than an included template: status tags sit in loops (a list's every row),
and each `{% include %}` costs a template lookup and a new context, where this is one format_html.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def status_tag(tone, label):
    """The tone is one of Bootstrap's (success, warning, danger, dark, secondary); the label says it."""
    return format_html('<span class="status-tag badge text-bg-{}">{}</span>', tone or "secondary", label)
