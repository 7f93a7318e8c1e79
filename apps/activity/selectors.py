from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from .models import ActivityEvent


def filter_events(
    queryset: QuerySet[ActivityEvent],
    *,
    verbs: list[str] | None = None,
    actor_id=None,
    target_type: str = "",
    since=None,
    until=None,
) -> QuerySet[ActivityEvent]:
    if verbs:
        queryset = queryset.filter(verb__in=verbs)
    if actor_id:
        queryset = queryset.filter(actor_id=actor_id)
    if target_type:
        queryset = queryset.filter(target_type=target_type)
    if since:
        queryset = queryset.filter(created_at__gte=since)
    if until:
        queryset = queryset.filter(created_at__lt=until)
    return queryset


def audit_report(queryset: QuerySet[ActivityEvent]) -> dict:
    """Counts by action, by actor and by day (UTC) over the filtered events."""
    by_action = queryset.values("verb").annotate(count=Count("id")).order_by("-count", "verb")
    by_actor = (
        queryset.values("actor_id", "actor_label")
        .annotate(count=Count("id"))
        .order_by("-count", "actor_label")
    )
    by_day = (
        queryset.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    return {
        "total": queryset.count(),
        "by_action": [{"action": row["verb"], "count": row["count"]} for row in by_action],
        "by_actor": [
            {"actor_id": row["actor_id"], "label": row["actor_label"], "count": row["count"]}
            for row in by_actor
        ],
        "by_day": [{"day": row["day"], "count": row["count"]} for row in by_day],
    }
