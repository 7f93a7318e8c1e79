"""Reads of the CRM that are more than one line: filtered lists and time totals."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from .models import Client, Project, TimeEntry

CLIENT_ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "status": ("status", "name", "id"),
}
PROJECT_ORDERINGS = {
    **{key: value for key, value in CLIENT_ORDERINGS.items() if key != "status"},
    "due_date": ("due_date", "id"),
    "-due_date": ("-due_date", "-id"),
    "status": ("status", "name", "id"),
}


def filter_clients(
    queryset: QuerySet[Client],
    *,
    status: list[str] | None = None,
    archived: str = "false",
    search: str = "",
    ordering: str = "-created_at",
) -> QuerySet[Client]:
    if archived == "false":
        queryset = queryset.filter(archived_at__isnull=True)
    elif archived == "true":
        queryset = queryset.filter(archived_at__isnull=False)
    if status:
        queryset = queryset.filter(status__in=status)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(company__icontains=search) | Q(email__icontains=search)
        )
    return queryset.order_by(*CLIENT_ORDERINGS[ordering])


def filter_projects(
    queryset: QuerySet[Project],
    *,
    status: list[str] | None = None,
    client_id=None,
    search: str = "",
    due_before=None,
    ordering: str = "-created_at",
) -> QuerySet[Project]:
    if status:
        queryset = queryset.filter(status__in=status)
    if client_id:
        queryset = queryset.filter(client_id=client_id)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if due_before:
        queryset = queryset.filter(due_date__lte=due_before)
    return queryset.order_by(*PROJECT_ORDERINGS[ordering])


def time_totals(entries: QuerySet[TimeEntry]) -> dict:
    """Finished time in seconds, what of it is billable, and what that comes to."""
    finished = entries.filter(ended_at__isnull=False)
    money = ExpressionWrapper(
        F("duration_seconds") * F("hourly_rate"), output_field=DecimalField(max_digits=20)
    )
    totals = finished.aggregate(
        total_seconds=Sum("duration_seconds"),
        billable_seconds=Sum("duration_seconds", filter=Q(billable=True)),
        rate_seconds=Sum(money, filter=Q(billable=True, hourly_rate__isnull=False)),
    )
    by_user = (
        finished.values("user_id", "user__name")
        .annotate(seconds=Sum("duration_seconds"))
        .order_by("-seconds")
    )
    amount = Decimal(totals["rate_seconds"] or 0) / 3600
    return {
        "total_seconds": totals["total_seconds"] or 0,
        "billable_seconds": totals["billable_seconds"] or 0,
        "billable_amount": amount.quantize(Decimal("0.01")),
        "running_timers": entries.filter(ended_at__isnull=True).count(),
        "by_user": [
            {"user_id": row["user_id"], "name": row["user__name"], "seconds": row["seconds"]}
            for row in by_user
        ],
    }


def active_client_count(*, workspace_id) -> int:
    """Clients that count against the plan: archiving one frees its place."""
    return Client.objects.filter(workspace_id=workspace_id, archived_at__isnull=True).count()
