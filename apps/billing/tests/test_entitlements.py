"""The plan's limits as a user meets them: clients, seats, metered AI and storage, features."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.billing.entitlements import (
    Feature,
    Quota,
    release,
    require_feature,
    spend,
    usage_of,
)
from apps.billing.models import Subscription, UsageRecord
from apps.core.errors import ApplicationError
from apps.core.testing import data_of, error_of
from apps.crm.models import Client
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.models import Invite
from apps.workspaces.tenancy import resolve_membership

from .factories import SubscriptionFactory, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def personal(user):
    return resolve_membership(user).workspace


def test_a_free_workspace_adds_clients_up_to_its_limit_then_gets_402(user_client, personal):
    ClientFactory.create_batch(plan("free").clients - 1, workspace=personal)
    data_of(user_client.post("/api/v1/clients", {"name": "The last one"}), 201)

    error = error_of(
        user_client.post("/api/v1/clients", {"name": "One too many"}), 402, "PLAN_LIMIT_REACHED"
    )
    assert "clients: 10 of 10 used" in error["details"][0]["message"]
    assert not Client.objects.filter(name="One too many").exists()


def test_archiving_a_client_frees_its_place_and_unarchiving_takes_it_back(user_client, personal):
    clients = ClientFactory.create_batch(plan("free").clients, workspace=personal)
    data_of(user_client.patch(f"/api/v1/clients/{clients[0].pk}/archive"))
    data_of(user_client.post("/api/v1/clients", {"name": "Fits again"}), 201)

    error_of(
        user_client.patch(f"/api/v1/clients/{clients[0].pk}/unarchive"), 402, "PLAN_LIMIT_REACHED"
    )
    clients[0].refresh_from_db()
    assert clients[0].archived_at is not None


def test_invites_take_seats_and_the_one_past_the_plan_gets_402(user_client, personal):
    seats = plan("free").seats  # the owner holds one
    for n in range(seats - 1):
        data_of(
            user_client.post(
                f"/api/v1/teams/{personal.pk}/invites",
                {"email": f"p{n}@example.com", "role": "member"},
            ),
            201,
        )

    error_of(
        user_client.post(
            f"/api/v1/teams/{personal.pk}/invites", {"email": "late@example.com", "role": "member"}
        ),
        402,
        "PLAN_LIMIT_REACHED",
    )
    assert not Invite.objects.filter(email="late@example.com").exists()


def test_a_revoked_or_expired_invite_gives_its_seat_back(user_client, personal):
    first = data_of(
        user_client.post(
            f"/api/v1/teams/{personal.pk}/invites", {"email": "a@example.com", "role": "member"}
        ),
        201,
    )
    data_of(
        user_client.post(
            f"/api/v1/teams/{personal.pk}/invites", {"email": "b@example.com", "role": "member"}
        ),
        201,
    )
    user_client.delete(f"/api/v1/teams/{personal.pk}/invites/{first['id']}")
    data_of(
        user_client.post(
            f"/api/v1/teams/{personal.pk}/invites", {"email": "c@example.com", "role": "member"}
        ),
        201,
    )

    Invite.objects.filter(email="b@example.com").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    data_of(
        user_client.post(
            f"/api/v1/teams/{personal.pk}/invites", {"email": "d@example.com", "role": "member"}
        ),
        201,
    )
    # Reviving the expired invite would need a seat nobody has left.
    expired = Invite.objects.get(email="b@example.com")
    error_of(
        user_client.post(f"/api/v1/teams/{personal.pk}/invites/{expired.pk}/resend"),
        402,
        "PLAN_LIMIT_REACHED",
    )


def test_a_paid_plan_lifts_the_limits_and_a_canceled_one_brings_them_back(user_client, personal):
    ClientFactory.create_batch(plan("free").clients, workspace=personal)
    subscription = SubscriptionFactory(workspace=personal, plan=plan("pro"))
    data_of(user_client.post("/api/v1/clients", {"name": "On Pro"}), 201)

    subscription.status = Subscription.Status.PAST_DUE
    subscription.save()
    data_of(user_client.post("/api/v1/clients", {"name": "Still Pro while Stripe retries"}), 201)

    subscription.status = Subscription.Status.CANCELED
    subscription.save()
    error_of(
        user_client.post("/api/v1/clients", {"name": "Back on Free"}), 402, "PLAN_LIMIT_REACHED"
    )


def test_metered_quota_is_a_ledger_that_resets_each_month(personal):
    limit = plan("free").ai_summaries_per_month
    with time_machine.travel("2026-03-15 12:00Z", tick=False):
        for _ in range(limit):
            spend(workspace=personal, quota=Quota.AI_SUMMARIES)
        with pytest.raises(ApplicationError) as refused:
            spend(workspace=personal, quota=Quota.AI_SUMMARIES)
        assert refused.value.code == "AI_QUOTA_EXCEEDED"
        assert refused.value.status_code == 402
        assert "Resets at 2026-04-01T00:00:00+00:00" in refused.value.details[1]["message"]

        release(workspace=personal, quota=Quota.AI_SUMMARIES, reference="provider failed")
        spend(workspace=personal, quota=Quota.AI_SUMMARIES)
    with time_machine.travel("2026-04-01 00:00:01Z", tick=False):
        usage = usage_of(workspace_id=personal.pk, quota=Quota.AI_SUMMARIES)
        assert (usage.used, usage.remaining) == (0, limit)
    assert UsageRecord.objects.filter(workspace=personal, amount=-1).count() == 1


def test_storage_is_counted_in_bytes_and_released_on_delete(personal):
    limit = plan("free").storage_bytes
    spend(workspace=personal, quota=Quota.STORAGE, amount=limit - 10)
    with pytest.raises(ApplicationError):
        spend(workspace=personal, quota=Quota.STORAGE, amount=11)
    release(workspace=personal, quota=Quota.STORAGE, amount=100)
    assert usage_of(workspace_id=personal.pk, quota=Quota.STORAGE).remaining == 110


def test_a_feature_outside_the_plan_answers_402_with_its_own_code(personal):
    with pytest.raises(ApplicationError) as refused:
        require_feature(workspace=personal, feature=Feature.API_KEYS)
    assert (refused.value.status_code, refused.value.code) == (402, "PLAN_FEATURE_UNAVAILABLE")
    SubscriptionFactory(workspace=personal, plan=plan("pro"))
    require_feature(workspace=personal, feature=Feature.API_KEYS)


def test_billing_overview_shows_the_plan_and_usage_to_every_member(user_client, personal):
    ClientFactory.create_batch(3, workspace=personal)
    data = data_of(user_client.get("/api/v1/billing"))
    assert data["plan"]["code"] == "free"
    assert data["subscription"] is None
    usage = {row["quota"]: row for row in data["usage"]}
    assert usage["clients"] == {
        "quota": "clients",
        "used": 3,
        "limit": 10,
        "remaining": 7,
        "resetsAt": None,
    }
    assert usage["seats"]["used"] == 1
    assert data["paymentsEnabled"] is False


def test_plans_list_the_public_plans_in_order(user_client):
    codes = [row["code"] for row in data_of(user_client.get("/api/v1/plans"))]
    assert codes == ["free", "pro", "business"]


def test_exporting_the_audit_log_needs_a_plan_with_the_feature(user_client, personal):
    error_of(
        user_client.get("/api/v1/audit-logs", {"export": "true"}), 402, "PLAN_FEATURE_UNAVAILABLE"
    )
    SubscriptionFactory(workspace=personal, plan=plan("pro"))
    response = user_client.get("/api/v1/audit-logs", {"export": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
