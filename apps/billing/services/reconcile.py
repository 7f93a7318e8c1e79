"""The nightly repair: re-read every workspace customer's subscriptions and invoices, and every
payment still in flight, from Stripe, and mirror them. Whatever a lost webhook left behind is
set right here by the same sync functions the webhooks use."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from .. import stripe_gateway
from ..models import Customer, Payment
from .invoices import sync_invoice
from .payments import refresh_payment
from .subscriptions import UnknownStripeData, sync_subscription

logger = logging.getLogger(__name__)

# Payments younger than this are still being confirmed by their payers.
IN_FLIGHT_GRACE = timedelta(minutes=30)
UNSETTLED = [
    Payment.Status.REQUIRES_PAYMENT_METHOD,
    Payment.Status.REQUIRES_CONFIRMATION,
    Payment.Status.REQUIRES_ACTION,
    Payment.Status.PROCESSING,
]


@dataclass
class Report:
    customers: int = 0
    subscriptions_repaired: int = 0
    invoices_repaired: int = 0
    payments_repaired: int = 0
    errors: list[str] = field(default_factory=list)


def reconcile_with_stripe() -> Report:
    report = Report()
    for customer in Customer.objects.filter(workspace__isnull=False).iterator():
        report.customers += 1
        cid = customer.stripe_customer_id
        try:
            subscriptions = stripe_gateway.call(
                lambda stripe, cid=cid: [
                    s.to_dict()
                    for s in stripe.v1.subscriptions.list(
                        {"customer": cid, "status": "all", "limit": 100}
                    ).auto_paging_iter()
                ]
            )
            invoices = stripe_gateway.call(
                lambda stripe, cid=cid: [
                    i.to_dict()
                    for i in stripe.v1.invoices.list(
                        {"customer": cid, "limit": 100}
                    ).auto_paging_iter()
                ]
            )
        except Exception as error:  # noqa: BLE001 - one customer must not stop the rest
            report.errors.append(f"{cid}: {error}")
            continue
        for data in subscriptions:
            try:
                report.subscriptions_repaired += sync_subscription(data=data)[1]
            except UnknownStripeData as error:
                report.errors.append(f"{data['id']}: {error}")
        for data in invoices:
            report.invoices_repaired += sync_invoice(data=data)[1]
    cutoff = timezone.now() - IN_FLIGHT_GRACE
    for payment in Payment.objects.filter(status__in=UNSETTLED, created_at__lt=cutoff).iterator():
        try:
            report.payments_repaired += refresh_payment(payment.stripe_payment_intent_id)[1]
        except Exception as error:  # noqa: BLE001
            report.errors.append(f"{payment.stripe_payment_intent_id}: {error}")
    if report.errors:
        logger.warning("stripe reconcile finished with %d errors", len(report.errors))
    return report
