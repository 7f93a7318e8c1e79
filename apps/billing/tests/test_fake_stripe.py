"""FakeStripe answers the official stripe library the way Stripe's API does.

Every test drives the fake with a real `stripe.StripeClient` built as the billing app builds it,
so what passes here is what the library accepts from api.stripe.com.
"""

import pytest
import stripe

from apps.billing.tests.fake_stripe import (
    API_VERSION,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    FakeStripe,
    parse_form,
)


def _client(settings, api_key=None) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key or settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=5),
    )


@pytest.fixture
def client(fake_stripe, settings):
    return _client(settings)


@pytest.fixture
def customer(client):
    return client.v1.customers.create(
        {"email": "ada@example.com", "name": "Ada", "metadata": {"workspace_id": "42"}}
    )


def _checkout(client, customer, **subscription_data):
    return client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "customer": customer.id,
            "line_items": [{"price": "price_pro_month", "quantity": 1}],
            "success_url": "https://app.example.com/billing?checkout=success",
            "cancel_url": "https://app.example.com/billing?checkout=canceled",
            "client_reference_id": "42",
            "metadata": {"workspace_id": "42"},
            "subscription_data": {"metadata": {"workspace_id": "42"}, **subscription_data},
        }
    )


def _subscribed(client, fake_stripe, customer, **subscription_data):
    session = _checkout(client, customer, **subscription_data)
    fake_stripe.complete_checkout(session.id)
    return client.v1.subscriptions.retrieve(
        fake_stripe.checkout_sessions[session.id]["subscription"]
    )


def _types(events):
    return [event["type"] for event in events]


# -- the fixture and the wire --------------------------------------------------------------------


def test_fixture_points_the_stripe_settings_at_the_fake(fake_stripe, settings):
    assert fake_stripe.url == settings.STRIPE_API_BASE
    assert fake_stripe.url.startswith("http://127.0.0.1:")
    assert settings.STRIPE_SECRET_KEY == TEST_SECRET_KEY
    assert settings.STRIPE_WEBHOOK_SECRET == TEST_WEBHOOK_SECRET
    assert settings.STRIPE_MAX_NETWORK_RETRIES == 2
    assert (settings.STRIPE_BREAKER_FAILURES, settings.STRIPE_BREAKER_RESET_SECONDS) == (5, 30)


def test_created_customer_parses_into_a_stripe_object(client, fake_stripe, customer):
    assert isinstance(customer, stripe.Customer)
    assert customer.id.startswith("cus_")
    assert (customer.email, customer.name) == ("ada@example.com", "Ada")
    assert customer.metadata["workspace_id"] == "42"
    again = client.v1.customers.retrieve(customer.id)
    assert again.to_dict() == customer.to_dict()
    assert _types(fake_stripe.events) == ["customer.created"]


def test_requests_are_logged_with_parsed_params_and_the_stripe_version(
    client, fake_stripe, customer
):
    created = fake_stripe.requests[0]
    assert (created.method, created.path) == ("POST", "/v1/customers")
    assert created.params == {
        "email": "ada@example.com",
        "name": "Ada",
        "metadata": {"workspace_id": "42"},
    }
    assert created.header("Stripe-Version") == API_VERSION
    assert created.header("Idempotency-Key")


def test_nested_params_arrive_parsed(client, fake_stripe, customer):
    session = _checkout(client, customer, trial_period_days=14)

    params = fake_stripe.requests[-1].params
    assert params["line_items"] == [{"price": "price_pro_month", "quantity": "1"}]
    assert params["subscription_data"] == {
        "metadata": {"workspace_id": "42"},
        "trial_period_days": "14",
    }
    assert isinstance(session, stripe.checkout.Session)
    assert session.url == f"https://checkout.stripe.com/c/pay/{session.id}"
    assert session.id.startswith("cs_test_")
    assert (session.status, session.client_reference_id) == ("open", "42")


