"""Each key has its own budget (API_KEY_RATE_LIMIT), reported on every answer it gets."""

import time

import pytest

from apps.core.testing import error_of
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.tests.factories import WorkspaceFactory

from .factories import ApiKeyFactory, key_header

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture
def key():
    return ApiKeyFactory(workspace=WorkspaceFactory(), scopes=["clients:read"])


def test_the_headers_count_down_and_the_request_past_the_limit_is_429(api_client, key, settings):
    settings.API_KEY_RATE_LIMIT = "3/m"

    answers = [api_client.get(CLIENTS, **key_header(key)) for _ in range(4)]

    assert [response.status_code for response in answers] == [200, 200, 200, 429]
    assert [response["X-RateLimit-Limit"] for response in answers] == ["3"] * 4
    assert [response["X-RateLimit-Remaining"] for response in answers] == ["2", "1", "0", "0"]
    resets = {int(response["X-RateLimit-Reset"]) for response in answers}
    assert len(resets) == 1
    # Unix seconds when the window ends: within the next minute.
    assert time.time() - 1 <= resets.pop() <= time.time() + 60
    throttled = answers[-1]
    error_of(throttled, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(throttled["Retry-After"]) <= 60


def test_errors_after_authentication_carry_the_headers_and_spend_the_budget(
    api_client, key, settings
):
    settings.API_KEY_RATE_LIMIT = "5/m"
    foreign = ClientFactory()

    answers = [
        api_client.post(CLIENTS, {"name": "x"}, format="json", **key_header(key)),  # scope
        api_client.get(f"{CLIENTS}/{foreign.pk}", **key_header(key)),  # not in its workspace
        api_client.get("/api/v1/auth/me", **key_header(key)),  # does not take keys
    ]

    assert [response.status_code for response in answers] == [403, 404, 403]
    assert [response["X-RateLimit-Remaining"] for response in answers] == ["4", "3", "2"]
    assert all(name in response for response in answers for name in RATE_HEADERS)


def test_each_key_has_its_own_budget(api_client, key, settings):
    settings.API_KEY_RATE_LIMIT = "1/m"
    other = ApiKeyFactory(workspace=key.workspace, created_by=key.created_by)

    assert api_client.get(CLIENTS, **key_header(key)).status_code == 200
    assert api_client.get(CLIENTS, **key_header(key)).status_code == 429
    assert api_client.get(CLIENTS, **key_header(other)).status_code == 200


def test_key_traffic_and_the_creators_own_sign_in_do_not_share_a_budget(
    api_client, key, login, settings
):
    settings.API_KEY_RATE_LIMIT = "5/m"
    settings.RATE_LIMIT_USER = "2/m"
    signed_in = login(key.created_by)[0]

    assert [api_client.get(CLIENTS, **key_header(key)).status_code for _ in range(3)] == [200] * 3
    jwt_answers = [signed_in.get("/api/v1/auth/me") for _ in range(3)]

    assert [response.status_code for response in jwt_answers] == [200, 200, 429]
    # Signed-in traffic keeps its own throttle, without the key's headers.
    assert not any("X-RateLimit-Limit" in response for response in jwt_answers)
