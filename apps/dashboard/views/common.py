"""What the page areas share: turning a service's refusal into a message or a form error."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from apps.core.errors import ApplicationError

# A service says no with ApplicationError (a business rule) or, from `full_clean`, ValidationError.
Refusal = (ApplicationError, ValidationError)


def refusal_message(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


def report(request, error: Exception) -> None:
    messages.error(request, refusal_message(error))


def form_errors(form) -> str:
    """A form's errors as one line, for a form posted from a detail page."""
    parts = []
    for field, errors in form.errors.items():
        label = form[field].label if field in form.fields else ""
        parts += [f"{label}: {error}" if label else error for error in errors]
    return " ".join(parts)
