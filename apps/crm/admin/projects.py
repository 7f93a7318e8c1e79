"""Projects with their milestones and notes inline, and milestones."""

from django.contrib import admin

from apps.core.admin import DeletesDependentHistory, ReadOnlyInlineMixin

from .. import services
from ..models import Milestone, Note, NoteVersion, Project
from .base import AUDIT_FIELDS, ServiceBackedAdmin, adopt_saved, changed_values

MILESTONE_FIELDS = ["title", "due_date", "order", "done"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = [*MILESTONE_FIELDS, "completed_at"]
    readonly_fields = ["completed_at"]


class NoteInline(ReadOnlyInlineMixin, admin.StackedInline):
    """Notes are edited on their own page, where their versions are kept."""

    model = Note
    fk_name = "project"
    show_change_link = True
    fields = ["title", "body", "version", "author", "updated_at"]
    select_related = ("author",)


PROJECT_FIELDS = [
    "name",
    "description",
    "status",
    "start_date",
    "due_date",
    "budget",
    "hourly_rate",
]


@admin.register(Project)
class ProjectAdmin(DeletesDependentHistory, ServiceBackedAdmin):
    list_display = [
        "name",
        "client",
        "workspace",
        "status",
        "start_date",
        "due_date",
        "budget",
        "hourly_rate",
    ]
    list_filter = ["status", ("workspace", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "client__name", "client__company"]
    list_select_related = ["client", "workspace"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["client"]
    fields = ["client", "workspace", *PROJECT_FIELDS, "created_by", *AUDIT_FIELDS]
    readonly_fields = ["workspace", "created_by", *AUDIT_FIELDS]
    create_only_fields = ["client"]
    inlines = [MilestoneInline, NoteInline]
    dependent_history = (NoteVersion,)

    def save_model(self, request, obj, form, change):
        if change:
            project = services.update_project(
                project=self.stored(obj),
                actor=request.user,
                data=changed_values(form, PROJECT_FIELDS),
            )
        else:
            data = {field: form.cleaned_data[field] for field in PROJECT_FIELDS}
            project = services.create_project(
                client=form.cleaned_data["client"], actor=request.user, **data
            )
        adopt_saved(obj, project)

    def delete_model(self, request, obj):
        services.delete_project(project=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Milestone:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        actor = request.user
        for milestone in formset.deleted_objects:
            services.delete_milestone(milestone=milestone, actor=actor)
        for milestone, changed in formset.changed_objects:
            data = {
                field: getattr(milestone, field) for field in changed if field in MILESTONE_FIELDS
            }
            services.update_milestone(milestone=self.stored(milestone), actor=actor, data=data)
        for milestone in formset.new_objects:
            created = services.create_milestone(
                project=form.instance,
                actor=actor,
                title=milestone.title,
                due_date=milestone.due_date,
                order=milestone.order,
            )
            if milestone.done:
                services.update_milestone(milestone=created, actor=actor, data={"done": True})


@admin.register(Milestone)
class MilestoneAdmin(ServiceBackedAdmin):
    list_display = ["title", "project", "workspace", "due_date", "done", "completed_at", "order"]
    list_filter = ["done", ("workspace", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "project__name"]
    list_select_related = ["project", "workspace"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["project"]
    fields = ["project", "workspace", *MILESTONE_FIELDS, "completed_at", *AUDIT_FIELDS]
    readonly_fields = ["workspace", "completed_at", *AUDIT_FIELDS]
    create_only_fields = ["project"]

    def save_model(self, request, obj, form, change):
        if change:
            milestone = services.update_milestone(
                milestone=self.stored(obj),
                actor=request.user,
                data=changed_values(form, MILESTONE_FIELDS),
            )
        else:
            data = form.cleaned_data
            milestone = services.create_milestone(
                project=data["project"],
                actor=request.user,
                title=data["title"],
                due_date=data["due_date"],
                order=data["order"],
            )
            if data["done"]:
                services.update_milestone(
                    milestone=milestone, actor=request.user, data={"done": True}
                )
        adopt_saved(obj, milestone)

    def delete_model(self, request, obj):
        services.delete_milestone(milestone=obj, actor=request.user)
