"""{{ text|names_hidden:hidden_names }}: free text about a group's sessions as the reader may see it,
where the view passes `hidden_names = sessions_log.redaction.names_hidden_from(user, group)`
(None for those who see members' names). The view decides; the filter only applies it."""

from django import template

from sessions_log.redaction import shown

register = template.Library()


@register.filter
def names_hidden(text, hidden_names):
    return shown(text, hidden_names) if text else text
