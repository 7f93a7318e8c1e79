"""A local stand-in for Stripe's REST API, for tests that drive the real `stripe` library.

`FakeStripe` runs a threaded HTTP server on 127.0.0.1 (random port). Point `STRIPE_API_BASE` at
`fake.url` and the official client talks to it as it would to api.stripe.com, for API version
2026-10-28.endive.

What it emulates:
- /v1/customers (create, retrieve, update), /v1/prices/{id} (`price_pro_month` 1900 usd/month and
  `price_business_month` 4900 usd/month are preregistered; `add_price` adds more),
  /v1/checkout/sessions in subscription mode (create, retrieve, line_items),
  /v1/billing_portal/sessions, /v1/subscriptions (create, retrieve, list, update, cancel),
  /v1/invoices (list, retrieve), /v1/payment_intents (create, retrieve, cancel),
  /v1/refunds (create, retrieve).
- The wire format: form-encoded bracket params (`items[0][price]`, `metadata[k]`, `expand[0]`)
  parsed into nested dicts and lists; parameters the stripe package's own param types do not
  declare are refused with `parameter_unknown`, as Stripe refuses them; `expand` (ids become
  objects; includable fields, invoice `confirmation_secret` and checkout `line_items`, appear only
  when expanded); list pages (`limit`, `starting_after`, `ending_before`, `has_more`, `url`).
- Endive object shapes: billing periods live on subscription items, an invoice names its
  subscription under `parent.subscription_details`, and (as on Stripe) a renewal invoice's
  `period_start`/`period_end` is the period that just ended while its line carries the paid one.
- Stripe's error body and statuses, API key checks (401), `Idempotency-Key` replay (and
  `idempotency_error` when a key comes back with other params), `Request-Id`, and a log of every
  request (`requests`) with the `Stripe-Version` header it carried.
- Webhooks: every state change appends the Event(s) Stripe would send to `events` (updates carry
  `previous_attributes`; deletions, as on Stripe, do not); `sign` makes the `Stripe-Signature`
  header and `deliver` posts an event to our webhook endpoint.

Control methods play Stripe's side and answer the events they emitted: `complete_checkout`,
`pay_invoice`, `fail_invoice`, `renew`, `update_subscription`, `cancel_now`, `succeed_payment`,
`fail_payment`; `fail_next` makes the next requests fail; `reset` forgets everything. Requests
are served one at a time under a lock, so two concurrent requests with one idempotency key see a
replay where Stripe would answer 409 to the second.

What it does not:
- Payment methods, confirmation and 3-D Secure: money moves only through the control methods
  (`pay_invoice`, `succeed_payment`, `fail_payment`, ...). Nothing happens with the passing of
  time either: tests call `renew`, `fail_invoice`, `cancel_now`.
- Prorations and proration invoices, coupons, taxes, schedules, test clocks, Connect, search, v2,
  payment mode checkout, dunning outcomes (use `update_subscription(status=...)`).
- Events a billing integration rarely subscribes to: invoice.created/finalized/updated, the
  payment_intent/charge events of invoice payments, charge.failed, trial_will_end.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import re
import secrets
import string
import sys
import threading
import time
import types
import typing
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import stripe.params as P
import stripe.params.billing_portal as PB
import stripe.params.checkout as PC
import typing_extensions

API_VERSION = "2026-10-28.endive"
TEST_SECRET_KEY = "sk_test_fake"
TEST_WEBHOOK_SECRET = "whsec_test_secret"
WEBHOOK_PATH = "/api/v1/stripe/webhook"

_DAY = 86_400
_RETRY_DELAY = 3 * _DAY
_ALPHABET = string.ascii_letters + string.digits
_REQUEST_OPTIONS = frozenset(
    {
        "api_key",
        "stripe_version",
        "stripe_account",
        "stripe_context",
        "max_network_retries",
        "idempotency_key",
        "content_type",
        "headers",
    }
)
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
# What an injected failure (fail_next) answers, by status: (type, code, message).
_INJECTED = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", None, "Invalid API Key provided: sk_test_****fake"),
    402: ("card_error", "card_declined", "Your card was declined."),
    403: (
        "invalid_request_error",
        None,
        "The provided key does not have the required permissions.",
    ),
    404: ("invalid_request_error", "resource_missing", "No such object."),
    409: (
        "idempotency_error",
        "idempotency_key_in_use",
        "There is currently another in-progress request using this idempotent key.",
    ),
    429: ("invalid_request_error", "rate_limit", "Request rate limit exceeded."),
}
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
_CANCELABLE_INTENT = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


class RecordedRequest(NamedTuple):
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """Answer a header by its case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class StripeAPIError(Exception):
    """An error answered in Stripe's shape: {"error": {"type", "code", "message", "param"}}."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.status = status
        self.error: dict[str, Any] = {"type": error_type, "message": message}
        if code:
            self.error["code"] = code
            self.error["doc_url"] = _doc_url(code)
        if param is not None:
            self.error["param"] = param
        self.error.update(extra)


class FakeStripe:
    """Stripe's v1 API for one test-mode account, in memory; see the module docstring."""

    DEFAULT_PRICES = (("price_pro_month", 1900, "Pro"), ("price_business_month", 4900, "Business"))

    def __init__(self, *, api_version: str = API_VERSION):
        self.api_version = api_version
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget every object, event, logged request and pending failure."""
        with self._lock:
            self.customers: dict[str, dict] = {}
            self.prices: dict[str, dict] = {}
            self.checkout_sessions: dict[str, dict] = {}
            self.portal_sessions: dict[str, dict] = {}
            self.subscriptions: dict[str, dict] = {}
            self.invoices: dict[str, dict] = {}
            self.payment_intents: dict[str, dict] = {}
            self.charges: dict[str, dict] = {}
            self.refunds: dict[str, dict] = {}
            self.events: list[dict] = []
            self.requests: list[RecordedRequest] = []
            self._idempotent: dict[str, tuple] = {}
            self._failures: list[tuple[int, bool | None]] = []
            self._clock = 0
            self._request: dict | None = None
            for price_id, amount, name in self.DEFAULT_PRICES:
                self.add_price(price_id, amount, product=f"prod_{name.lower()}", nickname=name)

    # -- test controls -----------------------------------------------------------------------

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

    def fail_next(self, n: int = 1, status: int = 500, *, should_retry: bool | None = None) -> None:
        """Answer the next n API requests with `status` and Stripe's error body.

        should_retry sets the `Stripe-Should-Retry` header, which the library obeys before its
        own rules (it retries 409 and 5xx, never 4xx, by default). Injected failures are not
        stored under their idempotency key, so a retry runs the request for real.
        """
        with self._lock:
            self._failures.extend([(status, should_retry)] * n)

    def events_of(self, event_type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == event_type]

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

    # -- webhooks ------------------------------------------------------------------------------

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

    # -- HTTP plumbing -------------------------------------------------------------------------

    def _handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(raw_path)
        query = url.query if method in ("GET", "DELETE") else body.decode()
        params = parse_form(query)
        lowered = {name.lower(): value for name, value in headers.items()}
        request_id = f"req_{_random(14)}"
        answer_headers = {
            "Request-Id": request_id,
            "Stripe-Version": lowered.get("stripe-version", self.api_version),
        }
        key = lowered.get("idempotency-key") if method in ("POST", "DELETE") else None
        if key:
            answer_headers["Idempotency-Key"] = key
        with self._lock:
            self.requests.append(RecordedRequest(method, url.path, params, headers))
            if self._failures:
                status, should_retry = self._failures.pop(0)
                if should_retry is not None:
                    answer_headers["Stripe-Should-Retry"] = str(should_retry).lower()
                error_type, code, message = _INJECTED.get(status, ("api_error", None, ""))
                error = StripeAPIError(
                    status, message or "An unknown error occurred", error_type=error_type, code=code
                )
                return status, answer_headers, _json({"error": error.error})
            try:
                self._authenticate(lowered.get("authorization", ""))
                if key and key in self._idempotent:
                    status, answer = self._replay(key, method, url.path, params)
                    answer_headers["Idempotent-Replayed"] = "true"
                    return status, answer_headers, _json(answer)
                handler, path_args, params_type = self._route(method, url.path)
                _check_params(params, params_type)
            except StripeAPIError as error:
                return error.status, answer_headers, _json({"error": error.error})
            self._request = {"id": request_id, "idempotency_key": key}
            try:
                status, answer = 200, self._render(handler(params, **path_args), params)
            except StripeAPIError as error:
                status, answer = error.status, {"error": error.error}
            finally:
                self._request = None
            if key:
                self._idempotent[key] = (method, url.path, params, status, answer)
            return status, answer_headers, _json(answer)

    def _authenticate(self, authorization: str) -> None:
        scheme, _, api_key = authorization.partition(" ")
        if scheme != "Bearer" or not api_key:
            raise StripeAPIError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth.",
            )
        if not api_key.startswith(("sk_test_", "rk_test_")):
            raise StripeAPIError(401, f"Invalid API Key provided: {api_key[:8]}****{api_key[-4:]}")

    def _replay(self, key: str, method: str, path: str, params: dict) -> tuple[int, dict]:
        first_method, first_path, first_params, status, answer = self._idempotent[key]
        if (first_method, first_path, first_params) != (method, path, params):
            raise StripeAPIError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                error_type="idempotency_error",
            )
        return status, answer

    def _route(self, method: str, path: str):
        for route_method, pattern, name, params_type in _ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                args = {k: unquote(v) for k, v in match.groupdict().items()}
                return getattr(self, name), args, params_type
        raise StripeAPIError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )

    # -- rendering -----------------------------------------------------------------------------

    def _render(self, obj: dict, params: dict) -> dict:
        rendered = _public(obj)
        expand = params.get("expand") or []
        for i, path in enumerate(expand if isinstance(expand, list) else [expand]):
            self._expand(rendered, path.split("."), path, f"expand[{i}]")
        return rendered

    def _expand(self, obj: dict, path: list[str], full: str, param: str) -> None:
        key, rest = path[0], path[1:]
        if obj.get("object") == "list" and key == "data":
            for item in obj["data"]:
                if rest:
                    self._expand(item, rest, full, param)
            return
        includable = self._includables().get((obj.get("object"), key))
        if includable:
            obj[key] = includable(obj)
        elif key not in obj or not isinstance(obj[key], str | dict | type(None)):
            raise StripeAPIError(400, f"This property cannot be expanded ({full}).", param=param)
        elif isinstance(obj[key], str):
            found = self._find(obj[key])
            if found is None:
                raise StripeAPIError(
                    400, f"This property cannot be expanded ({full}).", param=param
                )
            obj[key] = _public(found)
        if rest and isinstance(obj[key], dict):
            self._expand(obj[key], rest, full, param)

    def _includables(self):
        return {
            ("invoice", "confirmation_secret"): self._confirmation_secret,
            ("checkout.session", "line_items"): self._checkout_line_items,
        }

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

    def _confirmation_secret(self, invoice: dict) -> dict | None:
        stored = self.invoices[invoice["id"]]
        if stored["status"] in ("draft", "void") or not stored["amount_due"]:
            return None
        return {"client_secret": stored["_client_secret"], "type": "payment_intent"}

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

    # -- customers, prices, portal -------------------------------------------------------------

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

    def _api_retrieve_price(self, params: dict, id: str) -> dict:
        return self._get(self.prices, id, "price")

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

    # -- checkout sessions ---------------------------------------------------------------------

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

    # -- subscriptions -------------------------------------------------------------------------

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

    # -- invoices ------------------------------------------------------------------------------

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

    # -- payment intents and refunds -----------------------------------------------------------

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

    # -- state changes shared by the API and the controls --------------------------------------

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

    # -- helpers -------------------------------------------------------------------------------

    def _now(self) -> int:
        # Events must never go back in time, even when a test travels with time-machine.
        self._clock = max(self._clock, int(time.time()))
        return self._clock

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

    def _existing(self, store: dict, object_id: str, kind: str) -> dict:
        if object_id not in store:
            raise KeyError(f"FakeStripe has no {kind} {object_id!r}")
        return store[object_id]

    def _require_status(self, subscription: dict, statuses: tuple[str, ...]) -> None:
        if subscription["status"] not in statuses:
            raise ValueError(
                f"{subscription['id']} is {subscription['status']}, not one of {statuses}"
            )

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

    def _page(self, store: dict, wanted, params: dict, url: str) -> dict:
        """One page of a list, newest first, as Stripe's cursor pagination answers it."""
        limit = _integer(params, "limit")
        limit = 10 if limit is None else limit
        if not 1 <= limit <= 100:
            raise StripeAPIError(
                400,
                "Invalid integer: must be between 1 and 100",
                code="parameter_invalid_integer",
                param="limit",
            )
        ordered = [obj for obj in reversed(store.values()) if wanted(obj)]
        ids = [obj["id"] for obj in ordered]
        for cursor in ("starting_after", "ending_before"):
            if params.get(cursor) and params[cursor] not in ids:
                kind = url.rsplit("/", 1)[-1].rstrip("s")
                raise StripeAPIError(
                    400,
                    f"No such {kind}: '{params[cursor]}'",
                    code="resource_missing",
                    param=cursor,
                )
        if params.get("starting_after"):
            rest = ordered[ids.index(params["starting_after"]) + 1 :]
            page, has_more = rest[:limit], len(rest) > limit
        elif params.get("ending_before"):
            rest = ordered[: ids.index(params["ending_before"])]
            page, has_more = rest[-limit:], len(rest) > limit
        else:
            page, has_more = ordered[:limit], len(ordered) > limit
        return {"object": "list", "data": page, "has_more": has_more, "url": url}


