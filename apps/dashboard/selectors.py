"""Reads for the pages: the workspace summary, timelines, members and invites."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.crm.models import Client, Milestone, Project
from apps.workspaces.models import Invite, Membership, Workspace

TIMELINE_LENGTH = 30
DUE_SOON_DAYS = 7


def workspace_summary(workspace: Workspace) -> dict:
    today = timezone.localdate()
    return {
        "active_clients": Client.objects.filter(
            workspace=workspace, status=Client.Status.ACTIVE, archived_at__isnull=True
        ).count(),
        "active_projects": Project.objects.filter(
            workspace=workspace, status=Project.Status.ACTIVE
        ).count(),
        "milestones_due_soon": Milestone.objects.filter(
            workspace=workspace,
            done=False,
            due_date__gte=today,
            due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
        ).count(),
        "due_soon_days": DUE_SOON_DAYS,
    }


def timeline(workspace: Workspace, **scope) -> list[ActivityEvent]:
    """The newest events of the workspace about one client (`client_id=`) or project."""
    events = ActivityEvent.objects.filter(workspace=workspace, **scope).select_related("actor")
    return list(events.order_by("-seq")[:TIMELINE_LENGTH])


def user_memberships(user) -> list[Membership]:
    """Every workspace of the user, their personal one first, for the switcher."""
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    return sorted(
        memberships,
        key=lambda m: (m.workspace.personal_for_id != user.pk, m.workspace.name.lower()),
    )


def members(workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user", "workspace")


def open_invites(workspace: Workspace) -> QuerySet[Invite]:
    """Invites still waiting for an answer, including those past expiry (they can be resent)."""
    return Invite.objects.filter(workspace=workspace, status=Invite.Status.PENDING).select_related(
        "invited_by"
    )
