"""The two views of the event table: the timeline (what happened) and the audit log (also
from where, and the chain links)."""

TIMELINE_COLUMNS = (
    "id", "seq", "verb", "actor_id", "actor_label", "target_type", "target_id", "target_label",
    "client_id", "project_id", "changes", "created_at",
)  # fmt: skip
AUDIT_COLUMNS = (*TIMELINE_COLUMNS, "ip_address", "user_agent", "request_id", "prev_hash", "hash")


def timeline_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "seq": row["seq"],
        "verb": row["verb"],
        "actor": {"id": row["actor_id"], "label": row["actor_label"]},
        "target": {
            "type": row["target_type"],
            "id": row["target_id"],
            "label": row["target_label"],
        },
        "client_id": row["client_id"],
        "project_id": row["project_id"],
        "changes": row["changes"],
        "created_at": row["created_at"],
    }


def audit_row(row: dict) -> dict:
    return {
        **timeline_row(row),
        "ip_address": row["ip_address"],
        "user_agent": row["user_agent"],
        "request_id": row["request_id"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }
