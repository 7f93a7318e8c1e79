"""Prices: the preregistered catalogue, `add_price`, and how a price reads on items and invoices."""

from __future__ import annotations

from typing import Any

from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.store import _random
from apps.billing.tests.fake_stripe.wire import _integer, _required


class PricesMixin:
    """/v1/prices, and the prices named by line items."""

    DEFAULT_PRICES = (("price_pro_month", 1900, "Pro"), ("price_business_month", 4900, "Business"))

    def add_price(
        self,
        price_id: str,
        unit_amount: int,
        currency: str = "usd",
        interval: str | None = "month",
        *,
        product: str | None = None,
        nickname: str | None = None,
    ) -> dict:
        """Register a price; interval=None makes a one-time price."""
        with self._lock:
            self.prices[price_id] = {
                "id": price_id,
                "object": "price",
                "active": True,
                "billing_scheme": "per_unit",
                "created": self._now(),
                "currency": currency,
                "custom_unit_amount": None,
                "livemode": False,
                "lookup_key": None,
                "metadata": {},
                "nickname": nickname,
                "product": product or f"prod_{_random(14)}",
                "recurring": interval
                and {
                    "interval": interval,
                    "interval_count": 1,
                    "meter": None,
                    "trial_period_days": None,
                    "usage_type": "licensed",
                },
                "tax_behavior": "unspecified",
                "tiers_mode": None,
                "transform_quantity": None,
                "type": "recurring" if interval else "one_time",
                "unit_amount": unit_amount,
                "unit_amount_decimal": str(unit_amount),
            }
            return self.prices[price_id]

    def _api_retrieve_price(self, params: dict, id: str) -> dict:
        return self._get(self.prices, id, "price")

    def _price_lines(self, entries: Any, param: str) -> list[tuple[dict, int]]:
        if not isinstance(entries, list) or not entries:
            raise StripeAPIError(400, "Invalid array", param=param)
        lines = []
        for i, entry in enumerate(entries):
            price_id = _required(entry, "price", f"{param}[{i}][price]")
            price = self._ref(self.prices, price_id, "price", f"{param}[{i}][price]")
            quantity = _integer(entry, "quantity", f"{param}[{i}][quantity]")
            lines.append((price, 1 if quantity is None else quantity))
        return lines


def _interval(price: dict) -> str:
    return price["recurring"]["interval"]


def _plan(price: dict) -> dict:
    recurring = price["recurring"] or {}
    return {
        "id": price["id"],
        "object": "plan",
        "active": True,
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count", 1),
        "livemode": False,
        "metadata": {},
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def _money(amount: int, currency: str) -> str:
    if currency == "usd":
        return f"${amount / 100:.2f}"
    return f"{amount / 100:.2f} {currency.upper()}"
