from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import BaseModel


class ApiKeyQuerySet(models.QuerySet):
    def usable(self) -> "ApiKeyQuerySet":
        """Keys that still open the API: not revoked, not past their expiry."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class ApiKey(BaseModel):
    """A credential for server-to-server use, acting for one person in one workspace.

    Its rights are its creator's current role in the workspace, narrowed to its scopes: when
    the creator leaves the workspace, is deactivated or loses a permission, so does the key.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="api_keys"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="The key acts as this person, within their role in the workspace.",
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16, unique=True, editable=False, help_text="Finds the key; safe to show."
    )
    secret_hash = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 of the secret, hex (see keys.py)."
    )
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rotated_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rotated_to",
        help_text="The key this one replaced (revoked when this one was made).",
    )

    objects = ApiKeyQuerySet.as_manager()

    activity_type = "api_key"

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "API key"
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="api_key_workspace_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def activity_label(self) -> str:
        return str(self)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.is_revoked:
            return self.Status.REVOKED
        if self.is_expired:
            return self.Status.EXPIRED
        return self.Status.ACTIVE