class _Handler(BaseHTTPRequestHandler):
    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.fake._handle(  # type: ignore[attr-defined]
            self.command, self.path, dict(self.headers.items()), body
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _route(method: str, template: str, handler: str, params_type: type) -> tuple:
    pattern = re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template))
    return method, pattern, handler, params_type


_ROUTES = (
    _route("POST", "/v1/customers", "_api_create_customer", P.CustomerCreateParams),
    _route("GET", "/v1/customers/{id}", "_api_retrieve_customer", P.CustomerRetrieveParams),
    _route("POST", "/v1/customers/{id}", "_api_update_customer", P.CustomerUpdateParams),
    _route("GET", "/v1/prices/{id}", "_api_retrieve_price", P.PriceRetrieveParams),
    _route("POST", "/v1/checkout/sessions", "_api_create_checkout_session", PC.SessionCreateParams),
    _route(
        "GET",
        "/v1/checkout/sessions/{id}",
        "_api_retrieve_checkout_session",
        PC.SessionRetrieveParams,
    ),
    _route(
        "GET",
        "/v1/checkout/sessions/{id}/line_items",
        "_api_list_checkout_line_items",
        PC.SessionListLineItemsParams,
    ),
    _route(
        "POST", "/v1/billing_portal/sessions", "_api_create_portal_session", PB.SessionCreateParams
    ),
    _route("POST", "/v1/subscriptions", "_api_create_subscription", P.SubscriptionCreateParams),
    _route("GET", "/v1/subscriptions", "_api_list_subscriptions", P.SubscriptionListParams),
    _route(
        "GET", "/v1/subscriptions/{id}", "_api_retrieve_subscription", P.SubscriptionRetrieveParams
    ),
    _route(
        "POST", "/v1/subscriptions/{id}", "_api_update_subscription", P.SubscriptionUpdateParams
    ),
    _route(
        "DELETE", "/v1/subscriptions/{id}", "_api_cancel_subscription", P.SubscriptionCancelParams
    ),
    _route("GET", "/v1/invoices", "_api_list_invoices", P.InvoiceListParams),
    _route("GET", "/v1/invoices/{id}", "_api_retrieve_invoice", P.InvoiceRetrieveParams),
    _route(
        "POST", "/v1/payment_intents", "_api_create_payment_intent", P.PaymentIntentCreateParams
    ),
    _route(
        "GET",
        "/v1/payment_intents/{id}",
        "_api_retrieve_payment_intent",
        P.PaymentIntentRetrieveParams,
    ),
    _route(
        "POST",
        "/v1/payment_intents/{id}/cancel",
        "_api_cancel_payment_intent",
        P.PaymentIntentCancelParams,
    ),
    _route("POST", "/v1/refunds", "_api_create_refund", P.RefundCreateParams),
    _route("GET", "/v1/refunds/{id}", "_api_retrieve_refund", P.RefundRetrieveParams),
)


