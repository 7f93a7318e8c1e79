from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.core.models import BaseModel


class WorkspaceOwned(BaseModel):
    """A row that belongs to one workspace; every query over it starts there."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


class Client(WorkspaceOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    activity_type = "client"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused", "completed"]),
                name="client_status_valid",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="client_ws_created_idx"),
            models.Index(fields=["workspace", "status"], name="client_ws_status_idx"),
            models.Index(fields=["workspace", "archived_at"], name="client_ws_archived_idx"),
            models.Index(fields=["workspace", "name"], name="client_ws_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def activity_scope(self):
        return self.pk, None


class Project(WorkspaceOwned):
    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    hourly_rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Default rate for time entries on this project.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    activity_type = "project"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="project_due_after_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="project_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planning", "active", "on_hold", "completed", "cancelled"]),
                name="project_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "client", "-created_at"], name="project_ws_client_idx"
            ),
            models.Index(fields=["workspace", "status"], name="project_ws_status_idx"),
            models.Index(fields=["workspace", "due_date"], name="project_ws_due_idx"),
        ]

    def __str__(self):
        return self.name

    def activity_scope(self):
        return self.client_id, self.pk


class Milestone(WorkspaceOwned):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    activity_type = "milestone"

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [
            models.Index(fields=["project", "order"], name="milestone_project_order_idx"),
            models.Index(fields=["workspace", "done", "due_date"], name="milestone_ws_due_idx"),
        ]

    def __str__(self):
        return self.title

    def activity_scope(self):
        return self.project.client_id, self.project_id


class Note(WorkspaceOwned):
    """Rich text on a client or a project. `body` is sanitized HTML; `body_text` its words."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    body_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    activity_type = "note"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(project__isnull=True))
                | (Q(client__isnull=True) & Q(project__isnull=False)),
                name="note_on_client_or_project",
            )
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="note_client_created_idx"),
            models.Index(fields=["project", "-created_at"], name="note_project_created_idx"),
            models.Index(fields=["workspace", "-created_at"], name="note_ws_created_idx"),
        ]

    def __str__(self):
        return self.title or self.body_text[:60] or "Note"

    def activity_scope(self):
        if self.project_id:
            return self.project.client_id, self.project_id
        return self.client_id, None


class NoteVersion(BaseModel):
    """An earlier state of a note, kept when the note is edited."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="note_version_unique")
        ]

    def __str__(self):
        return f"{self.note_id} v{self.version}"


class TimeEntryQuerySet(models.QuerySet):
    def running(self):
        return self.filter(ended_at__isnull=True)


class TimeEntry(WorkspaceOwned):
    """Work time on a project (optionally one milestone): a running timer or a finished entry."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="time_entries")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_entries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_entries"
    )
    description = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Set when the entry is finished."
    )
    billable = models.BooleanField(default=True)
    hourly_rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    auto_stopped = models.BooleanField(default=False)

    objects = TimeEntryQuerySet.as_manager()

    activity_type = "time_entry"

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "time entries"
        constraints = [
            # One running timer per person: you work on one thing at a time.
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_at__isnull=True), name="one_running_timer"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="time_entry_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-started_at"], name="time_ws_started_idx"),
            models.Index(fields=["project", "-started_at"], name="time_project_idx"),
            models.Index(fields=["user", "-started_at"], name="time_user_idx"),
            models.Index(
                fields=["started_at"], condition=Q(ended_at__isnull=True), name="time_running_idx"
            ),
        ]

    def __str__(self):
        return self.description or f"Time on {self.project.name}"

    @property
    def is_running(self) -> bool:
        return self.ended_at is None

    @property
    def elapsed_seconds(self) -> int:
        if self.duration_seconds is not None:
            return self.duration_seconds
        return max(0, int((timezone.now() - self.started_at).total_seconds()))

    @property
    def amount(self) -> Decimal | None:
        if not self.billable or self.hourly_rate is None:
            return None
        return (self.hourly_rate * Decimal(self.elapsed_seconds) / 3600).quantize(Decimal("0.01"))

    def activity_scope(self):
        return self.project.client_id, self.project_id

    def can_be_changed_by(self, membership) -> bool:
        from apps.workspaces.roles import Perm

        if membership.can(Perm.TIME_MANAGE_ALL):
            return True
        return membership.can(Perm.TIME_TRACK) and self.user_id == membership.user_id
