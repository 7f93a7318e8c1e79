"""The shared base: model forms validate, services write."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from apps.core.errors import ApplicationError

AUDIT_FIELDS = ["id", "created_at", "updated_at"]


def adopt_saved(instance, saved) -> None:
    """Make the admin's form instance the row a service saved, so the admin's log entry,
    inlines and redirect all point at it."""
    for field in instance._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


def changed_values(form, fields) -> dict:
    return {field: form.cleaned_data[field] for field in form.changed_data if field in fields}


class ServiceBackedAdmin(admin.ModelAdmin):
    """Saves and deletes through the services. A business rule a service enforces (an archived
    client takes no projects) comes back as an error message rather than a server error."""

    create_only_fields: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [f for f in self.create_only_fields if f not in readonly]
        return readonly

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            # Raised inside the admin's transaction, which has rolled back by now.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def stored(self, obj):
        """The row as it is in the database; the form has already written onto `obj`."""
        return type(obj)._default_manager.get(pk=obj.pk)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
