"""What the API answers for a file, built from plain values (see apps/crm/representations.py:
lists map `.values(*FILE_COLUMNS)` rows, single files go through `from_instance`)."""

from apps.crm.representations import from_instance

FILE_COLUMNS = (
    "id", "original_name", "content_type", "size", "sha256", "client_id", "project_id",
    "uploaded_by_id", "uploaded_by__name", "created_at", "updated_at",
)  # fmt: skip


def file_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["original_name"],
        "content_type": row["content_type"],
        "size": row["size"],
        "sha256": row["sha256"],
        "client_id": row["client_id"],
        "project_id": row["project_id"],
        "uploaded_by": {"id": row["uploaded_by_id"], "name": row["uploaded_by__name"]}
        if row["uploaded_by_id"]
        else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def file_data(file) -> dict:
    return file_row(from_instance(file, FILE_COLUMNS))
