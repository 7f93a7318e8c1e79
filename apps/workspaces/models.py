from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.models import BaseModel

from .roles import Perm, Role, role_can


class WorkspaceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkspaceQuerySet":
        """Workspaces the user is a member of; everything else does not exist for them."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(BaseModel):
    """A team. Everything a team owns (clients, projects, files, billing) hangs off one."""

    name = models.CharField(max_length=120)
    personal_for = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="personal_workspace",
        help_text="Set on the workspace every user gets at sign-up; it goes with the account.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.personal_for_id is not None


class Membership(BaseModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "workspace"], name="membership_user_idx")]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"

    def can(self, perm: Perm) -> bool:
        return role_can(self.role, perm)


class InviteQuerySet(models.QuerySet):
    def pending(self) -> "InviteQuerySet":
        return self.filter(status=Invite.Status.PENDING, expires_at__gt=timezone.now())


class Invite(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invite per address and workspace; resending reuses it.
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=Q(status="pending"),
                name="invite_one_pending_per_email",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invite_role_valid"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="invite_workspace_status_idx"),
            models.Index(Lower("email"), "status", name="invite_email_status_idx"),
        ]

    def __str__(self):
        return f"{self.email} to {self.workspace} ({self.status})"

    @property
    def activity_label(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def effective_status(self) -> str:
        """What the invitee sees: a pending invite past its expiry reads as expired."""
        if self.status == self.Status.PENDING and self.is_expired:
            return self.Status.EXPIRED
        return self.status
