"""Reading Stripe objects (as plain dicts) in the pinned API version's shape."""

from datetime import UTC, datetime


def when(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def object_id(value) -> str | None:
    """An expandable field: an id, or the object itself when expanded."""
    if isinstance(value, dict):
        return value.get("id")
    return value


def first_item(subscription: dict) -> dict:
    items = (subscription.get("items") or {}).get("data") or []
    return items[0] if items else {}


def invoice_subscription_id(invoice: dict) -> str | None:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return object_id(details.get("subscription"))
