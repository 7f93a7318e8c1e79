"""What a workspace's plan lets it do: the one API every app asks before using a feature or
spending a unit of a quota.

    require_feature(workspace=ws, feature=Feature.API_KEYS)
    with transaction.atomic():
        spend(workspace=ws, quota=Quota.CLIENTS)   # raises PLAN_LIMIT_REACHED (402) when full
        Client.objects.create(...)

Two kinds of quota. Counted ones (seats, clients) are measured from the rows themselves, so
deleting a client frees its slot; the caller creates the row in the same transaction, after
`spend`. Metered ones (AI summaries per calendar month, storage) are a ledger of
`UsageRecord`s that `spend` writes and `release` gives back. Either way `spend` locks the
workspace row first, so two requests racing for the last unit are served one at a time and
only one of them gets it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.errors import ApplicationError, ErrorCode

from .models import Plan, Subscription, UsageRecord
from .plans import ensure_plan

FREE_PLAN_CODE = "free"


class Quota(StrEnum):
    SEATS = "seats"
    CLIENTS = "clients"
    AI_SUMMARIES = "ai_summaries"
    STORAGE = "storage_bytes"


class Feature(StrEnum):
    API_KEYS = "api_keys"
    AUDIT_EXPORT = "audit_export"
    AI_SUMMARIES = "ai_summaries"
    PRIORITY_SUPPORT = "priority_support"


# The Plan field that holds each quota's limit.
_LIMIT_FIELD = {
    Quota.SEATS: "seats",
    Quota.CLIENTS: "clients",
    Quota.AI_SUMMARIES: "ai_summaries_per_month",
    Quota.STORAGE: "storage_bytes",
}
_MONTHLY = {Quota.AI_SUMMARIES}
_METERED = {Quota.AI_SUMMARIES, Quota.STORAGE}
# AI has its own code in the API's list (EchoHub's); the other limits share one.
_EXCEEDED_CODE = {Quota.AI_SUMMARIES: ErrorCode.AI_QUOTA_EXCEEDED}

LIMIT_MESSAGES = {
    Quota.SEATS: "Your plan's seats are all taken (members and pending invites).",
    Quota.CLIENTS: "Your plan's active clients are all in use.",
    Quota.AI_SUMMARIES: "Your plan's AI summaries for this month are used up.",
    Quota.STORAGE: "Your plan's storage is full.",
}


@dataclass(frozen=True)
class Usage:
    quota: Quota
    used: int
    limit: int | None
    resets_at: datetime | None

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


def free_plan() -> Plan:
    return ensure_plan(FREE_PLAN_CODE)


def current_subscription(workspace_id) -> Subscription | None:
    """The workspace's entitled subscription, newest first, if it has one."""
    return (
        Subscription.objects.filter(workspace_id=workspace_id, status__in=Subscription.ENTITLED)
        .select_related("plan")
        .order_by("-created_at")
        .first()
    )


def plan_for(workspace_id) -> Plan:
    subscription = current_subscription(workspace_id)
    return subscription.plan if subscription else free_plan()


def has_feature(*, workspace, feature: Feature) -> bool:
    return feature in plan_for(workspace.pk).features


def require_feature(*, workspace, feature: Feature) -> None:
    plan = plan_for(workspace.pk)
    if feature not in plan.features:
        raise ApplicationError(
            f"The {plan.name} plan does not include this feature; upgrade to use it.",
            code="PLAN_FEATURE_UNAVAILABLE",
            status_code=402,
            details=[{"field": None, "message": f"Needs the `{feature}` feature."}],
        )


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month_start(now: datetime) -> datetime:
    start = _month_start(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else (start.replace(month=start.month + 1))
    )


def _used(workspace_id, quota: Quota, now: datetime) -> int:
    if quota in _METERED:
        records = UsageRecord.objects.filter(workspace_id=workspace_id, quota=quota)
        if quota in _MONTHLY:
            records = records.filter(created_at__gte=_month_start(now))
        return records.aggregate(total=Sum("amount"))["total"] or 0
    if quota is Quota.SEATS:
        from apps.workspaces.selectors import seats_taken

        return seats_taken(workspace_id=workspace_id)
    from apps.crm.selectors import active_client_count

    return active_client_count(workspace_id=workspace_id)


def usage_of(*, workspace_id, quota: Quota, plan: Plan | None = None) -> Usage:
    plan = plan or plan_for(workspace_id)
    now = timezone.now()
    return Usage(
        quota=quota,
        used=_used(workspace_id, quota, now),
        limit=getattr(plan, _LIMIT_FIELD[quota]),
        resets_at=_next_month_start(now) if quota in _MONTHLY else None,
    )


def usage_summary(*, workspace_id) -> tuple[Plan, list[Usage]]:
    plan = plan_for(workspace_id)
    return plan, [usage_of(workspace_id=workspace_id, quota=quota, plan=plan) for quota in Quota]


def _lock_workspace(workspace_id) -> None:
    from apps.workspaces.models import Workspace

    Workspace.objects.select_for_update().filter(pk=workspace_id).values_list("pk").first()


@transaction.atomic
def spend(*, workspace, quota: Quota, amount: int = 1, actor=None, reference: str = "") -> Usage:
    """Take `amount` of the quota or raise; the lock lasts until the caller's commit."""
    _lock_workspace(workspace.pk)
    usage = usage_of(workspace_id=workspace.pk, quota=quota)
    if usage.limit is not None and usage.used + amount > usage.limit:
        raise quota_exceeded(usage, amount)
    if quota in _METERED:
        UsageRecord.objects.create(
            workspace_id=workspace.pk, quota=quota, amount=amount, actor=actor, reference=reference
        )
    return Usage(quota, usage.used + amount, usage.limit, usage.resets_at)


@transaction.atomic
def release(*, workspace, quota: Quota, amount: int = 1, reference: str = "") -> None:
    """Give back metered units (a failed AI call, a deleted file)."""
    if quota not in _METERED:
        raise ValueError(f"{quota} is counted from its rows; delete the row instead.")
    UsageRecord.objects.create(
        workspace_id=workspace.pk, quota=quota, amount=-amount, reference=reference
    )


def quota_exceeded(usage: Usage, amount: int = 1) -> ApplicationError:
    details = [
        {"field": None, "message": f"{usage.quota}: {usage.used} of {usage.limit} used."},
    ]
    if usage.resets_at:
        details.append({"field": None, "message": f"Resets at {usage.resets_at.isoformat()}."})
    return ApplicationError(
        f"{LIMIT_MESSAGES[usage.quota]} Upgrade your plan to add more.",
        code=_EXCEEDED_CODE.get(usage.quota, "PLAN_LIMIT_REACHED"),
        status_code=402,
        details=details,
    )
