"""Customers: /v1/customers (create, retrieve, update)."""

from __future__ import annotations

import secrets

from apps.billing.tests.fake_stripe.events import _diff
from apps.billing.tests.fake_stripe.store import _public, _random
from apps.billing.tests.fake_stripe.wire import _metadata


class CustomersMixin:
    """/v1/customers, and the customer a checkout creates."""

    def _api_create_customer(self, params: dict) -> dict:
        return self._new_customer(
            email=params.get("email") or None,
            name=params.get("name") or None,
            metadata=_metadata(params.get("metadata")),
            description=params.get("description"),
            phone=params.get("phone"),
        )

    def _api_retrieve_customer(self, params: dict, id: str) -> dict:
        return self._get(self.customers, id, "customer")

    def _api_update_customer(self, params: dict, id: str) -> dict:
        customer = self._get(self.customers, id, "customer")
        metadata = _metadata(params.get("metadata"), customer["metadata"])
        before = _public(customer)
        for field in ("email", "name", "description", "phone"):
            if field in params:
                customer[field] = params[field] or None
        customer["metadata"] = metadata
        previous = _diff(before, _public(customer))
        if previous:
            self._emit("customer.updated", customer, previous)
        return customer

    def _new_customer(self, *, email, name, metadata=None, description=None, phone=None) -> dict:
        customer_id = f"cus_{_random(14)}"
        customer = {
            "id": customer_id,
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": self._now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": description,
            "discount": None,
            "email": email,
            "invoice_prefix": secrets.token_hex(4).upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": metadata or {},
            "name": name,
            "next_invoice_sequence": 1,
            "phone": phone,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
        self.customers[customer_id] = customer
        self._emit("customer.created", customer)
        return customer
