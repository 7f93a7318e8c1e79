"""The billing page: plan, usage and status for everyone; plans, Checkout, plan changes,
cancelling, the portal and invoices for owners and admins. Stripe is the local fake server."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.billing import services
from apps.billing.models import Customer, Invoice, Subscription, UsageRecord
from apps.billing.tests.factories import (
    CustomerFactory,
    PaymentFactory,
    SubscriptionFactory,
    plan,
)
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

from .helpers import shown_messages, text

pytestmark = pytest.mark.django_db


PAGE = "/dashboard/billing/"


@pytest.fixture
def payments_off(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def on_sale(db):
    """Pro and Business tied to the fake's prices, so they can be bought."""
    pro, business = plan("pro"), plan("business")
    pro.stripe_price_id = "price_pro_month"
    pro.save(update_fields=["stripe_price_id"])
    business.stripe_price_id = "price_business_month"
    business.save(update_fields=["stripe_price_id"])
    return pro, business


@pytest.fixture
def viewer(team):
    return member_of(team, Role.VIEWER, name="Vera Viewer")


def invoice(workspace, n: int, **fields) -> Invoice:
    values = {
        "workspace": workspace,
        "stripe_invoice_id": f"in_test{workspace.pk.hex[:8]}{n:04d}",
        "number": f"INV-{n:04d}",
        "status": Invoice.Status.PAID,
        "currency": "usd",
        "amount_due": 1900,
        "amount_paid": 1900,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/test_{n}",
        "invoice_pdf": f"https://pay.stripe.com/invoice/test_{n}/pdf",
        "issued_at": timezone.now() - timedelta(days=30 * n),
        "synced_at": timezone.now(),
    }
    return Invoice.objects.create(**{**values, **fields})


def subscribe_through_checkout(web, fake_stripe, plan_code="pro") -> Subscription:
    """Pay a Checkout session on the fake and mirror the subscription it made."""
    response = web.post("/dashboard/billing/checkout", {"plan": plan_code})
    session_id = response["Location"].rsplit("/", 1)[-1]
    fake_stripe.complete_checkout(session_id, trial_days=0)
    stripe_id = fake_stripe.checkout_sessions[session_id]["subscription"]
    return services.refresh_subscription(stripe_id)[0]


def test_signing_in_is_required(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_navigation_links_to_the_billing_page(web):
    assert f'<a href="{PAGE}">Billing</a>' in text(web.get("/dashboard/"))


def test_a_viewer_sees_the_plan_and_usage_but_no_buttons_or_invoices(browse, team, viewer, on_sale):
    ClientFactory.create_batch(3, workspace=team)
    invoice(team, 1)

    response = browse(viewer, team).get(PAGE)

    page = text(response)
    assert response.status_code == 200
    assert "Harbour Studio is on the <strong>Free</strong> plan." in page
    assert '<progress id="usage-clients" max="10" value="3"' in page
    assert "3 of 10 used" in page
    assert "Pro" in page and "19.00 USD / month" in page
    assert "Upgrade to" not in page
    assert "/dashboard/billing/checkout" not in page
    assert "/dashboard/billing/portal" not in page
    assert "INV-0001" not in page and "Invoices" not in page


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("checkout", {"plan": "pro"}),
        ("change", {"plan": "business"}),
        ("cancel", {"action": "cancel"}),
        ("portal", {}),
    ],
)
def test_a_viewer_is_refused_every_billing_action(
    browse, team, viewer, on_sale, fake_stripe, action, data
):
    SubscriptionFactory(workspace=team, plan=plan("pro"))
    CustomerFactory(workspace=team)

    response = browse(viewer, team).post(f"/dashboard/billing/{action}", data)

    assert response.status_code == 403
    assert "Your role does not allow this" in text(response)
    assert fake_stripe.requests == []


def test_every_form_on_the_page_carries_a_csrf_token(browse, web, team, owner, on_sale):
    SubscriptionFactory(workspace=team, plan=plan("pro"))
    CustomerFactory(workspace=team)

    page = text(web.get(PAGE))

    assert page.count('<form method="post"') == page.count('name="csrfmiddlewaretoken"') >= 4
    strict = browse(owner, team)
    strict.handler.enforce_csrf_checks = True
    refused = strict.post("/dashboard/billing/cancel", {"action": "cancel"})
    assert refused.status_code == 403 and "CSRF" in text(refused)


def test_an_owner_sees_the_latest_twelve_invoices_with_stripes_links(web, team):
    for n in range(1, 14):
        invoice(team, n)

    page = text(web.get(PAGE))

    assert "INV-0001" in page and "INV-0012" in page
    assert "INV-0013" not in page
    assert 'href="https://invoice.stripe.com/i/test_1"' in page
    assert 'href="https://pay.stripe.com/invoice/test_1/pdf"' in page
    assert "older ones are in the billing portal" in page


