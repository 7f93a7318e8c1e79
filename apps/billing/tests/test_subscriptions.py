"""Subscribing, upgrading, cancelling and resuming, end to end through the API, the local
Stripe stand-in and its signed webhooks."""

import pytest
from django.core.management import call_command

from apps.activity.models import ActivityEvent
from apps.billing.models import Subscription
from apps.core.testing import data_of, error_of

pytestmark = pytest.mark.django_db


def deliver_all(client, deliver, events):
    for event in events:
        response = deliver(client, event)
        assert response.status_code == 200, response.content


def subscribe(owner, fake_stripe, deliver, api_client, plan="pro", trial_days=0):
    session = data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": plan}), 201)
    events = fake_stripe.complete_checkout(session["id"], trial_days=trial_days)
    deliver_all(api_client, deliver, events)
    return data_of(owner.get("/api/v1/subscriptions"))[0]


def test_checkout_then_webhook_makes_the_workspace_active_on_its_plan(
    owner, team, fake_stripe, deliver, api_client, priced
):
    session = data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": "pro"}), 201)
    assert session["url"].startswith("https://checkout.stripe.com/")
    assert data_of(owner.get("/api/v1/billing"))["plan"]["code"] == "free"

    deliver_all(api_client, deliver, fake_stripe.complete_checkout(session["id"], trial_days=0))

    overview = data_of(owner.get("/api/v1/billing"))
    assert overview["plan"]["code"] == "pro"
    assert overview["subscription"]["status"] == "active"
    assert {row["quota"]: row["limit"] for row in overview["usage"]}["clients"] == 500
    invoices = data_of(owner.get("/api/v1/invoices"))
    assert [(row["status"], row["amountPaid"]) for row in invoices] == [("paid", 1900)]
    verbs = set(ActivityEvent.objects.filter(workspace=team).values_list("verb", flat=True))
    assert {"checkout.started", "subscription.created", "invoice.paid"} <= verbs
    # Every call carried the pinned API version.
    assert {r.headers.get("Stripe-Version") for r in fake_stripe.requests} == {"2026-10-28.endive"}


def test_the_first_subscription_gets_the_plan_trial_and_the_second_does_not(
    owner, team, fake_stripe, deliver, api_client, priced
):
    session = data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": "pro"}), 201)
    assert fake_stripe.requests[-1].params["subscription_data"]["trial_period_days"] == "14"
    deliver_all(api_client, deliver, fake_stripe.complete_checkout(session["id"]))
    assert data_of(owner.get("/api/v1/billing"))["subscription"]["status"] == "trialing"
    stripe_id = Subscription.objects.get().stripe_subscription_id
    deliver_all(api_client, deliver, fake_stripe.cancel_now(stripe_id))

    data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": "pro"}), 201)
    assert "trial_period_days" not in fake_stripe.requests[-1].params["subscription_data"]


def test_upgrade_cancel_at_period_end_and_resume(
    owner, team, fake_stripe, deliver, api_client, priced
):
    subscription = subscribe(owner, fake_stripe, deliver, api_client)
    url = f"/api/v1/subscriptions/{subscription['id']}"

    upgraded = data_of(owner.put(url, {"plan": "business"}))
    assert upgraded["plan"] == "business"
    stripe_side = fake_stripe.subscriptions[Subscription.objects.get().stripe_subscription_id]
    assert stripe_side["items"]["data"][0]["price"]["id"] == "price_business_month"

    assert data_of(owner.put(url, {"cancelAtPeriodEnd": True}))["cancelAtPeriodEnd"] is True
    assert data_of(owner.get("/api/v1/billing"))["plan"]["code"] == "business"
    assert data_of(owner.put(url, {"cancelAtPeriodEnd": False}))["cancelAtPeriodEnd"] is False

    # The webhooks for our own changes arrive afterwards and change nothing more.
    before = ActivityEvent.objects.filter(workspace=team).count()
    deliver_all(api_client, deliver, fake_stripe.events_of("customer.subscription.updated"))
    assert ActivityEvent.objects.filter(workspace=team).count() == before


