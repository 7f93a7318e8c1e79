"""Billing test fixtures: webhook delivery and fast retries. `fake_stripe` (the local server
standing in for api.stripe.com) is in the root conftest, because other apps' tests use it too."""

import pytest
import stripe

from apps.billing.models import Plan
from apps.billing.tests.fake_stripe import deliver as deliver_event
from apps.workspaces.services import create_workspace


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


@pytest.fixture
def priced(db):
    """The paid plans on sale, at the prices the Stripe stand-in knows."""
    Plan.objects.filter(code="pro").update(stripe_price_id="price_pro_month")
    Plan.objects.filter(code="business").update(stripe_price_id="price_business_month")


@pytest.fixture
def team(user):
    return create_workspace(actor=user, name="Studio")


@pytest.fixture
def owner(user, login, team):
    """The team's owner, signed in, acting in the team."""
    client, _, pair = login(user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}", HTTP_X_WORKSPACE_ID=str(team.pk))
    return client
