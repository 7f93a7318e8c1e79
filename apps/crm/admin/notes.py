"""Notes and their earlier versions (read-only)."""

from django import forms
from django.contrib import admin

from apps.core.admin import DeletesDependentHistory, ReadOnlyInlineMixin

from .. import services
from ..models import Note, NoteVersion
from .base import AUDIT_FIELDS, ServiceBackedAdmin, adopt_saved, changed_values


class NoteVersionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = NoteVersion
    fields = ["version", "title", "body", "edited_by", "created_at"]
    select_related = ("edited_by",)


class NoteAdminForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["client", "project", "title", "body"]

    def clean(self):
        data = super().clean()
        # Only the add form has both; on a saved note they are read-only.
        adding = "client" in self.fields and "project" in self.fields
        if adding and bool(data.get("client")) == bool(data.get("project")):
            raise forms.ValidationError("Choose a client or a project (one of them).")
        return data


@admin.register(Note)
class NoteAdmin(DeletesDependentHistory, ServiceBackedAdmin):
    form = NoteAdminForm
    list_display = ["__str__", "client", "project", "workspace", "author", "version", "updated_at"]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["title", "body_text", "client__name", "project__name"]
    list_select_related = ["client", "project", "workspace", "author"]
    autocomplete_fields = ["client", "project"]
    fields = [
        "client",
        "project",
        "workspace",
        "title",
        "body",
        "version",
        "author",
        "updated_by",
        *AUDIT_FIELDS,
    ]
    readonly_fields = ["workspace", "version", "author", "updated_by", *AUDIT_FIELDS]
    create_only_fields = ["client", "project"]
    inlines = [NoteVersionInline]
    dependent_history = (NoteVersion,)

    def get_inlines(self, request, obj):
        # A note being written has no history yet.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = changed_values(form, ["title", "body"])
            note = services.update_note(note=obj, actor=request.user, **changed)
        else:
            note = services.create_note(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                client=data["client"],
                project=data["project"],
            )
        adopt_saved(obj, note)

    def delete_model(self, request, obj):
        services.delete_note(note=obj, actor=request.user)


@admin.register(NoteVersion)
class NoteVersionAdmin(admin.ModelAdmin):
    """Earlier states of notes: history, so staff read them and nothing else."""

    list_display = ["note", "version", "edited_by", "created_at"]
    search_fields = ["note__title", "title", "body"]
    list_select_related = ["note", "edited_by"]
    fields = ["id", "note", "version", "title", "body", "edited_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
