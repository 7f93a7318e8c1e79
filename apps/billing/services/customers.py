from django.db import IntegrityError, transaction

from .. import stripe_gateway
from ..models import Customer


def workspace_customer(*, workspace, email: str = "") -> Customer:
    """The workspace's Stripe customer, created on first use."""
    existing = Customer.objects.filter(workspace=workspace).first()
    if existing:
        return existing
    created = stripe_gateway.call(
        lambda stripe: stripe.v1.customers.create(
            {
                "name": workspace.name,
                "email": email,
                "metadata": {"workspace_id": str(workspace.pk)},
            },
            # Two first-time requests at once make one Stripe customer, not two.
            {"idempotency_key": f"customer-workspace-{workspace.pk}"},
        )
    )
    try:
        with transaction.atomic():
            return Customer.objects.create(workspace=workspace, stripe_customer_id=created.id)
    except IntegrityError:
        return Customer.objects.get(workspace=workspace)


def workspace_of_customer(stripe_customer_id: str):
    customer = Customer.objects.filter(stripe_customer_id=stripe_customer_id).first()
    return customer.workspace_id if customer else None


def lock_billing_of_customer(stripe_customer_id: str | None):
    """Lock the customer's workspace row until the transaction ends, and answer its id.

    Every sync from Stripe for a workspace takes this lock *before* it reads Stripe, so two
    deliveries racing each other read and write one after the other, and an older read can
    never be written over a newer one. It is held across one Stripe call (seconds at worst),
    which only webhooks and the nightly repair wait on."""
    from apps.workspaces.models import Workspace

    workspace_id = workspace_of_customer(stripe_customer_id) if stripe_customer_id else None
    if workspace_id is not None:
        Workspace.objects.select_for_update().filter(pk=workspace_id).values_list("pk").first()
    return workspace_id
