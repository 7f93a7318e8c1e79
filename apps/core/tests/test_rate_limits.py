"""Rate limits: auth per IP, anonymous per IP, signed-in per user; 429 with Retry-After."""

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


def attempt(client, **extra):
    return client.post(
        LOGIN, {"email": "who@example.com", "password": "wrong-password"}, format="json", **extra
    )


def test_sixth_auth_request_in_a_minute_is_429_with_retry_after(api_client):
    statuses = [attempt(api_client).status_code for _ in range(5)]
    assert statuses == [401] * 5

    response = attempt(api_client)

    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(api_client):
    for n in range(5):
        attempt(api_client, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert attempt(api_client, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_a_trusted_proxy_the_limit_follows_the_client_address(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        attempt(api_client, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert attempt(api_client, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # Another client behind the same proxy has its own budget; a spoofed left part is ignored.
    other = attempt(api_client, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.2")
    assert other.status_code == 401


def test_anonymous_requests_are_limited_per_ip(api_client, settings):
    settings.RATE_LIMIT_ANON = "3/m"
    statuses = [api_client.post("/api/v1/auth/logout").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_signed_in_requests_are_limited_per_user(user, login, settings):
    settings.RATE_LIMIT_USER = "3/m"
    client, _, _ = login(user)
    other_client, _, _ = login(user)
    statuses = [client.get("/api/v1/auth/me").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    # Same user, another device: the budget is the user's.
    assert other_client.get("/api/v1/auth/me").status_code == 429


def test_rates_are_settings(api_client, settings):
    settings.RATE_LIMIT_AUTH = "2/m"
    assert [attempt(api_client).status_code for _ in range(3)] == [401, 401, 429]


def test_health_probes_are_not_rate_limited(api_client, settings):
    settings.RATE_LIMIT_ANON = "1/m"
    assert all(api_client.get("/api/v1/health/live").status_code == 200 for _ in range(5))
