"""The account's objects in memory: ids, the clock, and lookups that answer as the API does."""

from __future__ import annotations

import secrets
import string
import time
from typing import Any

from apps.billing.tests.fake_stripe.errors import StripeAPIError

_DAY = 86_400
_ALPHABET = string.ascii_letters + string.digits


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _public(value: Any) -> Any:
    """Copy an object without the fake's own bookkeeping (keys starting with an underscore)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


class StoreMixin:
    """The clock and the lookups every resource uses."""

    def _now(self) -> int:
        # Events must never go back in time, even when a test travels with time-machine.
        self._clock = max(self._clock, int(time.time()))
        return self._clock

    def _get(self, store: dict, object_id: str, kind: str) -> dict:
        if object_id not in store:
            raise StripeAPIError(
                404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id"
            )
        return store[object_id]

    def _ref(self, store: dict, object_id: str, kind: str, param: str) -> dict:
        if object_id not in store:
            raise StripeAPIError(
                400, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
            )
        return store[object_id]

    def _find(self, object_id: str) -> dict | None:
        for store in (
            self.customers,
            self.prices,
            self.subscriptions,
            self.invoices,
            self.payment_intents,
            self.charges,
            self.refunds,
            self.checkout_sessions,
        ):
            if object_id in store:
                return store[object_id]
        return None
