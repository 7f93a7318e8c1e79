"""What the API answers for each CRM row, built from plain values.

Lists fetch `.values(*COLUMNS)` and map rows through these functions (the fast path that
ARCHITECTURE.md asks for: no model instances, no per-field serializer machinery); single
objects go through the same functions via `from_instance`, so both paths answer the same shape.
`serializers.py` describes these shapes for the OpenAPI schema, and a test keeps them in step.
"""

from decimal import Decimal

from django.utils import timezone

CLIENT_COLUMNS = (
    "id", "name", "company", "email", "phone", "status", "archived_at", "created_at",
    "updated_at",
)  # fmt: skip
PROJECT_COLUMNS = (
    "id", "client_id", "client__name", "name", "description", "status", "start_date",
    "due_date", "budget", "hourly_rate", "created_at", "updated_at",
)  # fmt: skip
MILESTONE_COLUMNS = (
    "id", "project_id", "title", "due_date", "done", "completed_at", "order", "created_at",
    "updated_at",
)  # fmt: skip
NOTE_COLUMNS = (
    "id", "client_id", "project_id", "title", "body", "version", "author_id", "author__name",
    "created_at", "updated_at",
)  # fmt: skip
NOTE_VERSION_COLUMNS = ("id", "version", "title", "body", "edited_by_id", "created_at")
TIME_ENTRY_COLUMNS = (
    "id", "project_id", "milestone_id", "user_id", "description", "started_at", "ended_at",
    "duration_seconds", "billable", "hourly_rate", "auto_stopped", "created_at",
)  # fmt: skip


def from_instance(obj, columns) -> dict:
    """The `.values()` row of one instance, following `a__b` through loaded relations."""
    row = {}
    for column in columns:
        value = obj
        for part in column.split("__"):
            value = getattr(value, part) if value is not None else None
        row[column] = value
    return row


def client_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "company": row["company"],
        "email": row["email"],
        "phone": row["phone"],
        "status": row["status"],
        "archived": row["archived_at"] is not None,
        "archived_at": row["archived_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def project_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "client": {"id": row["client_id"], "name": row["client__name"]},
        "name": row["name"],
        "description": row["description"],
        "status": row["status"],
        "start_date": row["start_date"],
        "due_date": row["due_date"],
        "budget": row["budget"],
        "hourly_rate": row["hourly_rate"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def milestone_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "project_id": row["project_id"],
        "title": row["title"],
        "due_date": row["due_date"],
        "done": row["done"],
        "completed_at": row["completed_at"],
        "order": row["order"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def note_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "client_id": row["client_id"],
        "project_id": row["project_id"],
        "title": row["title"],
        "body": row["body"],
        "version": row["version"],
        "author": {"id": row["author_id"], "name": row["author__name"]}
        if row["author_id"]
        else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def note_version_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "version": row["version"],
        "title": row["title"],
        "body": row["body"],
        "edited_by_id": row["edited_by_id"],
        "created_at": row["created_at"],
    }


def _amount(seconds: int, rate: Decimal | None, billable: bool) -> Decimal | None:
    if not billable or rate is None:
        return None
    return (rate * Decimal(seconds) / 3600).quantize(Decimal("0.01"))


def time_entry_row(row: dict) -> dict:
    running = row["ended_at"] is None
    seconds = (
        max(0, int((timezone.now() - row["started_at"]).total_seconds()))
        if running
        else row["duration_seconds"]
    )
    return {
        "id": row["id"],
        "project_id": row["project_id"],
        "milestone_id": row["milestone_id"],
        "user_id": row["user_id"],
        "description": row["description"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "running": running,
        "duration_seconds": seconds,
        "billable": row["billable"],
        "hourly_rate": row["hourly_rate"],
        "amount": _amount(seconds, row["hourly_rate"], row["billable"]),
        "auto_stopped": row["auto_stopped"],
        "created_at": row["created_at"],
    }
