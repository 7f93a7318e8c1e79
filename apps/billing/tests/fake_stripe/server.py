"""The HTTP side: `FakeStripe` itself, serving Stripe's v1 API on 127.0.0.1.

Every request is logged (`requests`), may be answered by an injected failure (`fail_next`),
is authenticated, replayed when its `Idempotency-Key` was seen, routed to an `_api_*` handler
of a resource mixin, and answered with the handler's object rendered (`expand`) or with
Stripe's error body."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import stripe.params as P
import stripe.params.billing_portal as PB
import stripe.params.checkout as PC

from apps.billing.tests.fake_stripe.checkout import CheckoutMixin
from apps.billing.tests.fake_stripe.controls import ControlsMixin
from apps.billing.tests.fake_stripe.customers import CustomersMixin
from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.events import EventsMixin
from apps.billing.tests.fake_stripe.invoices import InvoicesMixin
from apps.billing.tests.fake_stripe.payments import PaymentsMixin
from apps.billing.tests.fake_stripe.prices import PricesMixin
from apps.billing.tests.fake_stripe.store import StoreMixin, _random
from apps.billing.tests.fake_stripe.subscriptions import SubscriptionsMixin
from apps.billing.tests.fake_stripe.wire import RenderingMixin, _check_params, parse_form
from apps.core.testing import LocalHTTPService

API_VERSION = "2026-10-28.endive"
TEST_SECRET_KEY = "sk_test_fake"


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


class RecordedRequest(NamedTuple):
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """Answer a header by its case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class FakeStripe(
    ControlsMixin,
    CustomersMixin,
    PricesMixin,
    CheckoutMixin,
    SubscriptionsMixin,
    InvoicesMixin,
    PaymentsMixin,
    EventsMixin,
    RenderingMixin,
    StoreMixin,
    LocalHTTPService,
):
    """Stripe's v1 API for one test-mode account, in memory; see the package docstring."""

    def __init__(self, *, api_version: str = API_VERSION):
        self.api_version = api_version
        self._lock = threading.RLock()
        self.reset()

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


def _json(body: dict) -> bytes:
    return json.dumps(body, indent=2).encode()


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


# Set here, below the handler it names.
FakeStripe.handler_class = _Handler
