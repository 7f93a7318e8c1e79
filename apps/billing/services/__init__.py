from .customers import workspace_customer
from .invoices import invoice_pdf_url, refresh_invoice, sync_invoice
from .notices import notify_owners
from .payments import (
    PURPOSES,
    REFUND_REASONS,
    WORKSPACE_CHARGE,
    Purpose,
    create_payment,
    refresh_payment,
    refund_payment,
    register_purpose,
    sync_payment,
)
from .reconcile import reconcile_with_stripe
from .subscriptions import (
    change_subscription,
    create_subscription,
    live_subscription,
    open_portal,
    refresh_subscription,
    start_checkout,
    sync_subscription,
)
from .webhooks import EventFailed, apply_event, receive_event

__all__ = [
    "PURPOSES",
    "REFUND_REASONS",
    "WORKSPACE_CHARGE",
    "EventFailed",
    "Purpose",
    "apply_event",
    "change_subscription",
    "create_payment",
    "create_subscription",
    "invoice_pdf_url",
    "live_subscription",
    "notify_owners",
    "open_portal",
    "receive_event",
    "reconcile_with_stripe",
    "refresh_invoice",
    "refresh_payment",
    "refresh_subscription",
    "refund_payment",
    "register_purpose",
    "start_checkout",
    "sync_invoice",
    "sync_payment",
    "sync_subscription",
    "workspace_customer",
]
