from django.conf import settings

from apps.billing.entitlements import Quota, usage_of

from .models import Summary, SummaryJob
from .providers import ExtractiveProvider

RECENT = 5


def configured_provider() -> tuple[str, str]:
    """The provider and model new summaries use, without needing its credentials."""
    models = {"gemini": settings.GEMINI_MODEL, ExtractiveProvider.name: ExtractiveProvider.model}
    return settings.AI_PROVIDER, models.get(settings.AI_PROVIDER, "")


def ai_usage(*, workspace_id) -> dict:
    """This month's AI quota (a job in progress holds its unit) and the latest summaries."""
    usage = usage_of(workspace_id=workspace_id, quota=Quota.AI_SUMMARIES)
    provider, model = configured_provider()
    recent = Summary.objects.filter(workspace_id=workspace_id).select_related("client", "project")
    return {
        "used": usage.used,
        "limit": usage.limit,
        "remaining": usage.remaining,
        "resets_at": usage.resets_at,
        "in_progress": SummaryJob.objects.filter(
            workspace_id=workspace_id, status__in=SummaryJob.ACTIVE
        ).count(),
        "provider": provider,
        "model": model,
        "recent": list(recent[:RECENT]),
    }