def test_an_owner_with_no_invoices_is_told_so(web):
    assert "No invoices yet." in text(web.get(PAGE))


def test_the_page_makes_as_many_queries_for_twelve_invoices_as_for_one(web, team):
    invoice(team, 1)
    web.get(PAGE)  # the first visit warms per-session caches (messages, session row)
    with CaptureQueriesContext(connection) as one:
        web.get(PAGE)
    for n in range(2, 13):
        invoice(team, n)

    with CaptureQueriesContext(connection) as twelve:
        page = text(web.get(PAGE))

    assert "INV-0012" in page
    assert len(twelve) == len(one)


def test_an_owner_sees_payments_with_what_was_refunded(web, team, viewer, browse):
    PaymentFactory(workspace=team, amount=5000, amount_refunded=1500, description="Setup fee")
    PaymentFactory(workspace=team, amount=2000, amount_refunded=2000, description="Workshop")

    page = text(web.get(PAGE))

    assert "Setup fee" in page and "50.00 USD" in page and "15.00 USD" in page
    assert "Workshop" in page and "Refunded" in page
    assert "Setup fee" not in text(browse(viewer).get(PAGE))


def test_an_outsider_cannot_see_another_workspaces_billing(browse, team, owner):
    invoice(team, 7)
    SubscriptionFactory(workspace=team, plan=plan("business"))
    outsider = member_of(WorkspaceFactory(name="Elsewhere"), Role.OWNER)

    # A session naming a workspace they are not in falls back to their personal one.
    page = text(browse(outsider, team).get(PAGE))

    assert "Harbour Studio" not in page
    assert "INV-0007" not in page
    assert "Business <span" not in page
    assert "is on the <strong>Free</strong> plan." in page


def test_an_unlimited_quota_says_so_and_storage_reads_in_bytes(web, team):
    SubscriptionFactory(workspace=team, plan=plan("business"))
    UsageRecord.objects.create(workspace=team, quota="storage_bytes", amount=3 * 1024 * 1024)

    page = text(web.get(PAGE))

    assert "is on the <strong>Business</strong> plan." in page
    assert '<progress id="usage-clients"' not in page
    assert "0 used · unlimited" in page
    assert "3.0\xa0MB of 200.0\xa0GB used" in page


def test_a_full_quota_is_marked(web, team):
    ClientFactory.create_batch(plan("free").clients, workspace=team)

    assert "Limit reached" in text(web.get(PAGE))


def test_the_status_shows_the_trial_end_and_the_renewal_date(web, team):
    trial_end = timezone.now() + timedelta(days=10)
    SubscriptionFactory(
        workspace=team,
        plan=plan("pro"),
        status=Subscription.Status.TRIALING,
        trial_end=trial_end,
        current_period_end=trial_end,
    )

    page = text(web.get(PAGE))

    assert "<dt>Trial ends</dt>" in page
    local = timezone.localtime(trial_end)
    assert f"<dd>{local:%b} {local.day}, {local:%Y}</dd>" in page
    assert "<dt>Renews on</dt>" in page
    assert "Cancel at the end of the period" in page


def test_a_pending_cancellation_shows_the_end_date_and_a_resume_button(web, team):
    SubscriptionFactory(workspace=team, plan=plan("pro"), cancel_at_period_end=True)

    page = text(web.get(PAGE))

    assert "<dt>Cancels on</dt>" in page
    assert "Resume Pro" in page


def test_a_past_due_subscription_shows_a_warning_to_everyone(browse, team, viewer):
    SubscriptionFactory(workspace=team, plan=plan("pro"), status=Subscription.Status.PAST_DUE)

    page = text(browse(viewer, team).get(PAGE))

    assert "The last payment for Pro failed." in page
    assert "ask an owner or admin to update the payment method" in page
    assert "Cancel at the end of the period" not in page


def test_with_payments_disabled_the_buttons_are_disabled_and_explained(web, on_sale, payments_off):
    page = text(web.get(PAGE))

    assert "Payments are not set up on this server" in page
    assert 'disabled aria-describedby="payments-off">Upgrade to Pro</button>' in page


