"""The test's side of Stripe: what customers, banks and the dashboard do, and failures.

Each control runs under the lock and answers the events it emitted, ready to `deliver`; misuse
(an unknown id, a wrong state) raises KeyError or ValueError, never an API error."""

from __future__ import annotations

from typing import Any

from apps.billing.tests.fake_stripe.errors import _doc_url
from apps.billing.tests.fake_stripe.invoices import _subscription_of
from apps.billing.tests.fake_stripe.payments import _CANCELABLE_INTENT
from apps.billing.tests.fake_stripe.store import _DAY, _public, _random
from apps.billing.tests.fake_stripe.subscriptions import _period

_RETRY_DELAY = 3 * _DAY
_DECLINES = {
    "card_declined": ("card_declined", "generic_decline", "Your card was declined."),
    "insufficient_funds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "lost_card": ("card_declined", "lost_card", "Your card was declined."),
    "expired_card": ("expired_card", "expired_card", "Your card has expired."),
    "incorrect_cvc": ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "processing_error": (
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}


class ControlsMixin:
    """Test control methods; see the module docstring."""

    def fail_next(self, n: int = 1, status: int = 500, *, should_retry: bool | None = None) -> None:
        """Answer the next n API requests with `status` and Stripe's error body.

        should_retry sets the `Stripe-Should-Retry` header, which the library obeys before its
        own rules (it retries 409 and 5xx, never 4xx, by default). Injected failures are not
        stored under their idempotency key, so a retry runs the request for real.
        """
        with self._lock:
            self._failures.extend([(status, should_retry)] * n)

    def complete_checkout(self, session_id: str, *, trial_days: int | None = None) -> list[dict]:
        """Complete a subscription checkout as the customer paying would.

        trial_days overrides the session's subscription_data[trial_period_days].
        """
        with self._lock:
            mark = len(self.events)
            session = self._existing(self.checkout_sessions, session_id, "checkout session")
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}, not open")
            if session["customer"] is None:
                customer = self._new_customer(email=session["customer_email"], name=None)
            else:
                customer = self.customers[session["customer"]]
            data = session["_subscription_data"]
            trial_days = data["trial_period_days"] if trial_days is None else trial_days
            trial_end = self._now() + trial_days * _DAY if trial_days else data["trial_end"]
            subscription, invoice = self._start_subscription(
                customer,
                session["_line_items"],
                metadata=data["metadata"],
                trial_end=trial_end,
                paid=True,
            )
            subscription["default_payment_method"] = f"pm_{_random(24)}"
            session.update(
                status="complete",
                payment_status="paid" if invoice["amount_due"] else "no_payment_required",
                customer=customer["id"],
                customer_details={
                    "address": None,
                    "email": customer["email"],
                    "name": customer["name"],
                    "phone": None,
                    "tax_exempt": "none",
                    "tax_ids": [],
                },
                subscription=subscription["id"],
                invoice=invoice["id"],
                url=None,
            )
            self._emit("checkout.session.completed", session)
            self._emit("customer.subscription.created", subscription)
            self._emit("invoice.paid", invoice)
            self._emit("invoice.payment_succeeded", invoice)
            return self.events[mark:]

    def pay_invoice(self, invoice_id: str) -> list[dict]:
        """Pay an open invoice; an incomplete or past_due subscription becomes active."""
        with self._lock:
            mark = len(self.events)
            invoice = self._existing(self.invoices, invoice_id, "invoice")
            if invoice["status"] != "open":
                raise ValueError(f"{invoice_id} is {invoice['status']}, not open")
            subscription = self.subscriptions.get(_subscription_of(invoice))
            before = _public(subscription)
            self._mark_paid(invoice)
            self._emit("invoice.paid", invoice)
            self._emit("invoice.payment_succeeded", invoice)
            if (
                subscription
                and subscription["latest_invoice"] == invoice_id
                and subscription["status"] in ("incomplete", "past_due", "unpaid")
            ):
                subscription["status"] = "active"
                self._emit_updated(subscription, before)
            return self.events[mark:]

    def fail_invoice(self, subscription_id: str) -> list[dict]:
        """Fail a payment attempt of the subscription's invoice.

        An open latest invoice gets one more failed attempt; otherwise the subscription renews
        (periods advance one interval) and the new renewal invoice fails. An active
        subscription becomes past_due.
        """
        with self._lock:
            mark = len(self.events)
            subscription = self._existing(self.subscriptions, subscription_id, "subscription")
            before = _public(subscription)
            invoice = self.invoices.get(subscription["latest_invoice"])
            if invoice is None or invoice["status"] != "open":
                self._require_status(subscription, ("active", "trialing"))
                invoice = self._advance_period(subscription)
            invoice.update(
                attempt_count=invoice["attempt_count"] + 1,
                attempted=True,
                next_payment_attempt=self._now() + _RETRY_DELAY,
            )
            self._emit("invoice.payment_failed", invoice)
            if subscription["status"] in ("active", "trialing"):
                subscription["status"] = "past_due"
            self._emit_updated(subscription, before)
            return self.events[mark:]

    def renew(self, subscription_id: str) -> list[dict]:
        """Reach the end of the current period: bill and pay the next one, or end the subscription
        when it was set to cancel at period end. A trial ends here too."""
        with self._lock:
            mark = len(self.events)
            subscription = self._existing(self.subscriptions, subscription_id, "subscription")
            self._require_status(subscription, ("active", "trialing"))
            if subscription["cancel_at"] and subscription["cancel_at"] <= _period(subscription)[1]:
                self._cancel(subscription)
                return self.events[mark:]
            before = _public(subscription)
            invoice = self._advance_period(subscription)
            self._mark_paid(invoice)
            self._emit_updated(subscription, before)
            self._emit("invoice.paid", invoice)
            self._emit("invoice.payment_succeeded", invoice)
            return self.events[mark:]

    def update_subscription(self, subscription_id: str, **fields: Any) -> list[dict]:
        """Change a subscription on Stripe's side (the customer portal, the dashboard).

        Understands price= and quantity= (the first item), cancel_at_period_end=,
        metadata= (merged; a None or "" value removes the key), and sets any other existing
        field as given (status="unpaid", cancellation_details={...}).
        """
        with self._lock:
            mark = len(self.events)
            subscription = self._existing(self.subscriptions, subscription_id, "subscription")
            items = None
            if "price" in fields or "quantity" in fields:
                price_id = fields.pop("price", None)
                items = [
                    {
                        "id": subscription["items"]["data"][0]["id"],
                        "price": price_id and self._existing(self.prices, price_id, "price"),
                        "quantity": fields.pop("quantity", None),
                    }
                ]
            unknown = set(fields) - set(subscription) - {"metadata", "cancel_at_period_end"}
            if unknown:
                raise TypeError(f"subscriptions have no field {sorted(unknown)}")
            self._change_subscription(subscription, items=items, **fields)
            return self.events[mark:]

    def cancel_now(self, subscription_id: str) -> list[dict]:
        """Cancel a subscription on Stripe's side, immediately."""
        with self._lock:
            mark = len(self.events)
            subscription = self._existing(self.subscriptions, subscription_id, "subscription")
            if subscription["status"] == "canceled":
                raise ValueError(f"{subscription_id} is already canceled")
            self._cancel(subscription)
            return self.events[mark:]

    def succeed_payment(self, payment_intent_id: str) -> list[dict]:
        """Let the customer's payment go through: a charge is created and the intent succeeds."""
        with self._lock:
            mark = len(self.events)
            intent = self._existing(self.payment_intents, payment_intent_id, "payment intent")
            if intent["status"] not in _CANCELABLE_INTENT:
                raise ValueError(f"{payment_intent_id} is {intent['status']}")
            charge = self._new_charge(intent)
            intent.update(
                status="succeeded",
                amount_received=intent["amount"],
                latest_charge=charge["id"],
                last_payment_error=None,
                payment_method=charge["payment_method"],
            )
            self._emit("payment_intent.succeeded", intent)
            self._emit("charge.succeeded", charge)
            return self.events[mark:]

    def fail_payment(self, payment_intent_id: str, code: str = "card_declined") -> list[dict]:
        """Decline the customer's payment; the intent goes back to requires_payment_method.

        code is a decline: card_declined, insufficient_funds, lost_card, expired_card,
        incorrect_cvc or processing_error.
        """
        with self._lock:
            mark = len(self.events)
            intent = self._existing(self.payment_intents, payment_intent_id, "payment intent")
            if intent["status"] not in _CANCELABLE_INTENT:
                raise ValueError(f"{payment_intent_id} is {intent['status']}")
            error_code, decline_code, message = _DECLINES[code]
            payment_method = f"pm_{_random(24)}"
            intent.update(
                status="requires_payment_method",
                payment_method=None,
                last_payment_error={
                    "type": "card_error",
                    "code": error_code,
                    "decline_code": decline_code,
                    "doc_url": _doc_url(error_code),
                    "message": message,
                    "payment_method": {"id": payment_method, "object": "payment_method"},
                },
            )
            self._emit("payment_intent.payment_failed", intent)
            return self.events[mark:]

    def _existing(self, store: dict, object_id: str, kind: str) -> dict:
        if object_id not in store:
            raise KeyError(f"FakeStripe has no {kind} {object_id!r}")
        return store[object_id]

    def _require_status(self, subscription: dict, statuses: tuple[str, ...]) -> None:
        if subscription["status"] not in statuses:
            raise ValueError(
                f"{subscription['id']} is {subscription['status']}, not one of {statuses}"
            )
