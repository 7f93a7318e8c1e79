import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def reconcile_with_stripe() -> dict:
    """Nightly: repair what lost webhooks left behind."""
    from .services import reconcile_with_stripe as reconcile

    report = reconcile()
    logger.info("stripe reconcile: %s", report)
    return report.__dict__


@shared_task(acks_late=True)
def purge_expired_activity() -> int:
    """Nightly: drop audit events older than each workspace's plan keeps them."""
    from apps.activity.services import purge_events_before
    from apps.workspaces.models import Workspace

    from .entitlements import plan_for

    deleted = 0
    now = timezone.now()
    for workspace_id in Workspace.objects.values_list("pk", flat=True).iterator():
        days = plan_for(workspace_id).audit_retention_days
        if days:
            deleted += purge_events_before(
                workspace_id=workspace_id, cutoff=now - timedelta(days=days)
            )
    return deleted
