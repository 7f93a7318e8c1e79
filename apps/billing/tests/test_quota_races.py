"""Quotas under concurrent requests, on PostgreSQL with real transactions."""

import pytest

from apps.billing.tests.factories import plan
from apps.crm.models import Client
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.models import Invite
from apps.workspaces.tenancy import resolve_membership
from apps.workspaces.tests.test_concurrency import run_together, statuses

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_invites_for_the_last_seat_one_wins(user, login):
    workspace = resolve_membership(user).workspace
    for n in range(plan("free").seats - 2):
        Invite.objects.create(
            workspace=workspace,
            email=f"held{n}@example.com",
            invited_by=user,
            expires_at="2999-01-01T00:00:00Z",
        )
    first, second = login(user)[0], login(user)[0]
    url = f"/api/v1/teams/{workspace.pk}/invites"

    results = run_together(
        lambda: first.post(url, {"email": "one@example.com", "role": "member"}),
        lambda: second.post(url, {"email": "two@example.com", "role": "member"}),
    )

    assert statuses(results) == [201, 402]
    assert Invite.objects.filter(email__in=["one@example.com", "two@example.com"]).count() == 1


def test_ten_requests_for_the_last_client_slot_make_one_client(user, login):
    workspace = resolve_membership(user).workspace
    ClientFactory.create_batch(plan("free").clients - 1, workspace=workspace)
    clients = [login(user)[0] for _ in range(10)]

    results = run_together(
        *[
            (lambda c=c, n=n: c.post("/api/v1/clients", {"name": f"Racer {n}"}))
            for n, c in enumerate(clients)
        ]
    )

    assert statuses(results) == [201] + [402] * 9
    assert Client.objects.filter(workspace=workspace, name__startswith="Racer").count() == 1
