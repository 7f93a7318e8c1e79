"""Checkout in subscription mode (/v1/checkout/sessions) and the billing portal
(/v1/billing_portal/sessions)."""

from __future__ import annotations

from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.store import _DAY, _public, _random
from apps.billing.tests.fake_stripe.wire import _integer, _metadata, _required


class CheckoutMixin:
    """Checkout sessions (completed by `complete_checkout`) and portal sessions."""

    def _api_create_checkout_session(self, params: dict) -> dict:
        mode = _required(params, "mode")
        if mode != "subscription":
            raise StripeAPIError(400, "FakeStripe emulates only mode=subscription.", param="mode")
        if params.get("customer") and params.get("customer_email"):
            raise StripeAPIError(
                400, "You may only specify one of these parameters: customer, customer_email."
            )
        customer = params.get("customer") and self._ref(
            self.customers, params["customer"], "customer", "customer"
        )
        line_items = self._price_lines(_required(params, "line_items"), "line_items")
        if not any(price["recurring"] for price, _ in line_items):
            raise StripeAPIError(
                400,
                "You must specify at least one recurring price in `subscription` mode when "
                "using prices.",
                param="line_items",
            )
        data = params.get("subscription_data") or {}
        trial_days = _integer(data, "trial_period_days", "subscription_data[trial_period_days]")
        if trial_days is not None and trial_days < 1:
            raise StripeAPIError(
                400,
                "The minimum number of trial period days is 1.",
                param="subscription_data[trial_period_days]",
            )
        total = sum(price["unit_amount"] * quantity for price, quantity in line_items)
        now = self._now()
        session_id = f"cs_test_{_random(58)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": total,
            "amount_total": total,
            "automatic_tax": {
                "enabled": False,
                "liability": None,
                "provider": None,
                "status": None,
            },
            "billing_address_collection": None,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "client_secret": None,
            "consent": None,
            "consent_collection": None,
            "created": now,
            "currency": line_items[0][0]["currency"],
            "custom_fields": [],
            "customer": customer and customer["id"],
            "customer_creation": None if customer else "always",
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "discounts": [],
            "expires_at": now + _DAY,
            "invoice": None,
            "invoice_creation": None,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": _metadata(params.get("metadata")),
            "mode": mode,
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "always",
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "phone_number_collection": {"enabled": False},
            "recovered_from": None,
            "setup_intent": None,
            "shipping_address_collection": None,
            "shipping_cost": None,
            "shipping_options": [],
            "status": "open",
            "submit_type": None,
            "subscription": None,
            "success_url": params.get("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": params.get("ui_mode", "hosted"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "_line_items": line_items,
            "_line_item_ids": [f"li_{_random(24)}" for _ in line_items],
            "_subscription_data": {
                "metadata": _metadata(data.get("metadata"), param="subscription_data[metadata]"),
                "trial_period_days": trial_days,
                "trial_end": _integer(data, "trial_end", "subscription_data[trial_end]"),
            },
        }
        self.checkout_sessions[session_id] = session
        return session

    def _api_retrieve_checkout_session(self, params: dict, id: str) -> dict:
        return self._get(self.checkout_sessions, id, "checkout.session")

    def _api_list_checkout_line_items(self, params: dict, id: str) -> dict:
        session = self._get(self.checkout_sessions, id, "checkout.session")
        return self._checkout_line_items(session)

    def _checkout_line_items(self, session: dict) -> dict:
        stored = self.checkout_sessions[session["id"]]
        data = [
            {
                "id": line_id,
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": price["unit_amount"] * quantity,
                "amount_tax": 0,
                "amount_total": price["unit_amount"] * quantity,
                "currency": price["currency"],
                "description": price["nickname"] or price["product"],
                "price": _public(price),
                "quantity": quantity,
            }
            for (price, quantity), line_id in zip(
                stored["_line_items"], stored["_line_item_ids"], strict=True
            )
        ]
        url = f"/v1/checkout/sessions/{session['id']}/line_items"
        return {"object": "list", "data": data, "has_more": False, "url": url}

    def _api_create_portal_session(self, params: dict) -> dict:
        customer = self._ref(self.customers, _required(params, "customer"), "customer", "customer")
        session_id = f"bps_{_random(24)}"
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": "bpc_fakeconfiguration",
            "created": self._now(),
            "customer": customer["id"],
            "flow": None,
            "livemode": False,
            "locale": params.get("locale"),
            "on_behalf_of": None,
            "return_url": params.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{_random(32)}",
        }
        self.portal_sessions[session_id] = session
        return session
