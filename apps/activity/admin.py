from django.contrib import admin, messages

from apps.core.admin import ReadOnlyAdmin

from .chain import verify_workspace_chain
from .models import ActivityChainHead, ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    """The audit log: append-only and hash-chained, so even superusers only read it here."""

    list_display = ["seq", "workspace", "verb", "actor_label", "target_label", "created_at"]
    list_filter = ["verb", "target_type", ("workspace", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["target_label", "actor_label", "request_id"]
    list_select_related = ["workspace"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-seq"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["id", "workspace", "seq", "created_at", "verb"]}),
        ("Who", {"fields": ["actor", "actor_label", "ip_address", "user_agent", "request_id"]}),
        (
            "What",
            {
                "fields": [
                    "target_type",
                    "target_id",
                    "target_label",
                    "client_id",
                    "project_id",
                    "changes",
                ]
            },
        ),
        ("Chain", {"fields": ["prev_hash", "hash"]}),
    ]
    readonly_fields = [field.name for field in ActivityEvent._meta.fields]


@admin.register(ActivityChainHead)
class ActivityChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "seq", "hash"]
    search_fields = ["workspace__name"]
    list_select_related = ["workspace"]
    readonly_fields = [field.name for field in ActivityChainHead._meta.fields]
    actions = ["verify_chains"]

    @admin.action(description="Verify the selected chains")
    def verify_chains(self, request, queryset):
        intact = events = 0
        for head in queryset.select_related("workspace"):
            checked, broken = verify_workspace_chain(head.workspace_id)
            events += checked
            if broken is None:
                intact += 1
            else:
                self.message_user(request, f"{head.workspace}: BROKEN {broken}", messages.ERROR)
        self.message_user(
            request, f"{intact} chain(s) intact ({events} events checked).", messages.INFO
        )
