"""Invoices: /v1/invoices (list, retrieve), and the invoices subscriptions are billed with."""

from __future__ import annotations

from apps.billing.tests.fake_stripe.prices import _interval, _money
from apps.billing.tests.fake_stripe.store import _random
from apps.billing.tests.fake_stripe.subscriptions import _period
from apps.billing.tests.fake_stripe.wire import _choice


class InvoicesMixin:
    """/v1/invoices and the subscription invoices, open until paid."""

    def _api_list_invoices(self, params: dict) -> dict:
        status = _choice(params, "status", ("draft", "open", "paid", "uncollectible", "void"))
        customer, subscription = params.get("customer"), params.get("subscription")

        def wanted(invoice: dict) -> bool:
            return (
                (not status or invoice["status"] == status)
                and (not customer or invoice["customer"] == customer)
                and (not subscription or _subscription_of(invoice) == subscription)
            )

        return self._page(self.invoices, wanted, params, "/v1/invoices")

    def _api_retrieve_invoice(self, params: dict, id: str) -> dict:
        return self._get(self.invoices, id, "invoice")

    def _new_invoice(self, subscription, *, reason, period, trial=False) -> dict:
        customer = self.customers[subscription["customer"]]
        invoice_id = f"in_{_random(24)}"
        line_start, line_end = _period(subscription)
        lines = []
        for item in subscription["items"]["data"]:
            price, quantity = item["price"], item["quantity"]
            amount = 0 if trial else price["unit_amount"] * quantity
            name = price["nickname"] or price["product"]
            if trial:
                description = f"Trial period for {name}"
            else:
                unit = f"{_money(price['unit_amount'], price['currency'])} / {_interval(price)}"
                description = f"{quantity} \N{MULTIPLICATION SIGN} {name} (at {unit})"
            lines.append(
                {
                    "id": f"il_{_random(24)}",
                    "object": "line_item",
                    "amount": amount,
                    "currency": price["currency"],
                    "description": description,
                    "discount_amounts": [],
                    "discountable": True,
                    "discounts": [],
                    "invoice": invoice_id,
                    "livemode": False,
                    "metadata": dict(subscription["metadata"]),
                    "parent": {
                        "invoice_item_details": None,
                        "subscription_item_details": {
                            "invoice_item": None,
                            "proration": False,
                            "proration_details": {"credited_items": None},
                            "subscription": subscription["id"],
                            "subscription_item": item["id"],
                        },
                        "type": "subscription_item_details",
                    },
                    "period": {"end": line_end, "start": line_start},
                    "pretax_credit_amounts": [],
                    "pricing": {
                        "price_details": {"price": price["id"], "product": price["product"]},
                        "type": "price_details",
                        "unit_amount_decimal": price["unit_amount_decimal"],
                    },
                    "quantity": quantity,
                    "subtotal": amount,
                    "taxes": [],
                }
            )
        total = sum(line["amount"] for line in lines)
        now = self._now()
        number = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
        customer["next_invoice_sequence"] += 1
        token = _random(40)
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "account_country": "US",
            "account_name": "FakeStripe test account",
            "amount_due": total,
            "amount_overpaid": 0,
            "amount_paid": 0,
            "amount_remaining": total,
            "amount_shipping": 0,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": True,
            "automatic_tax": {
                "disabled_reason": None,
                "enabled": False,
                "liability": None,
                "provider": None,
                "status": None,
            },
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": subscription["currency"],
            "customer": customer["id"],
            "customer_email": customer["email"],
            "customer_name": customer["name"],
            "default_payment_method": None,
            "description": None,
            "discounts": [],
            "due_date": None,
            "effective_at": now,
            "ending_balance": 0,
            "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_fake/test_{token}",
            "invoice_pdf": f"https://pay.stripe.com/invoice/acct_fake/test_{token}/pdf",
            "issuer": {"type": "self"},
            "last_finalization_error": None,
            "lines": {
                "object": "list",
                "data": lines,
                "has_more": False,
                "total_count": len(lines),
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None,
            "number": number,
            "parent": {
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(subscription["metadata"]),
                    "subscription": subscription["id"],
                    "subscription_proration_date": None,
                },
                "type": "subscription_details",
            },
            "payment_settings": {
                "default_mandate": None,
                "payment_method_options": None,
                "payment_method_types": None,
            },
            "period_end": period[1],
            "period_start": period[0],
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": None,
            "starting_balance": 0,
            "status": "open",
            "status_transitions": {
                "finalized_at": now,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "subtotal": total,
            "subtotal_excluding_tax": total,
            "total": total,
            "total_discount_amounts": [],
            "total_excluding_tax": total,
            "total_pretax_credit_amounts": [],
            "total_taxes": [],
            "webhooks_delivered_at": now,
            "_client_secret": f"pi_{_random(24)}_secret_{_random(25)}",
        }
        self.invoices[invoice_id] = invoice
        return invoice

    def _mark_paid(self, invoice: dict) -> None:
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            attempted=True,
            attempt_count=invoice["attempt_count"] + (1 if invoice["amount_due"] else 0),
            next_payment_attempt=None,
        )
        invoice["status_transitions"]["paid_at"] = self._now()

    def _confirmation_secret(self, invoice: dict) -> dict | None:
        stored = self.invoices[invoice["id"]]
        if stored["status"] in ("draft", "void") or not stored["amount_due"]:
            return None
        return {"client_secret": stored["_client_secret"], "type": "payment_intent"}


def _subscription_of(invoice: dict) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription")