# -- the wire format ---------------------------------------------------------------------------

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")


def parse_form(query: str) -> dict[str, Any]:
    """Parse Stripe's form encoding (`items[0][price]=x`, `expand[]=y`) into dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = _KEY.fullmatch(key)
        parts = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])] if match else [key]
        node = root
        for depth, part in enumerate(parts):
            part = part or str(len(node))
            if depth == len(parts) - 1:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
    return {key: _listify(value) for key, value in root.items()}


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _listify(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


class _FreeForm:
    """Stands for the stripe package's UntypedStripeObject, only imported for type checkers."""

    def __class_getitem__(cls, item: Any) -> type:
        return dict


def _check_params(params: dict, params_type: type) -> None:
    """Refuse a parameter that the stripe package's param type does not declare, as Stripe does."""
    unknown = _unknown_in_typeddict(params, params_type, "")
    if unknown:
        raise StripeAPIError(
            400, f"Received unknown parameter: {unknown}", code="parameter_unknown", param=unknown
        )


def _unknown_in_typeddict(value: dict, params_type: type, path: str) -> str | None:
    namespace = {**vars(sys.modules[params_type.__module__]), "UntypedStripeObject": _FreeForm}
    declared = set(params_type.__annotations__) - (_REQUEST_OPTIONS if not path else set())
    for key, sub_value in value.items():
        name = f"{path}[{key}]" if path else key
        if key not in declared:
            return name
        unknown = _unknown_param(sub_value, params_type.__annotations__[key], namespace, name)
        if unknown:
            return unknown
    return None


