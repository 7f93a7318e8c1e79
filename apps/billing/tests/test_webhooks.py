"""Stripe's webhook: signed, stored, applied once, safe in any order, replayable."""

import io
import json
import random

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.activity.models import ActivityEvent
from apps.billing.models import (
    BillingNotice,
    Invoice,
    Payment,
    StripeEvent,
    Subscription,
)
from apps.billing.tests.fake_stripe import FakeStripe
from apps.core.testing import data_of, error_of
from apps.notifications.models import Notification
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of

pytestmark = pytest.mark.django_db
WEBHOOK = "/api/v1/stripe/webhook"


def checkout(owner, fake_stripe, plan="pro") -> list[dict]:
    session = data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": plan}), 201)
    return fake_stripe.complete_checkout(session["id"], trial_days=0)


def payment_events(owner, fake_stripe, outcome: str) -> list[dict]:
    payment = data_of(owner.post("/api/v1/payments", {"amount": 2500}), 201)
    intent = Payment.objects.get(pk=payment["id"]).stripe_payment_intent_id
    if outcome == "succeeded":
        return fake_stripe.succeed_payment(intent)
    return fake_stripe.fail_payment(intent)


def state(team) -> dict:
    """Everything a webhook could change, for before/after comparisons."""
    return {
        "subscriptions": list(
            Subscription.objects.values_list("status", "plan__code", "cancel_at_period_end")
        ),
        "invoices": list(Invoice.objects.values_list("status", "amount_paid", "attempt_count")),
        "payments": list(Payment.objects.values_list("status", "amount_refunded", "failure_code")),
        "events": ActivityEvent.objects.filter(workspace=team).count(),
        "notices": BillingNotice.objects.count(),
        "emails": len(mail.outbox),
    }


def scenario(name, owner, fake_stripe) -> list[dict]:
    if name == "checkout":
        return checkout(owner, fake_stripe)
    if name == "renewal failed":
        events = checkout(owner, fake_stripe)
        return events + fake_stripe.fail_invoice(_only_subscription(fake_stripe))
    if name == "payment succeeded":
        return payment_events(owner, fake_stripe, "succeeded")
    if name == "payment failed":
        return payment_events(owner, fake_stripe, "failed")
    if name == "refunded":
        events = payment_events(owner, fake_stripe, "succeeded")
        payment = Payment.objects.get()
        payment.status = "succeeded"
        payment.save()
        data_of(owner.post(f"/api/v1/payments/{payment.pk}/refund", {"amount": 1000}), 201)
        return events + fake_stripe.events_of("charge.refunded")
    raise AssertionError(name)


def _only_subscription(fake: FakeStripe) -> str:
    (stripe_id,) = fake.subscriptions
    return stripe_id