def test_a_checkout_with_payments_disabled_shows_the_reason_and_creates_nothing(
    web, team, on_sale, payments_off
):
    response = web.post("/dashboard/billing/checkout", {"plan": "pro"}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert shown_messages(response) == [
        "Payments are not set up on this server (STRIPE_SECRET_KEY is empty)."
    ]
    assert not Customer.objects.exists()
    assert not Subscription.objects.exists()
    assert not ActivityEvent.objects.filter(workspace=team, verb="checkout.started").exists()


def test_a_plan_that_is_not_for_sale_is_refused_with_a_message(web, fake_stripe):
    response = web.post("/dashboard/billing/checkout", {"plan": "free"}, follow=True)

    assert shown_messages(response) == ["The Free plan cannot be bought; it is the default."]
    assert fake_stripe.requests == []


def test_a_checkout_sends_the_owner_to_stripe_with_a_303(web, team, owner, on_sale, fake_stripe):
    page = text(web.get(PAGE))
    assert '<input type="hidden" name="plan" value="pro">' in page
    assert "Upgrade to Pro" in page

    response = web.post("/dashboard/billing/checkout", {"plan": "pro"})

    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/")
    customer = Customer.objects.get(workspace=team)
    assert fake_stripe.customers[customer.stripe_customer_id]["email"] == owner.email
    assert ActivityEvent.objects.get(workspace=team, verb="checkout.started").actor == owner


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("success", "Thank you! Your subscription starts as soon as Stripe confirms the payment"),
        ("canceled", "Checkout was canceled; nothing was charged."),
    ],
)
def test_coming_back_from_checkout_shows_a_message_once(web, outcome, message):
    response = web.get(f"{PAGE}?checkout={outcome}&session_id=cs_test_1", follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert shown_messages(response)[0].startswith(message)
    assert shown_messages(web.get(PAGE)) == []


def test_a_second_checkout_is_refused_while_subscribed(web, on_sale, fake_stripe):
    subscribe_through_checkout(web, fake_stripe)

    response = web.post("/dashboard/billing/checkout", {"plan": "business"}, follow=True)

    assert shown_messages(response)[0].startswith("This workspace is subscribed to Pro already")


def test_a_subscribed_owner_switches_plan_through_stripe(web, team, on_sale, fake_stripe):
    subscription = subscribe_through_checkout(web, fake_stripe)
    page = text(web.get(PAGE))
    assert "/dashboard/billing/change" in page and "Upgrade to Business" in page
    assert "Cancel the subscription to return to Free." in page

    response = web.post("/dashboard/billing/change", {"plan": "business"}, follow=True)

    assert shown_messages(response)[0].startswith("Switched to Business.")
    subscription.refresh_from_db()
    assert subscription.plan.code == "business"
    stripe_copy = fake_stripe.subscriptions[subscription.stripe_subscription_id]
    assert stripe_copy["items"]["data"][0]["price"]["id"] == "price_business_month"
    assert "is on the <strong>Business</strong> plan." in text(response)


def test_changing_plan_without_a_subscription_shows_a_message(web, on_sale, fake_stripe):
    response = web.post("/dashboard/billing/change", {"plan": "business"}, follow=True)

    assert shown_messages(response) == [
        "This workspace has no subscription to change; subscribe first."
    ]
    assert fake_stripe.requests == []


def test_an_owner_cancels_at_the_period_end_and_resumes(web, team, on_sale, fake_stripe):
    subscription = subscribe_through_checkout(web, fake_stripe)

    cancelled = web.post("/dashboard/billing/cancel", {"action": "cancel"}, follow=True)

    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert shown_messages(cancelled)[0].startswith("Your Pro subscription ends on ")
    assert "Resume Pro" in text(cancelled)

    resumed = web.post("/dashboard/billing/cancel", {"action": "resume"}, follow=True)

    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False
    assert shown_messages(resumed)[0].startswith("Your Pro subscription renews on ")


def test_an_owner_opens_the_stripe_portal(web, team, on_sale, fake_stripe):
    subscribe_through_checkout(web, fake_stripe)
    assert "/dashboard/billing/portal" in text(web.get(PAGE))

    response = web.post("/dashboard/billing/portal")

    assert response.status_code == 303
    assert response["Location"].startswith("https://billing.stripe.com/")


def test_the_portal_without_a_billing_account_shows_a_message(web, team, fake_stripe):
    assert "/dashboard/billing/portal" not in text(web.get(PAGE))

    response = web.post("/dashboard/billing/portal", follow=True)

    assert shown_messages(response) == [
        "This workspace has no billing account yet; subscribe first."
    ]


def test_an_admin_manages_billing_too(browse, team, on_sale, payments_off):
    admin = member_of(team, Role.ADMIN)
    CustomerFactory(workspace=team)

    page = text(browse(admin, team).get(PAGE))

    assert "Upgrade to Pro" in page
    assert "/dashboard/billing/portal" in page
    assert "No invoices yet." in page
