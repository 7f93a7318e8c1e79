from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


class FileAsset(BaseModel):
    """An uploaded document in a workspace, on a client, on a project, or on neither.

    The bytes live in the private storage under `storage_key` (generated, never the uploader's
    name); `original_name` is the sanitized name shown to people, and `content_type` is what the
    content was sniffed as, never what the client declared.
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="files"
    )
    client = models.ForeignKey(
        "crm.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    project = models.ForeignKey(
        "crm.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    storage_key = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64, blank=True)

    activity_type = "file"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(project__isnull=True),
                name="file_on_client_or_project_or_neither",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="file_size_positive"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="file_ws_created_idx"),
            models.Index(fields=["client", "-created_at"], name="file_client_created_idx"),
            models.Index(fields=["project", "-created_at"], name="file_project_created_idx"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def activity_label(self) -> str:
        return self.original_name

    def activity_scope(self):
        if self.project_id:
            return self.project.client_id, self.project_id
        return self.client_id, None
