"""AI summaries of a client or a project, and the jobs that make them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


class TargetType(models.TextChoices):
    CLIENT = "client", "Client"
    PROJECT = "project", "Project"


class Summary(BaseModel):
    """What a provider wrote about one client or project, keyed by the hash of the material it
    read (and of who read it), so the same material is never summarized, or paid for, twice."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        "crm.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="summaries"
    )
    project = models.ForeignKey(
        "crm.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="summaries"
    )
    content_hash = models.CharField(max_length=64)
    text = models.TextField()
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    activity_type = "ai_summary"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "summaries"
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(project__isnull=True))
                | (Q(client__isnull=True) & Q(project__isnull=False)),
                name="ai_summary_on_client_or_project",
            ),
            models.UniqueConstraint(
                fields=["client", "content_hash"],
                condition=Q(client__isnull=False),
                name="ai_summary_client_hash_unique",
            ),
            models.UniqueConstraint(
                fields=["project", "content_hash"],
                condition=Q(project__isnull=False),
                name="ai_summary_project_hash_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="ai_summary_ws_idx"),
            models.Index(fields=["client", "-created_at"], name="ai_summary_client_idx"),
            models.Index(fields=["project", "-created_at"], name="ai_summary_project_idx"),
        ]

    def __str__(self):
        return f"Summary of {self.target}"

    @property
    def target(self):
        return self.project if self.project_id else self.client

    @property
    def target_type(self) -> str:
        return TargetType.PROJECT if self.project_id else TargetType.CLIENT

    def activity_scope(self):
        if self.project_id:
            return self.project.client_id, self.project_id
        return self.client_id, None


class SummaryJob(BaseModel):
    """One request for a summary that the cache could not answer. It holds one unit of the
    plan's AI quota from the moment it is accepted; a failed job gives the unit back.

    `material` is what the provider is asked to read, frozen when the job was accepted, so a
    retry summarizes exactly what `content_hash` names; it is emptied when the job finishes,
    so copies of notes do not outlive their use. The target keys go null if the client or
    project is deleted before the job runs (the job then fails and releases its unit)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    client = models.ForeignKey(
        "crm.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "crm.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64)
    material = models.JSONField(default=dict)
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    summary = models.ForeignKey(
        Summary, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="ai_job_status_valid",
            ),
            # One job at a time per material: a second request joins the first one's job.
            models.UniqueConstraint(
                fields=["client", "content_hash"],
                condition=Q(status__in=["queued", "running"], client__isnull=False),
                name="ai_job_one_active_per_client_hash",
            ),
            models.UniqueConstraint(
                fields=["project", "content_hash"],
                condition=Q(status__in=["queued", "running"], project__isnull=False),
                name="ai_job_one_active_per_project_hash",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="ai_job_ws_idx"),
            models.Index(fields=["status", "updated_at"], name="ai_job_status_idx"),
        ]

    def __str__(self):
        return f"{self.target_type} summary job ({self.status})"

    @property
    def target(self):
        return self.project if self.target_type == TargetType.PROJECT else self.client

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def quota_reference(self) -> str:
        """The usage ledger's reference for the unit this job holds."""
        return f"ai_job:{self.pk}"
