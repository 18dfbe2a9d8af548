"""The errors of one or more forms, each as a link to the field it is about, for the error summary
at the top of a form (templates/partials/error_summary.html, after the GOV.UK error summary)."""

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    text: str
    # The id of the control to move to (the first radio or checkbox of a group), or "" for an
    # error about the whole form.
    target: str = ""


def _control_id(field: forms.BoundField) -> str:
    """The id of the control a person types in or picks, which a label points to. A group of
    radios or checkboxes has no single one (its legend names it), so its first option."""
    if field.id_for_label:
        return field.id_for_label
    options = field.subwidgets
    return options[0].id_for_label if options else field.auto_id or ""


def _about(field: forms.BoundField, message: str) -> str:
    """The message with the field's label before it, as a question ends with its own mark."""
    label = str(field.label or field.name).strip().rstrip(":")
    return f"{label} {message}" if label.endswith(("?", ".")) else f"{label}: {message}"


def _form_errors(form: forms.BaseForm) -> list[SummaryError]:
    """A form one of several alike on the page (a checklist question, a risk) may have an
    `error_summary_name`, shown before each of its errors, as it is in the form's legend."""
    name = getattr(form, "error_summary_name", "")
    errors = []
    for message in form.non_field_errors():
        errors.append(SummaryError(f"{name} \N{EN DASH} {message}" if name else str(message)))
    for field in form:
        for message in field.errors:
            text = str(message) if field.is_hidden else _about(field, message)
            if name:
                text = f"{name} \N{EN DASH} {text}"
            errors.append(SummaryError(text, "" if field.is_hidden else _control_id(field)))
    return errors


def summary_errors(*sources) -> list[SummaryError]:
    """Every error of these forms, formsets and lists of forms, in the order they are shown."""
    errors: list[SummaryError] = []
    for source in sources:
        if isinstance(source, forms.BaseForm):
            if source.is_bound:
                errors.extend(_form_errors(source))
        elif isinstance(source, forms.BaseFormSet):
            if source.is_bound:
                errors.extend(SummaryError(str(message)) for message in source.non_form_errors())
                errors.extend(summary_errors(*source.forms))
        elif isinstance(source, list | tuple):
            errors.extend(summary_errors(*source))
    return errors


@register.simple_tag
def error_summary_items(*sources) -> list[SummaryError]:
    """{% error_summary_items form formset forms as errors %}: arguments a template does not have
    (an empty string) are skipped."""
    return summary_errors(*sources)
