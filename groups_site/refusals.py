"""Showing a rule's refusal on the form that asked for the change."""

from django.core.exceptions import ValidationError


def show_refusal(form, error: ValidationError, *, field_names: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the bound form, so the person's typing stays: beside
    the field it names when the form has that field, otherwise at the top of the form.

    `field_names` maps a model field to the form field that fills it, where they differ.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    field_names = field_names or {}
    for name, messages in error.message_dict.items():
        name = field_names.get(name, name)
        form.add_error(name if name in form.fields else None, messages)
