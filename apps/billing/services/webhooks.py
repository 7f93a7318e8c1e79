"""Stripe's webhook: verify, keep the raw event, apply it once.

Each event is stored by its id before anything else, so nothing Stripe sends is lost, and is
applied under a lock on that row: a second delivery of an applied event does nothing. The
handlers re-read the object from Stripe instead of trusting the event's copy, which makes
late and out-of-order events harmless. A handler that fails leaves the event unapplied with
its error and answers 500, so Stripe retries it; `replay_stripe_event` applies one by hand.
"""

import json
import logging
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import ApplicationError

from ..models import StripeEvent
from ._stripe_data import invoice_subscription_id, object_id
from .invoices import invoice_payment_failed, refresh_invoice
from .payments import refresh_payment
from .subscriptions import refresh_subscription

logger = logging.getLogger(__name__)


def _checkout_completed(obj: dict, event: StripeEvent) -> None:
    if obj.get("mode") == "subscription" and obj.get("subscription"):
        refresh_subscription(
            object_id(obj["subscription"]), stripe_customer_id=object_id(obj.get("customer"))
        )
    elif obj.get("payment_intent"):
        refresh_payment(object_id(obj["payment_intent"]), event_id=event.id)


def _subscription_changed(obj: dict, event: StripeEvent) -> None:
    refresh_subscription(obj["id"], stripe_customer_id=object_id(obj.get("customer")))


def _refresh_invoice_and_subscription(obj: dict):
    customer = object_id(obj.get("customer"))
    if subscription_id := invoice_subscription_id(obj):
        refresh_subscription(subscription_id, stripe_customer_id=customer)
    return refresh_invoice(obj["id"], stripe_customer_id=customer)[0]


def _invoice_paid(obj: dict, event: StripeEvent) -> None:
    _refresh_invoice_and_subscription(obj)


def _invoice_payment_failed(obj: dict, event: StripeEvent) -> None:
    invoice = _refresh_invoice_and_subscription(obj)
    invoice_payment_failed(invoice=invoice)


def _payment_intent_changed(obj: dict, event: StripeEvent) -> None:
    refresh_payment(obj["id"], event_id=event.id)


def _charge_refunded(obj: dict, event: StripeEvent) -> None:
    if payment_intent := object_id(obj.get("payment_intent")):
        refresh_payment(payment_intent, event_id=event.id)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_payment_failed,
    "payment_intent.succeeded": _payment_intent_changed,
    "payment_intent.payment_failed": _payment_intent_changed,
    "charge.refunded": _charge_refunded,
}


class EventFailed(Exception):
    pass


def receive_event(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """Verify and store a delivery, then apply it; answer the event and whether it applied
    now (False for a repeat)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise ApplicationError(
            "Stripe webhooks are not set up on this server (STRIPE_WEBHOOK_SECRET is empty).",
            code="PAYMENTS_DISABLED",
            status_code=503,
        )
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError):
        raise ApplicationError(
            "The Stripe signature does not match this payload.",
            code="INVALID_SIGNATURE",
            details=[{"field": "Stripe-Signature", "message": "Not a valid signature."}],
        ) from None
    data = json.loads(payload)
    event, _ = StripeEvent.objects.get_or_create(
        id=data["id"],
        defaults={
            "type": data.get("type", ""),
            "api_version": data.get("api_version") or "",
            "payload": data,
            "stripe_created_at": datetime.fromtimestamp(data.get("created", 0), tz=UTC),
        },
    )
    return event, apply_event(event)


def apply_event(event: StripeEvent, *, force: bool = False) -> bool:
    """Apply a stored event unless it was applied before (or `force`); raise EventFailed when
    its handler fails, after recording the error on the event."""
    failure = None
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event.pk)
        if event.processed_at and not force:
            return False
        handler = HANDLERS.get(event.type)
        event.attempts += 1
        try:
            with transaction.atomic():
                if handler is not None:
                    handler(event.payload["data"]["object"], event)
        except Exception as error:
            logger.exception("stripe event %s (%s) failed", event.id, event.type)
            failure = error
            event.last_error = f"{type(error).__name__}: {error}"[:2000]
        else:
            event.processed_at = timezone.now()
            event.last_error = ""
        event.save(update_fields=["attempts", "last_error", "processed_at"])
    if failure is not None:
        raise EventFailed(event.last_error) from failure
    return True
