from datetime import timedelta

import factory
from django.utils import timezone

from apps.billing.models import Customer, Invoice, Payment, Plan, Subscription
from apps.billing.plans import ensure_plan
from apps.workspaces.tests.factories import WorkspaceFactory


def plan(code: str) -> Plan:
    """One of the seeded plans (free, pro, business)."""
    return ensure_plan(code)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    workspace = factory.SubFactory(WorkspaceFactory)
    stripe_customer_id = factory.Sequence(lambda n: f"cus_test{n:06d}")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A subscription as if Stripe had already made it active; for tests that need a plan
    rather than the way to one."""

    class Meta:
        model = Subscription

    workspace = factory.SubFactory(WorkspaceFactory)
    plan = factory.LazyFunction(lambda: plan("business"))
    status = Subscription.Status.ACTIVE
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test{n:06d}")
    stripe_customer_id = factory.Sequence(lambda n: f"cus_sub{n:06d}")
    current_period_start = factory.LazyFunction(timezone.now)
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    synced_at = factory.LazyFunction(timezone.now)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    workspace = factory.SubFactory(WorkspaceFactory)
    purpose = "workspace_charge"
    amount = 5000
    currency = "usd"
    status = Payment.Status.SUCCEEDED
    stripe_payment_intent_id = factory.Sequence(lambda n: f"pi_test{n:06d}")
    synced_at = factory.LazyFunction(timezone.now)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    workspace = factory.SubFactory(WorkspaceFactory)
    stripe_invoice_id = factory.Sequence(lambda n: f"in_test{n:06d}")
    number = factory.Sequence(lambda n: f"TEST-{n:04d}")
    status = Invoice.Status.PAID
    currency = "usd"
    amount_due = 1900
    amount_paid = 1900
    issued_at = factory.LazyFunction(timezone.now)
    synced_at = factory.LazyFunction(timezone.now)
