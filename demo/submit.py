"""Filling in the app's own forms, as a person would on its pages, so the demo's data passes the
same checks as anyone's."""

from django.forms import model_to_dict


def valid(form):
    """The form, once it has passed the checks the page makes. A demo that fills one in wrongly
    is a bug in the demo, so it stops with the form's own errors."""
    if not form.is_valid():
        # A formset keeps its own errors (too many forms, say) apart from its forms'.
        problems = [form.errors, *([form.non_form_errors()] if hasattr(form, "non_form_errors") else [])]
        raise ValueError(f"The demo filled in {type(form).__name__} wrongly: {problems!r}")
    return form


def data_for(instance, form_class, **more) -> dict:
    """What a person would submit on `form_class`'s page to give `instance`'s values (and `more`)."""
    values = model_to_dict(instance, fields=form_class._meta.fields) | more
    return {name: value for name, value in values.items() if value is not None}