def test_cancelled_in_the_portal_the_workspace_falls_back_to_free(
    owner, team, fake_stripe, deliver, api_client, priced
):
    subscribe(owner, fake_stripe, deliver, api_client)
    portal = data_of(owner.post("/api/v1/subscriptions/portal"))
    assert portal["url"].startswith("https://billing.stripe.com/")

    stripe_id = Subscription.objects.get().stripe_subscription_id
    deliver_all(api_client, deliver, fake_stripe.cancel_now(stripe_id))

    assert Subscription.objects.get().status == "canceled"
    assert data_of(owner.get("/api/v1/billing"))["plan"]["code"] == "free"
    assert ActivityEvent.objects.filter(workspace=team, verb="subscription.canceled").count() == 1
    error_of(
        owner.put(f"/api/v1/subscriptions/{Subscription.objects.get().pk}", {"plan": "pro"}),
        409,
        "SUBSCRIPTION_ENDED",
    )


def test_subscribing_through_the_api_answers_a_client_secret_then_payment_activates(
    owner, fake_stripe, deliver, api_client, priced
):
    created = data_of(owner.post("/api/v1/subscriptions", {"plan": "business"}), 201)
    assert created["status"] in ("incomplete", "trialing")
    if created["status"] == "incomplete":
        assert created["clientSecret"]
        invoice_id = fake_stripe.subscriptions[Subscription.objects.get().stripe_subscription_id][
            "latest_invoice"
        ]
        deliver_all(api_client, deliver, fake_stripe.pay_invoice(invoice_id))
    assert data_of(owner.get("/api/v1/billing"))["subscription"]["status"] in ("active", "trialing")


def test_a_second_subscription_is_refused_and_free_cannot_be_bought(
    owner, fake_stripe, deliver, api_client, priced
):
    error_of(owner.post("/api/v1/subscriptions", {"plan": "free"}), 400, "PLAN_NOT_PURCHASABLE")
    error_of(
        owner.post("/api/v1/subscriptions", {"plan": "gold"}), 400, "VALIDATION_ERROR", field="plan"
    )
    assert not fake_stripe.requests
    subscribe(owner, fake_stripe, deliver, api_client)
    error_of(
        owner.post("/api/v1/subscriptions/checkout", {"plan": "business"}),
        409,
        "ALREADY_SUBSCRIBED",
    )


def test_without_stripe_keys_billing_actions_answer_503_and_write_nothing(owner, team, priced):
    error_of(
        owner.post("/api/v1/subscriptions/checkout", {"plan": "pro"}), 503, "PAYMENTS_DISABLED"
    )
    assert not ActivityEvent.objects.filter(workspace=team, verb="checkout.started").exists()


def test_a_change_without_plan_or_cancel_flag_is_a_validation_error(
    owner, fake_stripe, deliver, api_client, priced
):
    subscription = subscribe(owner, fake_stripe, deliver, api_client)
    error_of(owner.put(f"/api/v1/subscriptions/{subscription['id']}", {}), 400, "VALIDATION_ERROR")


def test_reconcile_repairs_what_lost_webhooks_left_behind(owner, team, fake_stripe, priced):
    session = data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": "pro"}), 201)
    fake_stripe.complete_checkout(session["id"], trial_days=0)  # no webhook ever arrives
    assert data_of(owner.get("/api/v1/billing"))["plan"]["code"] == "free"

    call_command("reconcile_stripe")

    assert data_of(owner.get("/api/v1/billing"))["plan"]["code"] == "pro"
    assert len(data_of(owner.get("/api/v1/invoices"))) == 1
    # A second run finds nothing left to repair.
    before = ActivityEvent.objects.filter(workspace=team).count()
    call_command("reconcile_stripe")
    assert ActivityEvent.objects.filter(workspace=team).count() == before