def _unknown_param(value: Any, annotation: Any, namespace: dict, path: str) -> str | None:
    """Answer the first key under value that annotation does not declare; None when unsure."""
    try:
        if isinstance(annotation, typing.ForwardRef):
            annotation = annotation.__forward_arg__
        if isinstance(annotation, str):
            # Only the stripe package's own annotations are evaluated here.
            annotation = eval(annotation, namespace)
    except Exception:  # noqa: BLE001 - an annotation we cannot resolve is not checked
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.NotRequired, typing.Required, typing_extensions.NotRequired):
        return _unknown_param(value, args[0], namespace, path)
    options = args if origin in (typing.Union, types.UnionType) else (annotation,)
    if isinstance(value, dict):
        if any(option is dict or typing.get_origin(option) is dict for option in options):
            return None
        typed = [option for option in options if typing_extensions.is_typeddict(option)]
        found = [_unknown_in_typeddict(value, option, path) for option in typed]
        return None if not found or None in found else found[0]
    if isinstance(value, list):
        for option in options:
            if typing.get_origin(option) is list:
                for i, item in enumerate(value):
                    unknown = _unknown_param(
                        item, typing.get_args(option)[0], namespace, f"{path}[{i}]"
                    )
                    if unknown:
                        return unknown
    return None


