"""Quotas and webhooks under concurrent requests, on PostgreSQL with real transactions."""

import pytest
from rest_framework.test import APIClient

from apps.activity.models import ActivityEvent
from apps.billing import services
from apps.billing.models import StripeEvent, Subscription
from apps.billing.tests.factories import plan
from apps.billing.tests.fake_stripe import TEST_WEBHOOK_SECRET, FakeStripe
from apps.crm.models import Client
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.models import Invite
from apps.workspaces.services import create_workspace
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


def test_one_event_delivered_twice_at_once_applies_once(user, login, fake_stripe):

    pro = plan("pro")
    pro.stripe_price_id = "price_pro_month"
    pro.save()
    team = create_workspace(actor=user, name="Studio")
    session = services.start_checkout(workspace=team, actor=user, plan_code="pro")
    (created,) = [
        event
        for event in fake_stripe.complete_checkout(session["id"], trial_days=0)
        if event["type"] == "customer.subscription.created"
    ]
    payload = FakeStripe.event_payload(created)
    signature = FakeStripe.sign(payload, TEST_WEBHOOK_SECRET)

    def deliver():
        return APIClient().post(
            "/api/v1/stripe/webhook",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    results = run_together(deliver, deliver)

    assert statuses(results) == [200, 200]
    assert sorted(r.json()["data"]["applied"] for r in results) == [False, True]
    assert Subscription.objects.filter(workspace=team, status="active").count() == 1
    assert StripeEvent.objects.count() == 1
    assert ActivityEvent.objects.filter(workspace=team, verb="subscription.created").count() == 1
