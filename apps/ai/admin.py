"""Summaries and jobs are written by the summarizing service only: staff read them here."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Summary, SummaryJob


@admin.register(Summary)
class SummaryAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "workspace", "provider", "model", "created_by", "created_at"]
    list_filter = ["provider", ("workspace", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["workspace", "client", "project", "created_by"]
    search_fields = ["text", "client__name", "project__name", "content_hash"]
    fields = [
        "id",
        "workspace",
        "client",
        "project",
        "provider",
        "model",
        "content_hash",
        "text",
        "created_by",
        "created_at",
    ]


@admin.register(SummaryJob)
class SummaryJobAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "target_type",
        "status",
        "provider",
        "attempts",
        "error_code",
        "workspace",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "provider", "target_type", "created_at"]
    list_select_related = ["workspace", "requested_by"]
    search_fields = ["id", "content_hash", "error"]
    fields = [
        "id",
        "workspace",
        "target_type",
        "client",
        "project",
        "status",
        "attempts",
        "error_code",
        "error",
        "summary",
        "provider",
        "model",
        "content_hash",
        "material",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