SCENARIOS = ["checkout", "renewal failed", "payment succeeded", "payment failed", "refunded"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_event_delivered_three_times_has_one_effect(
    name, owner, team, fake_stripe, deliver, api_client, priced
):
    events = scenario(name, owner, fake_stripe)
    handled = {event["type"] for event in events}
    for event in events:
        assert data_of(deliver(api_client, event))["applied"] is True
    once = state(team)

    for _ in range(2):
        for event in events:
            assert data_of(deliver(api_client, event))["applied"] is False

    assert state(team) == once
    assert StripeEvent.objects.count() == len(events)
    assert set(StripeEvent.objects.values_list("type", flat=True)) == handled


def test_a_failed_renewal_emails_every_owner_once(
    owner, team, user, fake_stripe, deliver, api_client, priced, django_capture_on_commit_callbacks
):
    co_owner = member_of(team, Role.OWNER)
    member_of(team, Role.MEMBER)
    events = checkout(owner, fake_stripe)
    events += fake_stripe.fail_invoice(_only_subscription(fake_stripe))
    mail.outbox.clear()

    for _ in range(3):
        for event in events:
            with django_capture_on_commit_callbacks(execute=True):
                deliver(api_client, event)
    # Staff replaying the failure by hand tell nobody again either.
    (failed,) = [event for event in events if event["type"] == "invoice.payment_failed"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("replay_stripe_event", failed["id"], stdout=io.StringIO())

    assert ActivityEvent.objects.filter(verb="invoice.payment_failed").count() == 1
    # Each owner gets an email of their own (and the member none), once for the attempt.
    assert sorted(m.to for m in mail.outbox) == sorted([[user.email], [co_owner.email]])
    assert all("Payment failed for Studio" in m.subject for m in mail.outbox)
    told = Notification.objects.filter(kind="payment_failed")
    assert sorted(told.values_list("user_id", flat=True)) == sorted([user.pk, co_owner.pk])
    assert {n.link for n in told} == {"/dashboard/billing/"}
    assert Subscription.objects.get().status == "past_due"
    # Past due keeps the plan while Stripe retries the card.
    assert data_of(owner.get("/api/v1/billing"))["plan"]["code"] == "pro"


def test_a_bad_signature_answers_400_and_changes_nothing(
    owner, team, fake_stripe, deliver, api_client, priced
):
    events = checkout(owner, fake_stripe)
    before = state(team)

    for event in events:
        error_of(deliver(api_client, event, secret="whsec_someone_else"), 400, "INVALID_SIGNATURE")
        error_of(deliver(api_client, event, signature="t=1,v1=deadbeef"), 400, "INVALID_SIGNATURE")
    stale = FakeStripe.sign(FakeStripe.event_payload(events[0]), "whsec_test_secret", 1_000_000)
    error_of(deliver(api_client, events[0], signature=stale), 400, "INVALID_SIGNATURE")

    assert state(team) == before
    assert not StripeEvent.objects.exists()


def test_a_tampered_payload_is_refused(owner, fake_stripe, deliver, api_client, priced):
    event = checkout(owner, fake_stripe)[0]
    signature = FakeStripe.sign(FakeStripe.event_payload(event), "whsec_test_secret")
    event["data"]["object"]["subscription"] = "sub_someone_elses"
    error_of(deliver(api_client, event, signature=signature), 400, "INVALID_SIGNATURE")


def test_out_of_order_subscription_events_converge_to_stripes_final_state(
    owner, team, fake_stripe, deliver, api_client, priced
):
    events = checkout(owner, fake_stripe)
    stripe_id = _only_subscription(fake_stripe)
    events += fake_stripe.update_subscription(stripe_id, cancel_at_period_end=True)
    events += fake_stripe.fail_invoice(stripe_id)
    events += fake_stripe.update_subscription(stripe_id, cancel_at_period_end=False)
    final = fake_stripe.subscriptions[stripe_id]

    for seed in (1, 2, 3):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        for event in reversed(shuffled) if seed == 1 else shuffled:
            deliver(api_client, event)
        ours = Subscription.objects.get()
        assert (ours.status, ours.cancel_at_period_end) == (
            final["status"],
            final["cancel_at_period_end"],
        )
        assert ours.plan.code == "pro"
        StripeEvent.objects.all().delete()  # let the next order apply from scratch


def test_unknown_event_types_are_acknowledged_and_kept(api_client, fake_stripe, deliver):
    event = {
        "id": "evt_unknown_1",
        "object": "event",
        "type": "customer.tax_id.created",
        "created": 1_790_000_000,
        "api_version": "2026-10-28.endive",
        "data": {"object": {"id": "txi_1", "object": "tax_id"}},
    }
    assert data_of(deliver(api_client, event)) == {"received": True, "applied": True}
    stored = StripeEvent.objects.get(pk="evt_unknown_1")
    assert stored.processed_at is not None
    assert stored.payload["data"]["object"]["id"] == "txi_1"


def test_when_stripe_is_down_the_event_is_kept_and_replayed_later(
    owner, team, fake_stripe, deliver, api_client, priced, fast_stripe_retries
):
    events = checkout(owner, fake_stripe)
    created = next(e for e in events if e["type"] == "customer.subscription.created")
    fake_stripe.fail_next(3, 503)

    error_of(deliver(api_client, created), 500, "WEBHOOK_FAILED")
    stored = StripeEvent.objects.get(pk=created["id"])
    assert stored.processed_at is None and "Error" in stored.last_error
    assert not Subscription.objects.exists()

    call_command("replay_stripe_event", created["id"])

    assert Subscription.objects.get().status == "active"
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.attempts == 2
    with pytest.raises(CommandError):
        call_command("replay_stripe_event", "evt_never_seen")


def test_the_webhook_needs_its_secret_configured(api_client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = api_client.post(
        WEBHOOK, json.dumps({"id": "evt_1"}), content_type="application/json"
    )
    error_of(response, 503, "PAYMENTS_DISABLED")
