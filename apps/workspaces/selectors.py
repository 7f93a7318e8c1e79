from django.utils import timezone

from .models import Invite, Membership


def seats_taken(*, workspace_id) -> int:
    """Members plus the pending invites that hold a seat until they are answered or expire."""
    members = Membership.objects.filter(workspace_id=workspace_id).count()
    pending = Invite.objects.filter(
        workspace_id=workspace_id, status=Invite.Status.PENDING, expires_at__gt=timezone.now()
    ).count()
    return members + pending
