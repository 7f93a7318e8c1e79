from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import BaseModel

from .verbs import Verb


class ActivityEvent(BaseModel):
    """One thing that happened in a workspace. Append-only; each row is hash-chained.

    The timeline and the audit log are two views of this table. Targets are kept by type, id
    and label rather than by foreign key, so an event outlives what it describes.
    """

    # Set before saving (not auto_now_add) because the hash covers it.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="activity_events"
    )
    seq = models.PositiveBigIntegerField(help_text="Position in the workspace's chain, from 1.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    verb = models.CharField(max_length=64, choices=Verb.choices)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.UUIDField(null=True, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    client_id = models.UUIDField(null=True, blank=True)
    project_id = models.UUIDField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "seq"], name="activity_chain_position"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="activity_ws_time_idx"),
            models.Index(fields=["workspace", "client_id", "-seq"], name="activity_ws_client_idx"),
            models.Index(
                fields=["workspace", "project_id", "-seq"], name="activity_ws_project_idx"
            ),
            models.Index(fields=["workspace", "verb", "-seq"], name="activity_ws_verb_idx"),
            models.Index(fields=["workspace", "actor", "-seq"], name="activity_ws_actor_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.verb} {self.target_label}".strip()


class ActivityChainHead(models.Model):
    """The newest link of a workspace's chain. Writers lock this row, so events of one
    workspace get their positions one at a time; it also shows when the tail was cut off."""

    workspace = models.OneToOneField(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="activity_head",
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # Retention removes the oldest events; the chain then starts after this anchor.
    pruned_through_seq = models.PositiveBigIntegerField(default=0)
    pruned_through_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"{self.workspace_id} at #{self.seq}"
