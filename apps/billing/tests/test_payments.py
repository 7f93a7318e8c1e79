"""Payments and refunds through the API, Stripe's answers and its webhooks."""

import pytest
from django.core import mail

from apps.activity.models import ActivityEvent
from apps.billing.models import Invoice, Payment, Refund
from apps.billing.services import PURPOSES, Purpose, create_payment
from apps.core.testing import data_of, error_of

from .factories import PaymentFactory

pytestmark = pytest.mark.django_db


def paid(owner, fake_stripe, deliver, api_client, amount=5000) -> Payment:
    created = data_of(owner.post("/api/v1/payments", {"amount": amount}), 201)
    payment = Payment.objects.get(pk=created["id"])
    for event in fake_stripe.succeed_payment(payment.stripe_payment_intent_id):
        deliver(api_client, event)
    payment.refresh_from_db()
    return payment


def test_a_payment_opens_an_intent_and_the_webhook_marks_it_paid(
    owner, team, fake_stripe, deliver, api_client
):
    created = data_of(
        owner.post("/api/v1/payments", {"amount": 4200, "currency": "eur", "description": "Setup"}),
        201,
    )
    assert created["clientSecret"].startswith("pi_")
    assert created["status"] == "requires_payment_method"
    intent = fake_stripe.payment_intents[Payment.objects.get().stripe_payment_intent_id]
    assert (intent["amount"], intent["currency"], intent["metadata"]["workspace_id"]) == (
        4200,
        "eur",
        str(team.pk),
    )

    for event in fake_stripe.succeed_payment(intent["id"]):
        deliver(api_client, event)

    listed = data_of(owner.get("/api/v1/payments"))
    assert [(p["status"], p["amount"], p["paidAt"] is not None) for p in listed] == [
        ("succeeded", 4200, True)
    ]
    assert "clientSecret" not in listed[0]
    verbs = list(ActivityEvent.objects.filter(workspace=team).values_list("verb", flat=True))
    assert verbs.count("payment.created") == 1 and verbs.count("payment.succeeded") == 1


def test_a_partial_then_a_full_refund(owner, team, fake_stripe, deliver, api_client):
    payment = paid(owner, fake_stripe, deliver, api_client, amount=5000)

    refund = data_of(
        owner.post(
            f"/api/v1/payments/{payment.pk}/refund",
            {"amount": 1500, "reason": "requested_by_customer"},
        ),
        201,
    )
    assert (refund["amount"], refund["status"]) == (1500, "succeeded")
    rest = data_of(owner.post(f"/api/v1/payments/{payment.pk}/refund", {}), 201)
    assert rest["amount"] == 3500

    for event in fake_stripe.events_of("charge.refunded"):
        deliver(api_client, event)
    shown = data_of(owner.get(f"/api/v1/payments/{payment.pk}"))
    assert shown["amountRefunded"] == 5000
    assert sorted(r["amount"] for r in shown["refunds"]) == [1500, 3500]
    error_of(owner.post(f"/api/v1/payments/{payment.pk}/refund", {}), 400, "REFUND_EXCEEDS_PAYMENT")


def test_a_refund_larger_than_what_is_left_is_refused_without_calling_stripe(
    owner, fake_stripe, deliver, api_client
):
    payment = paid(owner, fake_stripe, deliver, api_client, amount=2000)
    calls = len(fake_stripe.requests)

    error = error_of(
        owner.post(f"/api/v1/payments/{payment.pk}/refund", {"amount": 2001}),
        400,
        "REFUND_EXCEEDS_PAYMENT",
    )
    assert "At most 2000" in error["details"][0]["message"]
    assert len(fake_stripe.requests) == calls
    assert not Refund.objects.exists()


def test_an_unpaid_payment_cannot_be_refunded(owner, fake_stripe):
    created = data_of(owner.post("/api/v1/payments", {"amount": 900}), 201)
    error_of(
        owner.post(f"/api/v1/payments/{created['id']}/refund", {}), 409, "PAYMENT_NOT_REFUNDABLE"
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": 10}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": 1000, "currency": "doubloons"}, "currency"),
        ({}, "amount"),
    ],
)
def test_bad_payment_input_is_a_validation_error(owner, fake_stripe, body, field):
    error_of(owner.post("/api/v1/payments", body), 400, "VALIDATION_ERROR", field=field)
    assert not Payment.objects.exists()


def test_a_declined_payment_shows_why_and_tells_the_owners(
    owner, user, fake_stripe, deliver, api_client, django_capture_on_commit_callbacks
):
    created = data_of(owner.post("/api/v1/payments", {"amount": 3000}), 201)
    intent = Payment.objects.get().stripe_payment_intent_id
    for event in fake_stripe.fail_payment(intent, code="insufficient_funds") * 3:
        with django_capture_on_commit_callbacks(execute=True):
            deliver(api_client, event)

    shown = data_of(owner.get(f"/api/v1/payments/{created['id']}"))
    assert shown["failureCode"] == "insufficient_funds"
    assert shown["failureMessage"]
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_another_purpose_gets_its_hooks_once(user, fake_stripe, deliver, api_client, monkeypatch):
    """The shop's orders will pay through the same service: a purpose hears of success once."""
    heard = []
    monkeypatch.setitem(PURPOSES, "order", Purpose(on_succeeded=heard.append))

    payment, secret = create_payment(
        payer=user, amount=1999, currency="usd", purpose="order", reference="order-42"
    )
    for event in fake_stripe.succeed_payment(payment.stripe_payment_intent_id) * 3:
        deliver(api_client, event)

    assert [(p.reference, p.status) for p in heard] == [("order-42", "succeeded")]
    assert payment.workspace is None and secret


def test_stripe_outage_answers_503_and_the_breaker_stops_calling(
    owner, fake_stripe, fast_stripe_retries, settings
):
    settings.STRIPE_BREAKER_FAILURES = 2
    fake_stripe.fail_next(100, 503)
    for _ in range(2):
        error_of(owner.post("/api/v1/payments", {"amount": 1000}), 503, "SERVICE_UNAVAILABLE")
    calls = len(fake_stripe.requests)

    response = owner.post("/api/v1/payments", {"amount": 1000})

    error_of(response, 503, "SERVICE_UNAVAILABLE")
    assert response["Retry-After"] == "30"
    assert len(fake_stripe.requests) == calls
    assert not Payment.objects.exists()


def test_invoices_list_detail_and_pdf_link(owner, team, fake_stripe, deliver, api_client):
    from apps.billing.models import Plan

    Plan.objects.filter(code="pro").update(stripe_price_id="price_pro_month")
    session = data_of(owner.post("/api/v1/subscriptions/checkout", {"plan": "pro"}), 201)
    for event in fake_stripe.complete_checkout(session["id"], trial_days=0):
        deliver(api_client, event)

    (listed,) = data_of(owner.get("/api/v1/invoices"))
    detail = data_of(owner.get(f"/api/v1/invoices/{listed['id']}"))
    assert detail["status"] == "paid" and detail["number"]
    pdf = data_of(owner.get(f"/api/v1/invoices/{listed['id']}/pdf"))
    assert (
        pdf["url"] == fake_stripe.invoices[Invoice.objects.get().stripe_invoice_id]["invoice_pdf"]
    )


def test_payments_of_another_workspace_are_not_found(owner, user, fake_stripe):
    elsewhere = PaymentFactory()
    error_of(owner.get(f"/api/v1/payments/{elsewhere.pk}"), 404, "NOT_FOUND")
    error_of(owner.post(f"/api/v1/payments/{elsewhere.pk}/refund", {}), 404, "NOT_FOUND")
