"""Files for staff: look, search, filter, and delete through the service (which records the
event, releases the storage and drops the blob after commit). Uploads go through the API,
where the content checks live; nothing here edits a file."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from . import services
from .models import FileAsset

FIELDS = [
    "id",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "workspace",
    "client",
    "project",
    "uploaded_by",
    "storage_key",
    "created_at",
    "updated_at",
]


@admin.register(FileAsset)
class FileAssetAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "content_type",
        "human_size",
        "workspace",
        "client",
        "project",
        "uploaded_by",
        "created_at",
    ]
    list_filter = [
        "content_type",
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["original_name", "sha256", "storage_key", "client__name", "project__name"]
    list_select_related = ["workspace", "client", "project", "uploaded_by"]
    date_hierarchy = "created_at"
    fields = FIELDS
    readonly_fields = FIELDS

    @admin.display(description="size", ordering="size")
    def human_size(self, obj):
        return filesizeformat(obj.size)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.delete_file(file=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for file in queryset.select_related("project"):
            self.delete_model(request, file)
