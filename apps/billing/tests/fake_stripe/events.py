"""Webhooks: the events state changes emit, and signing and delivering them as Stripe does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from apps.billing.tests.fake_stripe.store import _public, _random

TEST_WEBHOOK_SECRET = "whsec_test_secret"
WEBHOOK_PATH = "/api/v1/stripe/webhook"


class EventsMixin:
    """The account's event log (`events`) and Stripe's webhook signature."""

    def events_of(self, event_type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == event_type]

    @staticmethod
    def event_payload(event: dict) -> bytes:
        """Serialize an event as Stripe posts it (pretty-printed JSON)."""
        return json.dumps(event, indent=2).encode()

    @staticmethod
    def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
        """Make the `Stripe-Signature` header Stripe sends with payload."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def _emit(self, event_type: str, obj: dict, previous: dict | None = None) -> dict:
        data: dict[str, Any] = {"object": _public(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {
            "id": f"evt_{_random(24)}",
            "object": "event",
            "api_version": self.api_version,
            "created": self._now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": dict(self._request or {"id": None, "idempotency_key": None}),
            "type": event_type,
        }
        self.events.append(event)
        return event

    def _emit_updated(self, subscription: dict, before: dict) -> None:
        previous = _diff(before, _public(subscription))
        if previous:
            self._emit("customer.subscription.updated", subscription, previous)


def _diff(before: dict, after: dict) -> dict:
    """The previous_attributes of an update: the earlier value of what changed.

    Plain hashes (metadata, cancellation_details) report only their changed keys, with null for
    an added one; Stripe objects and lists (a subscription's items) report their whole old value.
    """
    previous = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        plain = isinstance(old, dict) and isinstance(new, dict) and "object" not in old
        previous[key] = _diff(old, new) if plain else old
    return previous


def deliver(
    client, event: dict, *, secret: str = TEST_WEBHOOK_SECRET, signature: str | None = None
):
    """POST an event to our webhook endpoint the way Stripe does, signed with secret."""
    payload = EventsMixin.event_payload(event)
    if signature is None:
        signature = EventsMixin.sign(payload, secret)
    return client.post(
        WEBHOOK_PATH, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
