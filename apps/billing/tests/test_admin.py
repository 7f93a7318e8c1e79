"""The billing admin: staff edit plans; what Stripe owns is read-only, with actions that ask
Stripe again, replay an event or refund through the services."""

import pytest
from django.urls import reverse

from apps.activity.models import ActivityEvent
from apps.billing import services
from apps.billing.models import Payment, Plan, StripeEvent, Subscription
from apps.workspaces.services import create_workspace

from .factories import InvoiceFactory, PaymentFactory, SubscriptionFactory, plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["plan", "subscription", "invoice", "payment", "stripeevent", "customer",
              "usagerecord", "billingnotice"],
)  # fmt: skip
def test_every_billing_list_renders(staff_client, model):
    SubscriptionFactory()
    InvoiceFactory()
    PaymentFactory()
    response = staff_client.get(reverse(f"admin:billing_{model}_changelist"))
    assert response.status_code == 200


def test_staff_edit_a_plan_and_the_limit_applies_at_once(staff_client, user):
    pro = plan("pro")
    url = reverse("admin:billing_plan_change", args=[pro.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("features",)
    }
    data.update(clients=3, features=["api_keys"], stripe_price_id="price_pro_month")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pro.refresh_from_db()
    assert (pro.clients, pro.features, pro.stripe_price_id) == (3, ["api_keys"], "price_pro_month")


def test_a_plan_cannot_be_deleted_and_a_subscription_cannot_be_edited(staff_client):
    subscription = SubscriptionFactory()
    assert (
        staff_client.post(
            reverse("admin:billing_plan_delete", args=[subscription.plan_id])
        ).status_code
        == 403
    )
    change = reverse("admin:billing_subscription_change", args=[subscription.pk])
    staff_client.post(change, {"status": "canceled"})
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_replaying_an_event_from_the_admin_applies_it(staff_client, fake_stripe, user):
    Plan.objects.filter(code="pro").update(stripe_price_id="price_pro_month")
    team = create_workspace(actor=user, name="Studio")
    session = services.start_checkout(workspace=team, actor=user, plan_code="pro")
    (created,) = [
        event
        for event in fake_stripe.complete_checkout(session["id"], trial_days=0)
        if event["type"] == "customer.subscription.created"
    ]
    StripeEvent.objects.create(
        id=created["id"],
        type=created["type"],
        payload=created,
        stripe_created_at="2026-11-22T00:00:00Z",
    )

    response = staff_client.post(
        reverse("admin:billing_stripeevent_changelist"),
        {"action": "replay", "_selected_action": [created["id"]]},
    )

    assert response.status_code == 302
    assert Subscription.objects.get(workspace=team).status == "active"
    assert StripeEvent.objects.get().processed_at is not None


def test_a_refund_from_the_admin_goes_through_the_service(staff_client, staff, fake_stripe, user):
    team = create_workspace(actor=user, name="Studio")
    payment, _ = services.create_payment(
        payer=user, workspace=team, amount=3000, currency="usd", purpose="workspace_charge"
    )
    fake_stripe.succeed_payment(payment.stripe_payment_intent_id)
    services.refresh_payment(payment.stripe_payment_intent_id)

    staff_client.post(
        reverse("admin:billing_payment_changelist"),
        {"action": "refund_in_full", "_selected_action": [str(payment.pk)]},
    )

    payment = Payment.objects.get()
    assert payment.amount_refunded == 3000
    event = ActivityEvent.objects.get(workspace=team, verb="refund.created")
    assert event.actor == staff


def test_re_reading_a_subscription_picks_up_a_change_whose_webhook_was_lost(
    staff_client, fake_stripe, user, priced
):
    team = create_workspace(actor=user, name="Studio")
    created, _ = services.create_subscription(workspace=team, actor=user, plan_code="pro")
    fake_stripe.update_subscription(created.stripe_subscription_id, cancel_at_period_end=True)

    staff_client.post(
        reverse("admin:billing_subscription_changelist"),
        {"action": "reread", "_selected_action": [str(created.pk)]},
    )

    created.refresh_from_db()
    assert created.cancel_at_period_end is True