def test_parse_form_reads_brackets_lists_and_empty_values():
    query = (
        "items[0][price]=price_a&items[0][quantity]=2&items[1][id]=si_1&items[1][deleted]=true"
        "&metadata[workspace_id]=7&metadata[old]=&expand[]=latest_invoice&expand[]=customer"
    )
    assert parse_form(query) == {
        "items": [{"price": "price_a", "quantity": "2"}, {"id": "si_1", "deleted": "true"}],
        "metadata": {"workspace_id": "7", "old": ""},
        "expand": ["latest_invoice", "customer"],
    }


# -- errors --------------------------------------------------------------------------------------


def test_unknown_price_is_a_400_naming_the_param(client, customer):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.create(
            {
                "customer": customer.id,
                "items": [{"price": "price_nope"}],
                "payment_behavior": "default_incomplete",
            }
        )
    error = caught.value
    assert (error.http_status, error.code, error.param) == (
        400,
        "resource_missing",
        "items[0][price]",
    )
    assert error.user_message == "No such price: 'price_nope'"


def test_missing_object_is_a_404(client, fake_stripe):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_missing")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_unknown_parameters_are_refused_as_stripe_refuses_them(client, customer):
    with pytest.raises(stripe.InvalidRequestError) as top_level:
        client.v1.customers.create({"emial": "ada@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as nested:
        _checkout(client, customer, trial_days=14)
    assert (top_level.value.code, top_level.value.param) == ("parameter_unknown", "emial")
    assert nested.value.param == "subscription_data[trial_days]"


def test_a_live_or_missing_key_raises_authentication_error(fake_stripe, settings):
    with pytest.raises(stripe.AuthenticationError):
        _client(settings, api_key="sk_live_nope").v1.customers.retrieve("cus_x")


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (400, stripe.InvalidRequestError),
        (401, stripe.AuthenticationError),
        (402, stripe.CardError),
        (403, stripe.PermissionError),
        (404, stripe.InvalidRequestError),
        (429, stripe.RateLimitError),
    ],
)
def test_injected_client_errors_raise_the_matching_exception_without_retry(
    client, fake_stripe, status, exception
):
    fake_stripe.fail_next(1, status)

    with pytest.raises(exception) as caught:
        client.v1.customers.retrieve("cus_x")
    assert caught.value.http_status == status
    assert len(fake_stripe.requests) == 1


def test_card_error_carries_the_decline(client, fake_stripe):
    fake_stripe.fail_next(1, 402)

    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_intents.create({"amount": 1000, "currency": "usd"})
    assert caught.value.code == "card_declined"
    assert caught.value.user_message == "Your card was declined."


def test_an_unexpandable_path_is_refused(client, customer):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve(customer.id, {"expand": ["email"]})
    assert caught.value.param == "expand[0]"


# -- retries and idempotency ---------------------------------------------------------------------


def test_library_retries_recover_from_one_server_error(client, fake_stripe, fast_stripe_retries):
    fake_stripe.fail_next(1, 500)

    created = client.v1.customers.create({"email": "ada@example.com"})

    first, retry = fake_stripe.requests
    assert first.header("Idempotency-Key") == retry.header("Idempotency-Key")
    assert list(fake_stripe.customers) == [created.id]
    assert _types(fake_stripe.events) == ["customer.created"]


def test_conflicts_are_retried_too(client, fake_stripe, fast_stripe_retries):
    fake_stripe.fail_next(1, 409)

    client.v1.customers.create({"email": "ada@example.com"})

    assert len(fake_stripe.requests) == 2


def test_server_errors_past_the_retry_budget_raise_api_error(
    client, fake_stripe, fast_stripe_retries
):
    fake_stripe.fail_next(3, 503)

    with pytest.raises(stripe.APIError) as caught:
        client.v1.customers.create({"email": "ada@example.com"})
    assert caught.value.http_status == 503
    assert len(fake_stripe.requests) == 3
    assert fake_stripe.customers == {}


def test_should_retry_false_stops_the_library_retrying(client, fake_stripe, fast_stripe_retries):
    fake_stripe.fail_next(1, 500, should_retry=False)

    with pytest.raises(stripe.APIError):
        client.v1.customers.create({"email": "ada@example.com"})
    assert len(fake_stripe.requests) == 1


