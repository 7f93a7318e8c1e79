"""Races that only a real PostgreSQL shows: concurrent refreshes of one token."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts import sessions
from apps.accounts.models import LoginSession
from apps.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_concurrent_refreshes_of_one_token_let_at_most_one_through(settings):
    settings.RATE_LIMIT_AUTH = "1000/m"
    user = UserFactory()
    session, pair = sessions.start_session(
        user=user, client=sessions.ClientInfo(ip="127.0.0.1", user_agent="race")
    )
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    lock = threading.Lock()

    def refresh():
        try:
            client = APIClient()
            barrier.wait()
            response = client.post(
                "/api/v1/auth/refresh", {"refreshToken": pair.refresh}, format="json"
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(statuses) == 10
    assert statuses.count(200) <= 1
    assert set(statuses) <= {200, 401}
    # The racing duplicates count as reuse: the whole sign-in is revoked.
    session.refresh_from_db()
    assert session.revoked_reason == LoginSession.RevokeReason.TOKEN_REUSE
