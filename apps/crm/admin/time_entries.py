"""Time entries: stop running timers; edit description, billable, rate."""

from django.contrib import admin, messages

from apps.core.errors import ApplicationError

from .. import services
from ..models import TimeEntry
from .base import AUDIT_FIELDS, ServiceBackedAdmin, adopt_saved, changed_values


class RunningFilter(admin.SimpleListFilter):
    title = "running"
    parameter_name = "running"

    def lookups(self, request, model_admin):
        return [("yes", "Running"), ("no", "Finished")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(ended_at__isnull=False)
        return queryset


TIME_ENTRY_FIELDS = ["description", "billable", "hourly_rate"]


@admin.register(TimeEntry)
class TimeEntryAdmin(ServiceBackedAdmin):
    """Time is logged by the people who worked it; staff can correct the billing fields, stop
    a forgotten timer, or delete an entry."""

    list_display = [
        "__str__",
        "user",
        "project",
        "workspace",
        "started_at",
        "ended_at",
        "duration",
        "billable",
        "running",
        "auto_stopped",
    ]
    list_filter = [
        RunningFilter,
        "billable",
        "auto_stopped",
        ("workspace", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["description", "user__email", "project__name"]
    list_select_related = ["user", "project", "workspace"]
    date_hierarchy = "started_at"
    fields = [
        "workspace",
        "project",
        "milestone",
        "user",
        "started_at",
        "ended_at",
        "duration_seconds",
        "auto_stopped",
        *TIME_ENTRY_FIELDS,
        *AUDIT_FIELDS,
    ]
    readonly_fields = [
        "workspace",
        "project",
        "milestone",
        "user",
        "started_at",
        "ended_at",
        "duration_seconds",
        "auto_stopped",
        *AUDIT_FIELDS,
    ]
    actions = ["stop"]

    def has_add_permission(self, request):
        return False

    @admin.display(boolean=True, ordering="ended_at")
    def running(self, entry):
        return entry.is_running

    @admin.display(description="duration")
    def duration(self, entry):
        minutes = entry.elapsed_seconds // 60
        return f"{minutes // 60}:{minutes % 60:02d}"

    def save_model(self, request, obj, form, change):
        entry = services.update_time_entry(
            entry=obj, actor=request.user, data=changed_values(form, TIME_ENTRY_FIELDS)
        )
        adopt_saved(obj, entry)

    def delete_model(self, request, obj):
        services.delete_time_entry(entry=obj, actor=request.user)

    @admin.action(description="Stop selected timers", permissions=["change"])
    def stop(self, request, queryset):
        stopped = skipped = 0
        for entry in queryset:
            try:
                services.stop_timer(entry=entry, actor=request.user)
            except ApplicationError:  # stopped already
                skipped += 1
            else:
                stopped += 1
        self.message_user(request, f"Stopped {stopped} timer(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"Skipped {skipped} entry(ies) not running.", messages.WARNING
            )
