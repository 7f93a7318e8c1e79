"""The user's devices: list active sign-ins, revoke one, revoke all others."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import LoginSession
from apps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


def me_status(access: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/auth/me").status_code


def test_sessions_lists_active_logins_with_device_ip_and_current_flag(user, login):
    client, current, _ = login(user, user_agent=CHROME_UA, ip="203.0.113.9")
    _, other, _ = login(user, user_agent="curl/8.0")
    _, revoked, _ = login(user)
    LoginSession.objects.filter(pk=revoked.pk).update(revoked_at="2026-01-01T00:00:00Z")
    login(UserFactory())  # someone else's session never shows

    response = client.get("/api/v1/auth/sessions")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["data"]}
    assert set(rows) == {str(current.id), str(other.id)}
    mine = rows[str(current.id)]
    assert mine["device"] == "Chrome on Windows"
    assert mine["ipAddress"] == "203.0.113.9"
    assert mine["current"] is True
    assert {"createdAt", "lastUsedAt", "userAgent"} <= set(mine)
    assert rows[str(other.id)]["current"] is False


def test_deleting_one_session_ends_it_at_once(user, login):
    client, _, _ = login(user)
    _, other, other_pair = login(user)

    response = client.delete(f"/api/v1/auth/sessions/{other.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert me_status(other_pair.access) == 401
    assert client.get("/api/v1/auth/me").status_code == 200


def test_someone_elses_session_is_a_404_and_stays_active(user, login):
    client, _, _ = login(user)
    _, foreign, foreign_pair = login(UserFactory())

    response = client.delete(f"/api/v1/auth/sessions/{foreign.id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert me_status(foreign_pair.access) == 200


def test_delete_all_sessions_keeps_only_the_current_one(user, login):
    client, _, _ = login(user)
    others = [login(user)[2] for _ in range(3)]

    response = client.delete("/api/v1/auth/sessions")

    assert response.status_code == 200
    assert response.json()["data"] == {"revoked": 3}
    assert all(me_status(pair.access) == 401 for pair in others)
    assert client.get("/api/v1/auth/me").status_code == 200


def test_sessions_need_authentication(api_client):
    assert api_client.get("/api/v1/auth/sessions").status_code == 401
    assert api_client.delete("/api/v1/auth/sessions").status_code == 401


def test_malformed_session_id_is_a_404(user_client):
    assert user_client.delete("/api/v1/auth/sessions/not-a-uuid").status_code == 404
