"""Subscriptions: started through Stripe (Checkout or the API), changed through Stripe, and
mirrored back by `refresh_subscription`, which re-reads Stripe rather than trusting an event's
copy. So events arriving twice, late or out of order all converge on Stripe's current state."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.core.errors import ApplicationError

from .. import stripe_gateway
from ..models import Plan, Subscription
from ._stripe_data import first_item, object_id, when
from .customers import lock_billing_of_customer, workspace_customer, workspace_of_customer

logger = logging.getLogger(__name__)


class UnknownStripeData(Exception):
    """Stripe told us of something we cannot place (a price no plan has, a stranger's customer)."""


def purchasable_plan(code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise ApplicationError(
            "There is no plan with this code.",
            details=[{"field": "plan", "message": f"Unknown plan {code!r}."}],
        )
    if not plan.stripe_price_id:
        raise ApplicationError(
            f"The {plan.name} plan cannot be bought; it is "
            + ("the default." if plan.is_free else "not on sale."),
            code="PLAN_NOT_PURCHASABLE",
            details=[{"field": "plan", "message": "Choose a paid plan."}],
        )
    return plan


def live_subscription(workspace_id) -> Subscription | None:
    return (
        Subscription.objects.filter(workspace_id=workspace_id, status__in=Subscription.LIVE)
        .select_related("plan")
        .first()
    )


def _refuse_second_subscription(workspace) -> None:
    existing = live_subscription(workspace.pk)
    if existing is not None:
        raise ApplicationError(
            f"This workspace is subscribed to {existing.plan.name} already; change the plan "
            "instead (PUT subscriptions/:id).",
            code="ALREADY_SUBSCRIBED",
            status_code=409,
        )


def _return_url(outcome: str) -> str:
    base = settings.BILLING_RETURN_URL
    return f"{base}{'&' if '?' in base else '?'}checkout={outcome}"


def _trial_days(workspace, plan: Plan) -> int:
    # One trial per workspace.
    return 0 if Subscription.objects.filter(workspace=workspace).exists() else plan.trial_days


def start_checkout(*, workspace, actor, plan_code: str) -> dict:
    """A Stripe Checkout session to subscribe; the webhook makes the subscription real."""
    _refuse_second_subscription(workspace)
    plan = purchasable_plan(plan_code)
    customer = workspace_customer(workspace=workspace, email=actor.email)
    subscription_data = {"metadata": {"workspace_id": str(workspace.pk), "plan": plan.code}}
    if trial_days := _trial_days(workspace, plan):
        subscription_data["trial_period_days"] = trial_days
    session = stripe_gateway.call(
        lambda stripe: stripe.v1.checkout.sessions.create(
            {
                "mode": "subscription",
                "customer": customer.stripe_customer_id,
                "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
                "success_url": _return_url("success") + "&session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": _return_url("canceled"),
                "client_reference_id": str(workspace.pk),
                "metadata": {"workspace_id": str(workspace.pk)},
                "subscription_data": subscription_data,
            }
        )
    )
    record_activity(
        workspace_id=workspace.pk,
        actor=actor,
        verb=Verb.CHECKOUT_STARTED,
        target=plan,
        changes={"plan": [None, plan.code]},
    )
    return {"id": session.id, "url": session.url, "plan": plan.code}


def open_portal(*, workspace) -> dict:
    """A link to Stripe's customer portal (cards, invoices, cancellation)."""
    from ..models import Customer

    customer = Customer.objects.filter(workspace=workspace).first()
    if customer is None:
        raise ApplicationError(
            "This workspace has no billing account yet; subscribe first.",
            code="NO_BILLING_ACCOUNT",
            status_code=409,
        )
    session = stripe_gateway.call(
        lambda stripe: stripe.v1.billing_portal.sessions.create(
            {"customer": customer.stripe_customer_id, "return_url": settings.BILLING_RETURN_URL}
        )
    )
    return {"url": session.url}


def create_subscription(*, workspace, actor, plan_code: str) -> tuple[Subscription, str | None]:
    """Subscribe through the API; the answer carries the client secret that confirms payment."""
    _refuse_second_subscription(workspace)
    plan = purchasable_plan(plan_code)
    customer = workspace_customer(workspace=workspace, email=actor.email)
    params = {
        "customer": customer.stripe_customer_id,
        "items": [{"price": plan.stripe_price_id}],
        "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "metadata": {"workspace_id": str(workspace.pk), "plan": plan.code},
        "expand": ["latest_invoice.confirmation_secret"],
    }
    if trial_days := _trial_days(workspace, plan):
        params["trial_period_days"] = trial_days
    created = stripe_gateway.call(lambda stripe: stripe.v1.subscriptions.create(params)).to_dict()
    subscription, _ = sync_subscription(data=created, actor=actor)
    invoice = created.get("latest_invoice")
    secret = None
    if isinstance(invoice, dict):
        secret = (invoice.get("confirmation_secret") or {}).get("client_secret")
    return subscription, secret


def change_subscription(
    *, subscription: Subscription, actor, plan_code: str | None, cancel_at_period_end: bool | None
) -> Subscription:
    """Change plan, cancel at the period's end, or resume a pending cancellation."""
    if subscription.status not in Subscription.LIVE:
        raise ApplicationError(
            f"This subscription is {subscription.status}; start a new one instead.",
            code="SUBSCRIPTION_ENDED",
            status_code=409,
        )
    params: dict = {}
    if plan_code is not None:
        plan = purchasable_plan(plan_code)
        if plan.pk != subscription.plan_id:
            current = stripe_gateway.call(
                lambda stripe: stripe.v1.subscriptions.retrieve(subscription.stripe_subscription_id)
            ).to_dict()
            params["items"] = [{"id": first_item(current)["id"], "price": plan.stripe_price_id}]
            params["proration_behavior"] = "create_prorations"
    if cancel_at_period_end is not None and cancel_at_period_end != (
        subscription.cancel_at_period_end
    ):
        params["cancel_at_period_end"] = cancel_at_period_end
    if not params:
        return subscription
    updated = stripe_gateway.call(
        lambda stripe: stripe.v1.subscriptions.update(subscription.stripe_subscription_id, params)
    ).to_dict()
    subscription, _ = sync_subscription(data=updated, actor=actor)
    return subscription


@transaction.atomic
def refresh_subscription(
    stripe_subscription_id: str, *, stripe_customer_id: str | None = None
) -> tuple[Subscription, bool]:
    """Re-read one subscription from Stripe and mirror it, under the workspace's lock."""
    known = (
        Subscription.objects.filter(stripe_subscription_id=stripe_subscription_id)
        .values_list("stripe_customer_id", flat=True)
        .first()
    )
    lock_billing_of_customer(known or stripe_customer_id)
    data = stripe_gateway.call(
        lambda stripe: stripe.v1.subscriptions.retrieve(stripe_subscription_id)
    ).to_dict()
    return sync_subscription(data=data)


def _plan_for_price(price_id: str | None) -> Plan:
    plan = Plan.objects.filter(stripe_price_id=price_id).first() if price_id else None
    if plan is None:
        raise UnknownStripeData(f"No plan has the Stripe price {price_id!r}.")
    return plan


def _workspace_id(data: dict):
    workspace_id = workspace_of_customer(object_id(data.get("customer")))
    if workspace_id is None:
        raise UnknownStripeData(f"Stripe customer {data.get('customer')!r} is not one of ours.")
    return workspace_id


@transaction.atomic
def sync_subscription(*, data: dict, actor=None) -> tuple[Subscription, bool]:
    """Make our row say what Stripe's `data` says; answer the row and whether it changed."""
    workspace_id = _workspace_id(data)
    lock_billing_of_customer(object_id(data["customer"]))
    item = first_item(data)
    fields = {
        "plan": _plan_for_price(object_id(item.get("price"))),
        "status": data["status"],
        "stripe_customer_id": object_id(data["customer"]),
        "current_period_start": when(item.get("current_period_start")),
        "current_period_end": when(item.get("current_period_end")),
        "cancel_at_period_end": bool(data.get("cancel_at_period_end")),
        "canceled_at": when(data.get("canceled_at")),
        "ended_at": when(data.get("ended_at")),
        "trial_end": when(data.get("trial_end")),
    }
    now = timezone.now()
    subscription = (
        Subscription.objects.select_for_update().filter(stripe_subscription_id=data["id"]).first()
    )
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    workspace_id=workspace_id,
                    stripe_subscription_id=data["id"],
                    synced_at=now,
                    **fields,
                )
        except IntegrityError:
            subscription = Subscription.objects.select_for_update().get(
                stripe_subscription_id=data["id"]
            )
        else:
            record_activity(
                workspace_id=workspace_id,
                actor=actor,
                verb=Verb.SUBSCRIPTION_CREATED,
                target=subscription,
                changes={"plan": [None, fields["plan"].code], "status": [None, data["status"]]},
            )
            return subscription, True
    changes, dirty = {}, False
    for field, value in fields.items():
        old = getattr(subscription, field)
        if old != value:
            dirty = True
            shown = (lambda plan: plan.code) if field == "plan" else (lambda v: v)
            if field in ("plan", "status", "cancel_at_period_end", "current_period_end"):
                changes[field] = [shown(old), shown(value)]
            setattr(subscription, field, value)
    subscription.synced_at = now
    subscription.save()
    if changes:
        became_canceled = (
            "status" in changes and subscription.status == Subscription.Status.CANCELED
        )
        record_activity(
            workspace_id=workspace_id,
            actor=actor,
            verb=Verb.SUBSCRIPTION_CANCELED if became_canceled else Verb.SUBSCRIPTION_UPDATED,
            target=subscription,
            changes=changes,
        )
    return subscription, dirty
