"""Card payments through Stripe PaymentIntents, for any purpose: a workspace's one-off charge
today, the shop's orders later. A purpose registers what happens when its payments succeed,
fail or are refunded; this module never needs to know what an order is.

    register_purpose("order", on_succeeded=mark_order_paid, on_failed=release_stock)
    payment, secret = create_payment(payer=user, amount=4200, currency="usd",
                                     purpose="order", reference=str(order.pk))
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.core.errors import ApplicationError

from .. import stripe_gateway
from ..models import Payment, Refund
from ._stripe_data import when
from .customers import workspace_customer
from .notices import notify_owners

logger = logging.getLogger(__name__)

WORKSPACE_CHARGE = "workspace_charge"
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


@dataclass(frozen=True)
class Purpose:
    on_succeeded: Callable[[Payment], None] | None = None
    on_failed: Callable[[Payment], None] | None = None
    on_refunded: Callable[[Payment], None] | None = None


PURPOSES: dict[str, Purpose] = {WORKSPACE_CHARGE: Purpose()}


def register_purpose(name: str, **hooks) -> None:
    PURPOSES[name] = Purpose(**hooks)


def create_payment(
    *,
    payer,
    amount: int,
    currency: str,
    purpose: str,
    reference: str = "",
    description: str = "",
    workspace=None,
    stripe_customer_id: str | None = None,
) -> tuple[Payment, str]:
    """Open a PaymentIntent; answer our row and the client secret the payer confirms with."""
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown payment purpose {purpose!r}; register it first.")
    if workspace is not None and stripe_customer_id is None:
        stripe_customer_id = workspace_customer(
            workspace=workspace, email=payer.email
        ).stripe_customer_id
    params = {
        "amount": amount,
        "currency": currency,
        "description": description,
        "automatic_payment_methods": {"enabled": True},
        "metadata": {
            "purpose": purpose,
            "reference": reference,
            "workspace_id": str(workspace.pk) if workspace else "",
            "payer_id": str(payer.pk),
        },
    }
    if stripe_customer_id:
        params["customer"] = stripe_customer_id
    intent = stripe_gateway.call(lambda stripe: stripe.v1.payment_intents.create(params)).to_dict()
    with transaction.atomic():
        payment = Payment.objects.create(
            workspace=workspace,
            payer=payer,
            purpose=purpose,
            reference=reference,
            description=description,
            amount=amount,
            currency=currency,
            status=intent["status"],
            stripe_payment_intent_id=intent["id"],
            synced_at=timezone.now(),
        )
        if workspace is not None:
            record_activity(
                workspace_id=workspace.pk,
                actor=payer,
                verb=Verb.PAYMENT_CREATED,
                target=payment,
                changes={"amount": [None, amount], "currency": [None, currency]},
            )
    return payment, intent["client_secret"]


@transaction.atomic
def refresh_payment(
    stripe_payment_intent_id: str, *, event_id: str = ""
) -> tuple[Payment | None, bool]:
    """Re-read one PaymentIntent from Stripe and mirror it. The payment row is locked first,
    so two deliveries racing each other cannot write an older read over a newer one."""
    Payment.objects.select_for_update().filter(
        stripe_payment_intent_id=stripe_payment_intent_id
    ).values_list("pk").first()
    data = stripe_gateway.call(
        lambda stripe: stripe.v1.payment_intents.retrieve(
            stripe_payment_intent_id, {"expand": ["latest_charge"]}
        )
    ).to_dict()
    return sync_payment(data=data, event_id=event_id)


@transaction.atomic
def sync_payment(*, data: dict, event_id: str = "") -> tuple[Payment | None, bool]:
    """Mirror a PaymentIntent; run its purpose's hooks on the transitions, once each."""
    payment = (
        Payment.objects.select_for_update().filter(stripe_payment_intent_id=data["id"]).first()
    )
    if payment is None:
        # Not opened through us (a Checkout session's own intent, a dashboard charge).
        logger.info("ignoring payment intent %s that we did not create", data["id"])
        return None, False
    before = (payment.status, payment.amount_refunded, payment.failure_code)
    error = data.get("last_payment_error") or {}
    charge = data.get("latest_charge")
    payment.status = data["status"]
    payment.failure_code = (error.get("decline_code") or error.get("code") or "")[:64]
    payment.failure_message = (error.get("message") or "")[:255]
    if isinstance(charge, dict):
        payment.amount_refunded = min(charge.get("amount_refunded") or 0, payment.amount)
    if payment.status == Payment.Status.SUCCEEDED and payment.paid_at is None:
        payment.paid_at = when((charge or {}).get("created")) if isinstance(charge, dict) else None
        payment.paid_at = payment.paid_at or timezone.now()
    payment.synced_at = timezone.now()
    payment.save()
    purpose = PURPOSES.get(payment.purpose, Purpose())
    succeeded_now = payment.status == Payment.Status.SUCCEEDED and before[0] != payment.status
    failed_now = bool(payment.failure_code) and payment.failure_code != before[2]
    refunded_more = payment.amount_refunded > before[1]
    if succeeded_now:
        _record(payment, Verb.PAYMENT_SUCCEEDED, {"status": [before[0], payment.status]})
        if purpose.on_succeeded:
            purpose.on_succeeded(payment)
    if failed_now:
        _record(payment, Verb.PAYMENT_FAILED, {"failureCode": [before[2], payment.failure_code]})
        if payment.workspace_id:
            notify_owners(
                workspace_id=payment.workspace_id,
                kind="payment_failed",
                key=f"payment-failed:{payment.stripe_payment_intent_id}:"
                f"{event_id or payment.failure_code}",
                context={
                    "what": payment.description or "a payment",
                    "amount": payment.amount,
                    "currency": payment.currency,
                    "reason": payment.failure_message,
                },
            )
        if purpose.on_failed:
            purpose.on_failed(payment)
    if refunded_more and purpose.on_refunded:
        purpose.on_refunded(payment)
    return payment, (before != (payment.status, payment.amount_refunded, payment.failure_code))


