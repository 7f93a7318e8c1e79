"""Fixtures shared by every app's tests, and the rule for tests that need a service.

The embedded run (`make test`) skips tests marked `postgres` or `redis`; the services run
(`make test-services`, SERVICES_RUN=1) requires them: a missing service fails, never skips.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

SERVICES_RUN = os.environ.get("SERVICES_RUN") == "1"


def _postgres_available() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    for marker, available, what in (
        ("postgres", _postgres_available, "PostgreSQL (DATABASE_URL)"),
        ("redis", _redis_available, "Redis (REDIS_URL)"),
    ):
        if item.get_closest_marker(marker) and not available():
            if SERVICES_RUN:
                pytest.fail(f"The services run needs {what}, and it is not available.")
            pytest.skip(f"needs {what}; runs in `make test-services`")


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private_media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def login():
    """Sign a user in through the real session service; answer (client, session, tokens)."""
    from apps.accounts import sessions

    def _login(user, *, user_agent="pytest-client/1.0", ip="127.0.0.1"):
        session, pair = sessions.start_session(
            user=user, client=sessions.ClientInfo(ip=ip, user_agent=user_agent)
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
        return client, session, pair

    return _login


@pytest.fixture
def staff(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    """The Django test client, signed in to the admin as a superuser."""
    client.force_login(staff)
    return client


@pytest.fixture
def user_client(user, login):
    client, _, _ = login(user)
    return client


@pytest.fixture(scope="session")
def _fake_stripe_server():
    """One local Stripe stand-in for the session (a port and a thread each test would cost)."""
    from apps.billing.tests.fake_stripe import FakeStripe

    with FakeStripe() as server:
        yield server


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    """Stripe's API, answered locally and reset for each test, with the settings pointing at it."""
    from apps.billing import stripe_gateway
    from apps.billing.tests.fake_stripe import TEST_SECRET_KEY, TEST_WEBHOOK_SECRET

    _fake_stripe_server.reset()
    stripe_gateway.reset_breaker()
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = _fake_stripe_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    settings.STRIPE_BREAKER_FAILURES = 5
    settings.STRIPE_BREAKER_RESET_SECONDS = 30
    return _fake_stripe_server
