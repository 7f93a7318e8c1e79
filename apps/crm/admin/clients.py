"""Clients: archive actions and service-backed edits."""

from django.contrib import admin, messages

from apps.core.admin import DeletesDependentHistory
from apps.core.errors import ApplicationError

from .. import services
from ..models import Client, NoteVersion
from .base import AUDIT_FIELDS, ServiceBackedAdmin, adopt_saved, changed_values


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("yes", "Archived"), ("no", "Not archived")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        return queryset


CLIENT_FIELDS = ["name", "company", "email", "phone", "status"]


@admin.register(Client)
class ClientAdmin(DeletesDependentHistory, ServiceBackedAdmin):
    list_display = ["name", "company", "status", "archived", "workspace", "created_at"]
    list_filter = [
        "status",
        ArchivedFilter,
        ("workspace", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "company", "email"]
    list_select_related = ["workspace"]
    autocomplete_fields = ["workspace"]
    fields = ["workspace", *CLIENT_FIELDS, "archived_at", "created_by", *AUDIT_FIELDS]
    readonly_fields = ["archived_at", "created_by", *AUDIT_FIELDS]
    create_only_fields = ["workspace"]
    actions = ["archive", "unarchive"]
    dependent_history = (NoteVersion,)

    @admin.display(boolean=True, ordering="archived_at")
    def archived(self, client):
        return client.archived

    def save_model(self, request, obj, form, change):
        if change:
            client = services.update_client(
                client=self.stored(obj),
                actor=request.user,
                data=changed_values(form, CLIENT_FIELDS),
            )
        else:
            data = {field: form.cleaned_data[field] for field in CLIENT_FIELDS}
            client = services.create_client(
                workspace=form.cleaned_data["workspace"], actor=request.user, **data
            )
        adopt_saved(obj, client)

    def delete_model(self, request, obj):
        services.delete_client(client=obj, actor=request.user)

    def _set_archived(self, request, queryset, *, archived: bool):
        change = services.archive_client if archived else services.unarchive_client
        done = skipped = 0
        for client in queryset:
            try:
                change(client=client, actor=request.user)
            except ApplicationError:  # in that state already
                skipped += 1
            else:
                done += 1
        verb = "Archived" if archived else "Unarchived"
        self.message_user(request, f"{verb} {done} client(s).", messages.SUCCESS)
        if skipped:
            state = "archived" if archived else "not archived"
            self.message_user(
                request, f"Skipped {skipped} client(s) {state} already.", messages.WARNING
            )

    @admin.action(description="Archive selected clients", permissions=["change"])
    def archive(self, request, queryset):
        self._set_archived(request, queryset, archived=True)

    @admin.action(description="Unarchive selected clients", permissions=["change"])
    def unarchive(self, request, queryset):
        self._set_archived(request, queryset, archived=False)
