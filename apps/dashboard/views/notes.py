from django.contrib import messages

from apps.crm import services

from ..forms import NoteForm
from .common import Refusal, form_errors, report


def add_note(request, **parent) -> None:
    """Add the posted note to `client=` or `project=`; say how it went."""
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The note was not added. {form_errors(form)}")
        return
    try:
        services.create_note(actor=request.user, **form.cleaned_data, **parent)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, "Note added.")