def _required(params: dict, key: str, param: str | None = None) -> Any:
    if params.get(key) in (None, ""):
        param = param or key
        raise StripeAPIError(
            400, f"Missing required param: {param}.", code="parameter_missing", param=param
        )
    return params[key]


def _integer(params: dict, key: str, param: str | None = None) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeAPIError(
            400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param or key
        ) from None


def _boolean(params: dict, key: str, param: str | None = None) -> bool | None:
    value = params.get(key)
    if value is None or isinstance(value, bool):
        return value
    if value not in ("true", "false"):
        raise StripeAPIError(400, f"Invalid boolean: {value}", param=param or key)
    return value == "true"


def _choice(params: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(key)
    if value is not None and value not in allowed:
        raise StripeAPIError(400, f"Invalid {key}: must be one of {', '.join(allowed)}", param=key)
    return value


def _list(params: dict, key: str) -> list:
    value = params.get(key)
    if not isinstance(value, list):
        raise StripeAPIError(400, "Invalid array", param=key)
    return value


def _metadata(value: Any, current: dict | None = None, *, param: str = "metadata") -> dict:
    """Merge metadata as Stripe does: an empty value removes its key, metadata="" clears all."""
    if value is None:
        return dict(current or {})
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeAPIError(400, "Invalid object", param=param)
    merged = dict(current or {})
    for key, item in value.items():
        if item is None or item == "":
            merged.pop(key, None)
            continue
        item = str(item)
        if len(key) > 40 or len(item) > 500:
            raise StripeAPIError(
                400,
                "Metadata keys can have up to 40 characters and values up to 500 characters.",
                param=f"{param}[{key}]",
            )
        merged[key] = item
    if len(merged) > 50:
        raise StripeAPIError(400, "Metadata can have up to 50 keys.", param=param)
    return merged


# -- small pure helpers --------------------------------------------------------------------------


def _doc_url(code: str) -> str:
    return f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"


def _interval(price: dict) -> str:
    return price["recurring"]["interval"]


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _json(body: dict) -> bytes:
    return json.dumps(body, indent=2).encode()


def _public(value: Any) -> Any:
    """Copy an object without the fake's own bookkeeping (keys starting with an underscore)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


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


def _period(subscription: dict) -> tuple[int, int]:
    item = subscription["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


def _explicit_period(subscription: dict) -> dict:
    start, end = _period(subscription)
    return {"start": start, "end": end}


def _subscription_of(invoice: dict) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription")


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


def deliver(
    client, event: dict, *, secret: str = TEST_WEBHOOK_SECRET, signature: str | None = None
):
    """POST an event to our webhook endpoint the way Stripe does, signed with secret."""
    payload = FakeStripe.event_payload(event)
    if signature is None:
        signature = FakeStripe.sign(payload, secret)
    return client.post(
        WEBHOOK_PATH, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
