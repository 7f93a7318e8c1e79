"""Invoices are Stripe's; we keep a copy for lists and pages, written only from Stripe's data."""

from django.db import transaction
from django.utils import timezone

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.core.errors import ApplicationError

from .. import stripe_gateway
from ..models import Invoice, Subscription
from ._stripe_data import invoice_subscription_id, object_id, when
from .customers import lock_billing_of_customer, workspace_of_customer
from .notices import notify_owners
from .subscriptions import UnknownStripeData


@transaction.atomic
def refresh_invoice(
    stripe_invoice_id: str, *, stripe_customer_id: str | None = None
) -> tuple[Invoice, bool]:
    """Re-read one invoice from Stripe and mirror it, under the workspace's lock."""
    lock_billing_of_customer(stripe_customer_id)
    data = stripe_gateway.call(
        lambda stripe: stripe.v1.invoices.retrieve(stripe_invoice_id)
    ).to_dict()
    return sync_invoice(data=data)


@transaction.atomic
def sync_invoice(*, data: dict) -> tuple[Invoice, bool]:
    workspace_id = workspace_of_customer(object_id(data.get("customer")))
    if workspace_id is None:
        raise UnknownStripeData(f"Stripe customer {data.get('customer')!r} is not one of ours.")
    subscription_id = invoice_subscription_id(data)
    subscription = (
        Subscription.objects.filter(stripe_subscription_id=subscription_id).first()
        if subscription_id
        else None
    )
    fields = {
        "workspace_id": workspace_id,
        "subscription": subscription,
        "number": data.get("number") or "",
        "status": data["status"],
        "currency": data["currency"],
        "amount_due": data.get("amount_due") or 0,
        "amount_paid": data.get("amount_paid") or 0,
        "attempt_count": data.get("attempt_count") or 0,
        "hosted_invoice_url": data.get("hosted_invoice_url") or "",
        "invoice_pdf": data.get("invoice_pdf") or "",
        "period_start": when(data.get("period_start")),
        "period_end": when(data.get("period_end")),
        "issued_at": when(data.get("created")),
        "paid_at": when((data.get("status_transitions") or {}).get("paid_at")),
    }
    invoice = Invoice.objects.select_for_update().filter(stripe_invoice_id=data["id"]).first()
    was_paid = invoice is not None and invoice.status == Invoice.Status.PAID
    if invoice is None:
        invoice = Invoice(stripe_invoice_id=data["id"])
    dirty = invoice._state.adding
    for field, value in fields.items():
        if getattr(invoice, field) != value:
            setattr(invoice, field, value)
            dirty = True
    invoice.synced_at = timezone.now()
    invoice.save()
    if invoice.status == Invoice.Status.PAID and not was_paid:
        record_activity(
            workspace_id=workspace_id,
            actor=None,
            verb=Verb.INVOICE_PAID,
            target=invoice,
            changes={"amountPaid": [None, invoice.amount_paid]},
        )
    return invoice, dirty


def invoice_payment_failed(*, invoice: Invoice) -> None:
    """Record the failure and tell the owners, once per payment attempt."""
    notice = notify_owners(
        workspace_id=invoice.workspace_id,
        kind="payment_failed",
        key=f"invoice-failed:{invoice.stripe_invoice_id}:{invoice.attempt_count}",
        context={
            "what": f"invoice {invoice.number or invoice.stripe_invoice_id}",
            "amount": invoice.amount_due,
            "currency": invoice.currency,
            "url": invoice.hosted_invoice_url,
        },
    )
    if notice is not None:
        record_activity(
            workspace_id=invoice.workspace_id,
            actor=None,
            verb=Verb.INVOICE_PAYMENT_FAILED,
            target=invoice,
            changes={"attemptCount": [None, invoice.attempt_count]},
        )


def invoice_pdf_url(*, invoice: Invoice) -> str:
    """Stripe's current link to the PDF (its links are re-read, not trusted from the copy)."""
    data = stripe_gateway.call(
        lambda stripe: stripe.v1.invoices.retrieve(invoice.stripe_invoice_id)
    ).to_dict()
    url = data.get("invoice_pdf")
    if not url:
        raise ApplicationError(
            "This invoice has no PDF yet (Stripe makes one when it is finalized).",
            code="INVOICE_NOT_FINALIZED",
            status_code=409,
        )
    return url
