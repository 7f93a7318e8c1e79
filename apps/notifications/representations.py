"""What the API and the websocket answer for a notification, built from plain values.

The list fetches `.values(*NOTIFICATION_COLUMNS)` and maps rows through `notification_row`;
single notifications and the `notification:new` event go through the same function, so every
path answers the same shape. `serializers.NotificationSerializer` describes it for the schema.
"""

from .selectors import Preferences

NOTIFICATION_COLUMNS = ("id", "kind", "title", "body", "data", "link", "read_at", "created_at")


def notification_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "title": row["title"],
        "body": row["body"],
        "data": row["data"],
        "link": row["link"],
        "read": row["read_at"] is not None,
        "read_at": row["read_at"],
        "created_at": row["created_at"],
    }


def notification_data(notification) -> dict:
    values = {column: getattr(notification, column) for column in NOTIFICATION_COLUMNS}
    return notification_row(values)


def preferences_data(preferences: Preferences) -> dict:
    return {
        "kinds": preferences.channels,
        "reminder_window_days": preferences.reminder_window_days,
    }