def test_an_idempotency_key_replays_the_first_answer(client, fake_stripe):
    params = {"email": "ada@example.com", "metadata": {"workspace_id": "42"}}
    first = client.v1.customers.create(params, {"idempotency_key": "customer-workspace-42"})
    second = client.v1.customers.create(params, {"idempotency_key": "customer-workspace-42"})

    assert second.id == first.id
    assert len(fake_stripe.customers) == 1
    assert second.last_response.headers["Idempotent-Replayed"] == "true"


def test_an_idempotency_key_reused_with_other_params_is_refused(client):
    client.v1.customers.create({"email": "ada@example.com"}, {"idempotency_key": "k"})

    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create({"email": "bob@example.com"}, {"idempotency_key": "k"})


def test_customer_update_merges_metadata_and_reports_what_changed(client, fake_stripe, customer):
    updated = client.v1.customers.update(
        customer.id, {"name": "Ada L.", "metadata": {"workspace_id": "", "plan": "pro"}}
    )

    assert updated.name == "Ada L."
    assert updated.metadata.to_dict() == {"plan": "pro"}
    event = fake_stripe.events[-1]
    assert event["type"] == "customer.updated"
    assert event["data"]["previous_attributes"] == {
        "name": "Ada",
        "metadata": {"workspace_id": "42", "plan": None},
    }


# -- checkout and portal -------------------------------------------------------------------------


def test_completed_checkout_starts_an_active_subscription_with_a_paid_invoice(
    client, fake_stripe, customer
):
    session = _checkout(client, customer)

    events = fake_stripe.complete_checkout(session.id)

    assert _types(events) == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    completed = client.v1.checkout.sessions.retrieve(session.id)
    assert (completed.status, completed.payment_status) == ("complete", "paid")
    subscription = client.v1.subscriptions.retrieve(completed.subscription)
    assert (subscription.status, subscription.customer) == ("active", customer.id)
    assert subscription.metadata["workspace_id"] == "42"
    item = subscription["items"].data[0]
    assert item.price.id == "price_pro_month"
    assert item.current_period_start < item.current_period_end
    assert "current_period_end" not in subscription
    invoice = client.v1.invoices.retrieve(completed.invoice)
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == (
        "paid",
        1900,
        "subscription_create",
    )
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert invoice.status_transitions.paid_at
    assert invoice.lines.data[0].period.end == item.current_period_end


def test_checkout_with_a_trial_starts_trialing_with_a_zero_invoice(client, fake_stripe, customer):
    subscription = _subscribed(client, fake_stripe, customer, trial_period_days=14)

    assert subscription.status == "trialing"
    assert subscription.trial_end - subscription.trial_start == 14 * 86_400
    assert subscription["items"].data[0].current_period_end == subscription.trial_end
    invoice = client.v1.invoices.retrieve(subscription.latest_invoice)
    assert (invoice.status, invoice.amount_due) == ("paid", 0)


def test_checkout_line_items_are_expandable(client, fake_stripe, customer):
    session = _checkout(client, customer)

    plain = client.v1.checkout.sessions.retrieve(session.id)
    expanded = client.v1.checkout.sessions.retrieve(session.id, {"expand": ["line_items"]})

    assert "line_items" not in plain
    assert expanded.line_items.data[0].price.unit_amount == 1900


def test_portal_session_links_to_stripe(client, customer):
    portal = client.v1.billing_portal.sessions.create(
        {"customer": customer.id, "return_url": "https://app.example.com/billing"}
    )

    assert isinstance(portal, stripe.billing_portal.Session)
    assert portal.url.startswith("https://billing.stripe.com/p/session/")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create({"customer": "cus_nope"})
    assert caught.value.param == "customer"


# -- subscriptions -------------------------------------------------------------------------------


