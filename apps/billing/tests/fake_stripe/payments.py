"""One-off payments: /v1/payment_intents (create, retrieve, cancel), their charges, and
/v1/refunds (create, retrieve)."""

from __future__ import annotations

from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.events import _diff
from apps.billing.tests.fake_stripe.prices import _money
from apps.billing.tests.fake_stripe.store import _public, _random
from apps.billing.tests.fake_stripe.wire import _boolean, _choice, _integer, _metadata, _required

_CANCELABLE_INTENT = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


class PaymentsMixin:
    """Payment intents, the charge a succeeded one leaves, and refunds of that charge."""

    def _api_create_payment_intent(self, params: dict) -> dict:
        amount = _integer(params, "amount")
        if amount is None:
            raise StripeAPIError(
                400, "Missing required param: amount.", code="parameter_missing", param="amount"
            )
        currency = _required(params, "currency").lower()
        if amount < 50:
            raise StripeAPIError(
                400,
                f"Amount must be at least $0.50 {currency}",
                code="amount_too_small",
                param="amount",
            )
        customer = params.get("customer") and self._ref(
            self.customers, params["customer"], "customer", "customer"
        )
        automatic = params.get("automatic_payment_methods") or {}
        enabled = _boolean(automatic, "enabled", "automatic_payment_methods[enabled]")
        intent_id = f"pi_{_random(24)}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": {"allow_redirects": "always", "enabled": True}
            if enabled
            else None,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic_async",
            "client_secret": f"{intent_id}_secret_{_random(25)}",
            "confirmation_method": "automatic",
            "created": self._now(),
            "currency": currency,
            "customer": customer and customer["id"],
            "description": params.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": _metadata(params.get("metadata")),
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": None,
            "payment_method_configuration_details": None,
            "payment_method_options": {},
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "processing": None,
            "receipt_email": params.get("receipt_email"),
            "review": None,
            "setup_future_usage": None,
            "shipping": None,
            "source": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "requires_payment_method",
            "transfer_data": None,
            "transfer_group": None,
        }
        self.payment_intents[intent_id] = intent
        self._emit("payment_intent.created", intent)
        return intent

    def _api_retrieve_payment_intent(self, params: dict, id: str) -> dict:
        return self._get(self.payment_intents, id, "payment_intent")

    def _api_cancel_payment_intent(self, params: dict, id: str) -> dict:
        intent = self._get(self.payment_intents, id, "payment_intent")
        reason = _choice(
            params,
            "cancellation_reason",
            ("abandoned", "duplicate", "fraudulent", "requested_by_customer"),
        )
        if intent["status"] not in _CANCELABLE_INTENT:
            raise StripeAPIError(
                400,
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be canceled: {', '.join(_CANCELABLE_INTENT)}.",
                code="payment_intent_unexpected_state",
                payment_intent=_public(intent),
            )
        intent.update(status="canceled", canceled_at=self._now(), cancellation_reason=reason)
        self._emit("payment_intent.canceled", intent)
        return intent

    def _new_charge(self, intent: dict) -> dict:
        charge_id = f"ch_{_random(24)}"
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "application": None,
            "application_fee": None,
            "application_fee_amount": None,
            "balance_transaction": f"txn_{_random(24)}",
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "calculated_statement_descriptor": "FAKESTRIPE",
            "captured": True,
            "created": self._now(),
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "failure_balance_transaction": None,
            "failure_code": None,
            "failure_message": None,
            "fraud_details": {},
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "on_behalf_of": None,
            "outcome": {
                "network_status": "approved_by_network",
                "reason": None,
                "risk_level": "normal",
                "seller_message": "Payment complete.",
                "type": "authorized",
            },
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method": f"pm_{_random(24)}",
            "payment_method_details": {
                "card": {
                    "brand": "visa",
                    "country": "US",
                    "exp_month": 12,
                    "exp_year": 2034,
                    "funding": "credit",
                    "last4": "4242",
                },
                "type": "card",
            },
            "receipt_email": intent["receipt_email"],
            "receipt_number": None,
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{_random(40)}",
            "refunded": False,
            "review": None,
            "shipping": None,
            "source_transfer": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "succeeded",
            "transfer_data": None,
            "transfer_group": None,
        }
        self.charges[charge_id] = charge
        return charge

    def _api_create_refund(self, params: dict) -> dict:
        if params.get("payment_intent"):
            intent = self._ref(
                self.payment_intents, params["payment_intent"], "payment_intent", "payment_intent"
            )
            if intent["status"] != "succeeded" or not intent["latest_charge"]:
                raise StripeAPIError(
                    400,
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge to "
                    "refund.",
                    code="payment_intent_unexpected_state",
                    param="payment_intent",
                )
            charge = self.charges[intent["latest_charge"]]
        elif params.get("charge"):
            charge = self._ref(self.charges, params["charge"], "charge", "charge")
        else:
            raise StripeAPIError(
                400,
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        left = charge["amount"] - charge["amount_refunded"]
        if not left:
            raise StripeAPIError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = _integer(params, "amount")
        amount = left if amount is None else amount
        if amount <= 0:
            raise StripeAPIError(
                400, "Invalid positive integer", code="parameter_invalid_integer", param="amount"
            )
        if amount > left:
            raise StripeAPIError(
                400,
                f"Refund amount ({_money(amount, charge['currency'])}) is greater than unrefunded "
                f"amount on charge ({_money(left, charge['currency'])})",
                code="amount_too_large",
                param="amount",
            )
        reason = _choice(params, "reason", ("duplicate", "fraudulent", "requested_by_customer"))
        refund_id = f"re_{_random(24)}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": f"txn_{_random(24)}",
            "charge": charge["id"],
            "created": self._now(),
            "currency": charge["currency"],
            "destination_details": {
                "card": {
                    "reference_status": "pending",
                    "reference_type": "acquirer_reference_number",
                    "type": "refund",
                },
                "type": "card",
            },
            "metadata": _metadata(params.get("metadata")),
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
        self.refunds[refund_id] = refund
        before = _public(charge)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._emit("refund.created", refund)
        self._emit("charge.refunded", charge, _diff(before, _public(charge)))
        return refund

    def _api_retrieve_refund(self, params: dict, id: str) -> dict:
        return self._get(self.refunds, id, "refund")
