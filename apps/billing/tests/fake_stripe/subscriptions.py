"""Subscriptions: /v1/subscriptions, and the billing periods, plan changes and cancellations
that the API and the controls share."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.prices import _interval, _plan
from apps.billing.tests.fake_stripe.store import _DAY, _public, _random
from apps.billing.tests.fake_stripe.wire import (
    _boolean,
    _choice,
    _integer,
    _list,
    _metadata,
    _required,
)

_SUBSCRIPTION_STATUSES = (
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
)

_PAYMENT_BEHAVIORS = (
    "allow_incomplete",
    "default_incomplete",
    "error_if_incomplete",
    "pending_if_incomplete",
)


class SubscriptionsMixin:
    """/v1/subscriptions and a subscription's life: start, periods, changes, cancellation."""

    def _api_create_subscription(self, params: dict) -> dict:
        customer = self._ref(self.customers, _required(params, "customer"), "customer", "customer")
        lines = self._price_lines(_required(params, "items"), "items")
        for i, (price, _) in enumerate(lines):
            if not price["recurring"]:
                raise StripeAPIError(
                    400,
                    "The price specified is set to `type=one_time` but this field only accepts "
                    "prices with `type=recurring`.",
                    param=f"items[{i}][price]",
                )
        behavior = _choice(
            params,
            "payment_behavior",
            _PAYMENT_BEHAVIORS,
        )
        trial_days = _integer(params, "trial_period_days")
        trial_end = None if params.get("trial_end") == "now" else _integer(params, "trial_end")
        if trial_days:
            trial_end = self._now() + trial_days * _DAY
        if not trial_end and behavior in (None, "error_if_incomplete", "pending_if_incomplete"):
            raise StripeAPIError(
                400,
                "This customer has no attached payment source or default payment method. "
                "Please consider adding a default payment method.",
                code="resource_missing",
            )
        subscription, invoice = self._start_subscription(
            customer,
            lines,
            metadata=_metadata(params.get("metadata")),
            trial_end=trial_end,
            paid=False,
        )
        self._emit("customer.subscription.created", subscription)
        if invoice["status"] == "paid":
            self._emit("invoice.paid", invoice)
            self._emit("invoice.payment_succeeded", invoice)
        return subscription

    def _api_retrieve_subscription(self, params: dict, id: str) -> dict:
        return self._get(self.subscriptions, id, "subscription")

    def _api_list_subscriptions(self, params: dict) -> dict:
        status = _choice(params, "status", _SUBSCRIPTION_STATUSES)
        customer, price = params.get("customer"), params.get("price")

        def wanted(subscription: dict) -> bool:
            if status is None and subscription["status"] == "canceled":
                return False
            if status == "ended" and subscription["status"] not in (
                "canceled",
                "incomplete_expired",
            ):
                return False
            if status not in (None, "all", "ended") and subscription["status"] != status:
                return False
            if customer and subscription["customer"] != customer:
                return False
            prices = [item["price"]["id"] for item in subscription["items"]["data"]]
            return not price or price in prices

        return self._page(self.subscriptions, wanted, params, "/v1/subscriptions")

    def _api_update_subscription(self, params: dict, id: str) -> dict:
        subscription = self._get(self.subscriptions, id, "subscription")
        _choice(params, "proration_behavior", ("always_invoice", "create_prorations", "none"))
        _choice(
            params,
            "payment_behavior",
            _PAYMENT_BEHAVIORS,
        )
        items = None
        if "items" in params:
            items = []
            for i, entry in enumerate(_list(params, "items")):
                price_id = entry.get("price")
                items.append(
                    {
                        "id": entry.get("id"),
                        "price": price_id
                        and self._ref(self.prices, price_id, "price", f"items[{i}][price]"),
                        "quantity": _integer(entry, "quantity", f"items[{i}][quantity]"),
                        "deleted": _boolean(entry, "deleted", f"items[{i}][deleted]"),
                    }
                )
        changes = {}
        if "cancel_at_period_end" in params:
            changes["cancel_at_period_end"] = _boolean(params, "cancel_at_period_end")
        if "metadata" in params:
            changes["metadata"] = params["metadata"]
        if "cancellation_details" in params:
            details = dict(subscription["cancellation_details"])
            details.update({k: v or None for k, v in params["cancellation_details"].items()})
            changes["cancellation_details"] = details
        return self._change_subscription(subscription, items=items, **changes)

    def _api_cancel_subscription(self, params: dict, id: str) -> dict:
        subscription = self._get(self.subscriptions, id, "subscription")
        if subscription["status"] == "canceled":
            raise StripeAPIError(
                400,
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        return self._cancel(subscription, params.get("cancellation_details"))

    def _start_subscription(self, customer, lines, *, metadata, trial_end, paid):
        """Create a subscription and its first invoice; the caller emits the events."""
        now = self._now()
        subscription_id = f"sub_{_random(24)}"
        items = [self._new_item(subscription_id, price, quantity) for price, quantity in lines]
        status = "trialing" if trial_end else "active" if paid else "incomplete"
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": trial_end or now,
            "billing_cycle_anchor_config": None,
            "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
            "billing_schedules": [],
            "billing_thresholds": None,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": now,
            "currency": lines[0][0]["currency"],
            "customer": customer["id"],
            "days_until_due": None,
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "ended_at": None,
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "items": {
                "object": "list",
                "data": items,
                "has_more": False,
                "total_count": len(items),
                "url": f"/v1/subscription_items?subscription={subscription_id}",
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": metadata,
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": now,
            "status": status,
            "test_clock": None,
            "transfer_data": None,
            "trial_end": trial_end,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": now if trial_end else None,
        }
        self.subscriptions[subscription_id] = subscription
        if trial_end:
            self._set_period(subscription, 0, start=now, end=trial_end)
        else:
            self._set_period(subscription, 1)
        invoice = self._new_invoice(
            subscription, reason="subscription_create", period=(now, now), trial=bool(trial_end)
        )
        if paid or not invoice["amount_due"]:
            self._mark_paid(invoice)
        subscription["latest_invoice"] = invoice["id"]
        return subscription, invoice

    def _new_item(self, subscription_id: str, price: dict, quantity: int) -> dict:
        return {
            "id": f"si_{_random(14)}",
            "object": "subscription_item",
            "billing_thresholds": None,
            "created": self._now(),
            "current_period_end": None,
            "current_period_start": None,
            "discounts": [],
            "metadata": {},
            "plan": _plan(price),
            "price": _public(price),
            "quantity": quantity,
            "subscription": subscription_id,
            "tax_rates": [],
        }

    def _set_period(self, subscription, cycle, *, start=None, end=None) -> None:
        """Put every item in billing cycle `cycle` counted from the anchor (0 is the trial)."""
        if start is None:
            interval = subscription["items"]["data"][0]["price"]["recurring"]["interval"]
            anchor = subscription["billing_cycle_anchor"]
            start = _add_interval(anchor, interval, cycle - 1)
            end = _add_interval(anchor, interval, cycle)
        subscription["_cycle"] = cycle
        for item in subscription["items"]["data"]:
            item["current_period_start"], item["current_period_end"] = start, end

    def _advance_period(self, subscription: dict) -> dict:
        """Move into the next period; answer its (open) invoice, now the latest one."""
        ended = _period(subscription)
        if subscription["status"] == "trialing":
            subscription["status"] = "active"
        self._set_period(subscription, subscription["_cycle"] + 1)
        invoice = self._new_invoice(subscription, reason="subscription_cycle", period=ended)
        subscription["latest_invoice"] = invoice["id"]
        return invoice

    def _change_subscription(
        self, subscription, *, items=None, cancel_at_period_end=None, metadata=None, **fields
    ) -> dict:
        """Apply an update from the API or from Stripe's side, all or nothing, and emit it."""
        if subscription["status"] == "canceled" and (
            items or cancel_at_period_end is not None or set(fields) - {"cancellation_details"}
        ):
            raise StripeAPIError(
                400,
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        current = {item["id"]: item for item in subscription["items"]["data"]}
        for i, change in enumerate(items or []):
            if change.get("id") and change["id"] not in current:
                raise StripeAPIError(
                    400,
                    f"No such subscription item: '{change['id']}'",
                    code="resource_missing",
                    param=f"items[{i}][id]",
                )
            if not change.get("id") and not change.get("price"):
                raise StripeAPIError(
                    400,
                    f"Missing required param: items[{i}][price].",
                    code="parameter_missing",
                    param=f"items[{i}][price]",
                )
        if metadata is not None:
            metadata = _metadata(metadata, subscription["metadata"])
        before = _public(subscription)
        for change in items or []:
            self._change_item(subscription, change)
        if cancel_at_period_end is not None:
            end = _period(subscription)[1]
            subscription.update(
                cancel_at_period_end=cancel_at_period_end,
                cancel_at=end if cancel_at_period_end else None,
                canceled_at=self._now() if cancel_at_period_end else None,
            )
            subscription["cancellation_details"] = {
                **subscription["cancellation_details"],
                "reason": "cancellation_requested" if cancel_at_period_end else None,
            }
        if metadata is not None:
            subscription["metadata"] = metadata
        subscription.update(fields)
        self._emit_updated(subscription, before)
        return subscription

    def _change_item(self, subscription: dict, change: dict) -> None:
        items = subscription["items"]["data"]
        if not change.get("id"):
            item = self._new_item(subscription["id"], change["price"], change.get("quantity") or 1)
            items.append(item)
            self._set_period(subscription, subscription["_cycle"], **_explicit_period(subscription))
        else:
            item = next(item for item in items if item["id"] == change["id"])
            price = change.get("price")
            if change.get("deleted"):
                items.remove(item)
            elif price:
                old_interval = _interval(item["price"])
                item["price"], item["plan"] = _public(price), _plan(price)
                if price["recurring"] and _interval(price) != old_interval:
                    # A new interval restarts the billing cycle from now, as on Stripe.
                    subscription["billing_cycle_anchor"] = self._now()
                    self._set_period(subscription, 1)
            if not change.get("deleted") and change.get("quantity") is not None:
                item["quantity"] = change["quantity"]
        subscription["items"]["total_count"] = len(items)

    def _cancel(self, subscription: dict, details: dict | None = None) -> dict:
        now = self._now()
        subscription.update(status="canceled", ended_at=now)
        subscription["canceled_at"] = subscription["canceled_at"] or now
        reason = subscription["cancellation_details"]["reason"] or "cancellation_requested"
        subscription["cancellation_details"] = {
            **subscription["cancellation_details"],
            **{k: v or None for k, v in (details or {}).items()},
            "reason": reason,
        }
        self._emit("customer.subscription.deleted", subscription)
        return subscription


def _period(subscription: dict) -> tuple[int, int]:
    item = subscription["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


def _explicit_period(subscription: dict) -> dict:
    start, end = _period(subscription)
    return {"start": start, "end": end}


def _add_interval(timestamp: int, interval: str, count: int) -> int:
    """Move a timestamp by count intervals, keeping the day of month where the month has it."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    if interval in ("day", "week"):
        return int((moment + timedelta(days=count * (7 if interval == "week" else 1))).timestamp())
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return int(moment.replace(year=year, month=month + 1, day=day).timestamp())