def _record(payment: Payment, verb: Verb, changes: dict, actor=None) -> None:
    if payment.workspace_id:
        record_activity(
            workspace_id=payment.workspace_id,
            actor=actor,
            verb=verb,
            target=payment,
            changes=changes,
        )


@transaction.atomic
def refund_payment(
    *, payment: Payment, actor, amount: int | None = None, reason: str = ""
) -> Refund:
    """Refund all or part of a succeeded payment. The payment row stays locked during the
    Stripe call, so two refunds at once cannot together exceed what was paid."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.SUCCEEDED:
        raise ApplicationError(
            f"Only a succeeded payment can be refunded; this one is {payment.status}.",
            code="PAYMENT_NOT_REFUNDABLE",
            status_code=409,
        )
    pending = (
        payment.refunds.filter(
            status__in=[Refund.Status.PENDING, Refund.Status.REQUIRES_ACTION]
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    left = payment.amount - payment.amount_refunded - pending
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise ApplicationError(
            "The refund is more than what is left to refund."
            if amount > 0
            else "Nothing is left to refund.",
            code="REFUND_EXCEEDS_PAYMENT",
            details=[{"field": "amount", "message": f"At most {left} can be refunded."}],
        )
    params = {
        "payment_intent": payment.stripe_payment_intent_id,
        "amount": amount,
        "metadata": {"payment_id": str(payment.pk), "actor_id": str(getattr(actor, "pk", ""))},
    }
    if reason:
        params["reason"] = reason
    created = stripe_gateway.call(lambda stripe: stripe.v1.refunds.create(params)).to_dict()
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason,
        status=created["status"],
        stripe_refund_id=created["id"],
        created_by=actor,
    )
    if refund.status == Refund.Status.SUCCEEDED:
        payment.amount_refunded = min(payment.amount, payment.amount_refunded + amount)
        payment.save(update_fields=["amount_refunded", "updated_at"])
    _record(
        payment,
        Verb.REFUND_CREATED,
        {"amount": [None, amount], "amountRefunded": [None, payment.amount_refunded]},
        actor=actor,
    )
    return refund