def test_incomplete_subscription_exposes_its_confirmation_secret_until_paid(
    client, fake_stripe, customer
):
    subscription = client.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": "price_business_month"}],
            "payment_behavior": "default_incomplete",
            "payment_settings": {"save_default_payment_method": "on_subscription"},
            "metadata": {"workspace_id": "42"},
            "expand": ["latest_invoice.confirmation_secret"],
        }
    )

    assert subscription.status == "incomplete"
    invoice = subscription.latest_invoice
    assert (invoice.status, invoice.amount_due) == ("open", 4900)
    assert invoice.confirmation_secret.client_secret.startswith("pi_")
    assert "confirmation_secret" not in client.v1.invoices.retrieve(invoice.id)

    events = fake_stripe.pay_invoice(invoice.id)

    assert _types(events) == [
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    assert events[-1]["data"]["previous_attributes"] == {"status": "incomplete"}
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_subscription_without_payment_method_or_incomplete_behaviour_is_refused(client, customer):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.create(
            {"customer": customer.id, "items": [{"price": "price_pro_month"}]}
        )
    assert caught.value.code == "resource_missing"


def test_plan_change_and_cancel_at_period_end_through_the_api(client, fake_stripe, customer):
    subscription = _subscribed(client, fake_stripe, customer)
    item = subscription["items"].data[0]

    changed = client.v1.subscriptions.update(
        subscription.id,
        {
            "items": [{"id": item.id, "price": "price_business_month"}],
            "proration_behavior": "create_prorations",
        },
    )
    canceling = client.v1.subscriptions.update(subscription.id, {"cancel_at_period_end": True})

    assert changed["items"].data[0].price.id == "price_business_month"
    assert changed["items"].data[0].current_period_end == item.current_period_end
    assert canceling.cancel_at_period_end is True
    assert canceling.cancel_at == item.current_period_end
    plan_change, cancel = fake_stripe.events_of("customer.subscription.updated")
    assert plan_change["data"]["previous_attributes"]["items"]["data"][0]["price"]["id"] == (
        "price_pro_month"
    )
    assert cancel["data"]["previous_attributes"]["cancel_at_period_end"] is False
    assert cancel["request"]["id"]

    events = fake_stripe.renew(subscription.id)

    assert _types(events) == ["customer.subscription.deleted"]
    assert client.v1.subscriptions.retrieve(subscription.id).status == "canceled"


def test_cancel_through_the_api_ends_the_subscription(client, fake_stripe, customer):
    subscription = _subscribed(client, fake_stripe, customer)

    canceled = client.v1.subscriptions.cancel(subscription.id)

    assert canceled.status == "canceled"
    assert canceled.ended_at and canceled.canceled_at
    assert canceled.cancellation_details.reason == "cancellation_requested"
    assert fake_stripe.events[-1]["type"] == "customer.subscription.deleted"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.cancel(subscription.id)


def test_subscription_list_filters_by_status_and_auto_pages(client, fake_stripe, customer):
    created = [_subscribed(client, fake_stripe, customer).id for _ in range(3)]
    fake_stripe.cancel_now(created[0])

    first_page = client.v1.subscriptions.list({"customer": customer.id, "limit": 1})
    live = [s.id for s in first_page.auto_paging_iter()]
    everything = client.v1.subscriptions.list({"status": "all", "limit": 2}).auto_paging_iter()
    canceled = client.v1.subscriptions.list({"status": "canceled"})

    assert first_page.has_more is True
    assert live == [created[2], created[1]]
    assert [s.id for s in everything] == created[::-1]
    assert [s.id for s in canceled] == [created[0]]
    next_pages = [r.params for r in fake_stripe.requests if "starting_after" in r.params]
    assert next_pages == [
        {"customer": customer.id, "limit": "1", "starting_after": created[2]},
        {"status": "all", "limit": "2", "starting_after": created[1]},
    ]


def test_renewals_advance_periods_and_bill_each_one(client, fake_stripe, customer):
    subscription = _subscribed(client, fake_stripe, customer)
    first_period = subscription["items"].data[0]

    events = fake_stripe.renew(subscription.id)
    fake_stripe.renew(subscription.id)

    assert _types(events) == [
        "customer.subscription.updated",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    assert "items" in events[0]["data"]["previous_attributes"]
    invoices = list(
        client.v1.invoices.list({"subscription": subscription.id, "limit": 2}).auto_paging_iter()
    )
    assert [i.billing_reason for i in invoices] == [
        "subscription_cycle",
        "subscription_cycle",
        "subscription_create",
    ]
    renewal = invoices[1]
    assert renewal.period_end == first_period.current_period_end
    assert renewal.lines.data[0].period.start == first_period.current_period_end
    assert renewal.status == "paid"
    assert len({i.number for i in invoices}) == 3


def test_failed_renewal_makes_the_subscription_past_due_until_paid(client, fake_stripe, customer):
    subscription = _subscribed(client, fake_stripe, customer)

    failed = fake_stripe.fail_invoice(subscription.id)
    failed_again = fake_stripe.fail_invoice(subscription.id)

    assert _types(failed) == ["invoice.payment_failed", "customer.subscription.updated"]
    assert failed[1]["data"]["previous_attributes"]["status"] == "active"
    assert _types(failed_again) == ["invoice.payment_failed"]
    invoice = failed_again[0]["data"]["object"]
    assert (invoice["status"], invoice["attempt_count"]) == ("open", 2)
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"

    recovered = fake_stripe.pay_invoice(invoice["id"])

    assert recovered[-1]["data"]["previous_attributes"] == {"status": "past_due"}
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_stripe_side_changes_emit_events_with_previous_attributes(client, fake_stripe, customer):
    subscription = _subscribed(client, fake_stripe, customer)

    (canceling,) = fake_stripe.update_subscription(subscription.id, cancel_at_period_end=True)
    (upgraded,) = fake_stripe.update_subscription(subscription.id, price="price_business_month")
    (deleted,) = fake_stripe.cancel_now(subscription.id)

    assert canceling["data"]["previous_attributes"] == {
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"reason": None},
    }
    assert canceling["request"] == {"id": None, "idempotency_key": None}
    assert upgraded["data"]["object"]["items"]["data"][0]["price"]["id"] == "price_business_month"
    assert deleted["type"] == "customer.subscription.deleted"
    assert deleted["data"]["object"]["status"] == "canceled"


# -- payments and refunds ------------------------------------------------------------------------


@pytest.fixture
def intent(client, customer):
    return client.v1.payment_intents.create(
        {
            "amount": 2000,
            "currency": "usd",
            "customer": customer.id,
            "description": "Setup fee",
            "automatic_payment_methods": {"enabled": True},
            "metadata": {"purpose": "setup_fee", "workspace_id": ""},
        }
    )


def test_payment_intent_waits_for_a_payment_method(intent):
    assert isinstance(intent, stripe.PaymentIntent)
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert intent.automatic_payment_methods.enabled is True
    assert intent.metadata.to_dict() == {"purpose": "setup_fee"}


def test_succeeded_payment_has_an_expandable_charge(client, fake_stripe, intent):
    events = fake_stripe.succeed_payment(intent.id)

    assert _types(events) == ["payment_intent.succeeded", "charge.succeeded"]
    paid = client.v1.payment_intents.retrieve(intent.id, {"expand": ["latest_charge"]})
    assert (paid.status, paid.amount_received) == ("succeeded", 2000)
    assert (paid.latest_charge.amount, paid.latest_charge.payment_intent) == (2000, intent.id)


def test_declined_payment_sets_last_payment_error(client, fake_stripe, intent):
    (event,) = fake_stripe.fail_payment(intent.id, code="insufficient_funds")

    assert event["type"] == "payment_intent.payment_failed"
    declined = client.v1.payment_intents.retrieve(intent.id)
    assert declined.status == "requires_payment_method"
    assert (declined.last_payment_error.code, declined.last_payment_error.decline_code) == (
        "card_declined",
        "insufficient_funds",
    )


def test_only_an_unfinished_payment_intent_can_be_canceled(client, fake_stripe, intent):
    canceled = client.v1.payment_intents.cancel(intent.id, {"cancellation_reason": "abandoned"})

    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    assert fake_stripe.events[-1]["type"] == "payment_intent.canceled"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.cancel(intent.id)
    assert caught.value.code == "payment_intent_unexpected_state"


def test_refunds_take_what_is_left_and_no_more(client, fake_stripe, intent):
    with pytest.raises(stripe.InvalidRequestError) as too_early:
        client.v1.refunds.create({"payment_intent": intent.id})
    fake_stripe.succeed_payment(intent.id)
    mark = len(fake_stripe.events)

    partial = client.v1.refunds.create(
        {"payment_intent": intent.id, "amount": 500, "reason": "requested_by_customer"}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 1600})
    rest = client.v1.refunds.create({"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError) as nothing_left:
        client.v1.refunds.create({"payment_intent": intent.id})

    assert too_early.value.param == "payment_intent"
    assert (partial.status, partial.amount, partial.payment_intent) == ("succeeded", 500, intent.id)
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")
    assert rest.amount == 1500
    assert nothing_left.value.code == "charge_already_refunded"
    assert client.v1.refunds.retrieve(partial.id).reason == "requested_by_customer"
    refund_events = fake_stripe.events[mark:]
    assert _types(refund_events) == ["refund.created", "charge.refunded"] * 2
    charge = refund_events[-1]["data"]["object"]
    assert (charge["payment_intent"], charge["amount_refunded"], charge["refunded"]) == (
        intent.id,
        2000,
        True,
    )
    assert refund_events[-1]["data"]["previous_attributes"] == {
        "amount_refunded": 500,
        "refunded": False,
    }


# -- events and webhooks -------------------------------------------------------------------------


def test_events_are_shaped_like_stripe_events(client, fake_stripe, customer):
    _subscribed(client, fake_stripe, customer)

    created = [event["created"] for event in fake_stripe.events]
    assert created == sorted(created)
    for event in fake_stripe.events:
        assert event["id"].startswith("evt_")
        assert (event["object"], event["api_version"], event["livemode"]) == (
            "event",
            API_VERSION,
            False,
        )
        assert event["data"]["object"]["object"]
    api_made, stripe_made = fake_stripe.events[0], fake_stripe.events[-1]
    assert api_made["request"]["idempotency_key"] == fake_stripe.requests[0].header(
        "Idempotency-Key"
    )
    assert stripe_made["request"]["id"] is None


def test_signed_events_verify_with_the_library(fake_stripe, client, customer):
    payload = FakeStripe.event_payload(fake_stripe.events[0])
    header = FakeStripe.sign(payload, TEST_WEBHOOK_SECRET)

    event = stripe.Webhook.construct_event(payload, header, TEST_WEBHOOK_SECRET)

    assert isinstance(event, stripe.Event)
    assert (event.type, event.data.object.id) == ("customer.created", customer.id)
    assert header == stripe.WebhookSignature.generate_signature_header(
        payload.decode(), TEST_WEBHOOK_SECRET, timestamp=int(header[2:].split(",")[0])
    )


def test_a_wrong_secret_or_a_stale_signature_fails_verification(fake_stripe, customer):
    payload = FakeStripe.event_payload(fake_stripe.events[0])
    wrong = FakeStripe.sign(payload, "whsec_someone_else")
    stale = FakeStripe.sign(payload, TEST_WEBHOOK_SECRET, timestamp=1_000_000_000)

    for header in (wrong, stale):
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(payload, header, TEST_WEBHOOK_SECRET)


def test_reset_forgets_everything_but_the_default_prices(client, fake_stripe, customer):
    fake_stripe.fail_next(5)

    fake_stripe.reset()

    assert (fake_stripe.customers, fake_stripe.events, fake_stripe.requests) == ({}, [], [])
    assert set(fake_stripe.prices) == {"price_pro_month", "price_business_month"}
    assert client.v1.prices.retrieve("price_business_month").unit_amount == 4900
