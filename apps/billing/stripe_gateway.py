"""Every call to Stripe goes through `call`: the official client with the pinned API version,
a timeout, the library's own retries with backoff (it sends idempotency keys on retried POSTs),
and a circuit breaker, so a Stripe outage answers 503 at once instead of holding every
request for the full timeout. Stripe's errors become API errors here and nowhere else."""

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import pybreaker
import stripe
from django.conf import settings

from apps.core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)
T = TypeVar("T")


class PaymentsDisabled(ApplicationError):
    def __init__(self):
        super().__init__(
            "Payments are not set up on this server (STRIPE_SECRET_KEY is empty).",
            code="PAYMENTS_DISABLED",
            status_code=503,
        )


def provider_unavailable() -> ApplicationError:
    return ApplicationError(
        "The payment provider is not answering; try again in a minute.",
        code=ErrorCode.SERVICE_UNAVAILABLE,
        status_code=503,
        headers={"Retry-After": "30"},
    )


@lru_cache(maxsize=4)
def _client(api_key, version, base, timeout, retries) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        stripe_version=version,
        base_addresses={"api": base},
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


@lru_cache(maxsize=4)
def _breaker(fail_max: int, reset_timeout: int) -> pybreaker.CircuitBreaker:
    # Errors about the request itself say nothing about Stripe's health.
    return pybreaker.CircuitBreaker(
        fail_max=fail_max,
        reset_timeout=reset_timeout,
        exclude=[stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError],
        name="stripe",
    )


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsDisabled()
    return _client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_VERSION,
        settings.STRIPE_API_BASE,
        settings.STRIPE_TIMEOUT_SECONDS,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def breaker() -> pybreaker.CircuitBreaker:
    return _breaker(settings.STRIPE_BREAKER_FAILURES, settings.STRIPE_BREAKER_RESET_SECONDS)


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def call(operation: Callable[[stripe.StripeClient], T]) -> T:
    """Run `operation(client)` against Stripe, translating its failures for the API."""
    stripe_client = client()
    try:
        return breaker().call(operation, stripe_client)
    except pybreaker.CircuitBreakerError:
        logger.warning("stripe circuit open; refusing the call")
        raise provider_unavailable() from None
    except stripe.CardError as error:
        raise ApplicationError(
            error.user_message or "The card was declined.",
            code="CARD_DECLINED",
            status_code=402,
            details=[{"field": error.param, "message": error.code or "card_error"}],
        ) from error
    except stripe.InvalidRequestError as error:
        logger.warning("stripe refused a request: %s", error.user_message or error)
        raise ApplicationError(
            error.user_message or "The payment provider refused this request.",
            code="PAYMENT_PROVIDER_REJECTED",
            status_code=400,
            details=[{"field": error.param, "message": error.code or "invalid_request"}],
        ) from error
    except stripe.AuthenticationError as error:
        logger.error("stripe rejected our API key")
        raise ApplicationError(
            "Payments are misconfigured on this server.",
            code=ErrorCode.NOT_CONFIGURED,
            status_code=503,
        ) from error
    except stripe.StripeError as error:
        logger.warning("stripe call failed: %s", error)
        raise provider_unavailable() from error


def reset_breaker() -> None:
    """Close the circuit (tests, or an operator after fixing the cause)."""
    _breaker.cache_clear()
