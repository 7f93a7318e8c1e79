"""Billing test fixtures: a FakeStripe server standing in for api.stripe.com, and webhook delivery.

One server runs for the whole session (starting one per test would cost a port and a thread each
time); every test gets it reset, with the Stripe settings pointing at it.
"""

import pytest
import stripe

from apps.billing import stripe_gateway
from apps.billing.tests.fake_stripe import (
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    FakeStripe,
)
from apps.billing.tests.fake_stripe import deliver as deliver_event


@pytest.fixture(scope="session")
def _fake_stripe_server():
    with FakeStripe() as server:
        yield server


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    _fake_stripe_server.reset()
    stripe_gateway.reset_breaker()
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = _fake_stripe_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    settings.STRIPE_BREAKER_FAILURES = 5
    settings.STRIPE_BREAKER_RESET_SECONDS = 30
    return _fake_stripe_server


@pytest.fixture
def deliver(settings):
    """POST a Stripe event to our webhook endpoint, signed as Stripe signs it.

    deliver(client, event, secret=None, signature=None): secret defaults to the
    STRIPE_WEBHOOK_SECRET setting; a signature given as is is sent as is.
    """

    def _deliver(client, event, *, secret=None, signature=None):
        secret = settings.STRIPE_WEBHOOK_SECRET if secret is None else secret
        return deliver_event(client, event, secret=secret, signature=signature)

    return _deliver


@pytest.fixture
def fast_stripe_retries(monkeypatch):
    """Shrink the stripe library's retry back-off (0.5 s and up) so retry tests run quickly."""
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)
