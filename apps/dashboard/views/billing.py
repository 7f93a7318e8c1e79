"""The billing page: the plan and its usage for everyone in the workspace; subscribing,
switching plans, cancelling, the Stripe portal and the invoices for owners and admins.

Stripe does the paying. The buttons only open its Checkout or portal, or ask it to change the
subscription; our rows change when Stripe's answer (or its webhook) comes back.
"""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from apps.billing import entitlements, services, stripe_gateway
from apps.billing.entitlements import Quota
from apps.billing.models import Customer, Invoice, Payment, Plan, Subscription
from apps.workspaces.roles import Perm

from ..workspace import workspace_page
from .common import Refusal, form_errors, report

INVOICES_SHOWN = 12
PAYMENTS_SHOWN = 12

QUOTA_LABELS = {
    Quota.SEATS: ("Seats", "Members and pending invites."),
    Quota.CLIENTS: ("Active clients", "Archived clients do not count."),
    Quota.AI_SUMMARIES: ("AI summaries", "This calendar month."),
    Quota.STORAGE: ("Storage", "Uploaded files."),
}

# Where Stripe's Checkout sends people back to (`BILLING_RETURN_URL?checkout=...`).
CHECKOUT_OUTCOMES = {
    "success": (
        messages.SUCCESS,
        "Thank you! Your subscription starts as soon as Stripe confirms the payment; "
        "this page shows it within a minute.",
    ),
    "canceled": (messages.INFO, "Checkout was canceled; nothing was charged."),
}

# Badge classes of the stylesheet that carry each state's colour.
_SUBSCRIPTION_BADGES = {
    Subscription.Status.ACTIVE: "active",
    Subscription.Status.TRIALING: "active",
    Subscription.Status.PAST_DUE: "paused",
    Subscription.Status.INCOMPLETE: "paused",
    Subscription.Status.UNPAID: "archived",
    Subscription.Status.PAUSED: "paused",
}
_INVOICE_BADGES = {
    Invoice.Status.PAID: "completed",
    Invoice.Status.OPEN: "planning",
    Invoice.Status.UNCOLLECTIBLE: "archived",
    Invoice.Status.VOID: "archived",
}
# Stripe's currencies without a minor unit: their amounts are already whole units.
_ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)


class PlanChoiceForm(forms.Form):
    plan = forms.SlugField(max_length=32)


class CancelForm(forms.Form):
    """`cancel` ends the subscription when the paid period runs out; `resume` undoes that."""

    action = forms.ChoiceField(choices=[("cancel", "Cancel"), ("resume", "Resume")])


def money(amount: int, currency: str) -> str:
    currency = currency.lower()
    if currency in _ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


def _day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "M j, Y")


def _see_other(url: str) -> HttpResponseRedirect:
    # 303: the browser follows a POST's answer with a GET, as Stripe's pages expect.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _usage_rows(usage) -> list[dict]:
    rows = []
    for item in usage:
        label, hint = QUOTA_LABELS[item.quota]
        rows.append(
            {
                "usage": item,
                "id": f"usage-{item.quota.value.replace('_', '-')}",
                "label": label,
                "hint": hint,
                "bytes": item.quota is Quota.STORAGE,
                "full": item.limit is not None and item.used >= item.limit,
            }
        )
    return rows


def _plan_rows(*, current: Plan, subscribed: bool, may_manage: bool) -> list[dict]:
    """Plans on offer (and the current one, even when it is a private plan), each with the
    button a manager gets: Checkout without a subscription, a plan change with one."""
    plans = Plan.objects.filter(Q(is_public=True) | Q(pk=current.pk))
    rows = []
    for plan in plans:
        is_current = plan.pk == current.pk
        purchasable = bool(plan.stripe_price_id)
        action = "dashboard-billing-change" if subscribed else "dashboard-billing-checkout"
        rows.append(
            {
                "plan": plan,
                "price": (
                    "Free"
                    if plan.price_cents == 0
                    else f"{money(plan.price_cents, plan.currency)} / {plan.interval}"
                ),
                "is_current": is_current,
                "action": action if purchasable and may_manage and not is_current else None,
                "verb": "Upgrade to" if plan.price_cents > current.price_cents else "Switch to",
                # Stripe cannot sell the free plan: leaving a paid one is a cancellation.
                "back_to_free": plan.is_free and subscribed and may_manage and not is_current,
            }
        )
    return rows


def _invoice_rows(workspace) -> tuple[list[dict], bool]:
    """The newest invoices, and whether there are older ones than those shown."""
    invoices = list(
        Invoice.objects.filter(workspace=workspace).order_by("-issued_at")[: INVOICES_SHOWN + 1]
    )
    rows = [
        {
            "invoice": invoice,
            "name": invoice.number or f"of {_day(invoice.issued_at)}",
            "amount": money(invoice.amount_due, invoice.currency),
            "badge": _INVOICE_BADGES.get(invoice.status, ""),
        }
        for invoice in invoices[:INVOICES_SHOWN]
    ]
    return rows, len(invoices) > INVOICES_SHOWN


_PAYMENT_BADGES = {
    Payment.Status.SUCCEEDED: "completed",
    Payment.Status.PROCESSING: "planning",
    Payment.Status.CANCELED: "archived",
}


def _payment_rows(workspace) -> list[dict]:
    """The newest one-off payments, with what was refunded of each."""
    payments = Payment.objects.filter(workspace=workspace).order_by("-created_at")
    return [
        {
            "payment": payment,
            "amount": money(payment.amount, payment.currency),
            "refunded": payment.amount_refunded
            and money(payment.amount_refunded, payment.currency),
            "status": (
                "Refunded"
                if payment.amount_refunded and payment.amount_refunded >= payment.amount
                else payment.get_status_display()
            ),
            "badge": _PAYMENT_BADGES.get(payment.status, "paused"),
        }
        for payment in payments[:PAYMENTS_SHOWN]
    ]


@workspace_page(Perm.BILLING_VIEW)
def billing(request):
    outcome = CHECKOUT_OUTCOMES.get(request.GET.get("checkout", ""))
    if outcome is not None:
        # Drop the query string, so reloading the page does not thank anyone twice.
        messages.add_message(request, *outcome)
        return redirect("dashboard-billing")
    workspace = request.workspace
    plan, usage = entitlements.usage_summary(workspace_id=workspace.pk)
    subscription = services.live_subscription(workspace.pk)
    may_manage = request.membership.can(Perm.BILLING_MANAGE)
    context = {
        "plan": plan,
        "subscription": subscription,
        "subscription_badge": subscription and _SUBSCRIPTION_BADGES.get(subscription.status, ""),
        "usage_rows": _usage_rows(usage),
        "plan_rows": _plan_rows(
            current=subscription.plan if subscription else plan,
            subscribed=subscription is not None,
            may_manage=may_manage,
        ),
        "may_manage": may_manage,
        # Cancelling or resuming makes sense only while the plan is in force.
        "may_cancel": may_manage and subscription is not None and subscription.is_entitled,
        "payments_enabled": stripe_gateway.is_configured(),
    }
    if may_manage:
        context["invoice_rows"], context["more_invoices"] = _invoice_rows(workspace)
        context["payment_rows"] = _payment_rows(workspace)
        context["has_billing_account"] = Customer.objects.filter(workspace=workspace).exists()
    return render(request, "dashboard/billing.html", context)


def _chosen_plan(request) -> str | None:
    form = PlanChoiceForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["plan"]
    messages.error(request, f"Choose a plan. {form_errors(form)}")
    return None


@workspace_page(Perm.BILLING_MANAGE)
@require_POST
def checkout(request):
    plan_code = _chosen_plan(request)
    if plan_code is None:
        return redirect("dashboard-billing")
    try:
        session = services.start_checkout(
            workspace=request.workspace, actor=request.user, plan_code=plan_code
        )
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-billing")
    return _see_other(session["url"])


@workspace_page(Perm.BILLING_MANAGE)
@require_POST
def change(request):
    plan_code = _chosen_plan(request)
    if plan_code is None:
        return redirect("dashboard-billing")
    subscription = services.live_subscription(request.workspace.pk)
    if subscription is None:
        messages.error(request, "This workspace has no subscription to change; subscribe first.")
        return redirect("dashboard-billing")
    try:
        subscription = services.change_subscription(
            subscription=subscription,
            actor=request.user,
            plan_code=plan_code,
            cancel_at_period_end=None,
        )
    except Refusal as error:
        report(request, error)
    else:
        messages.success(
            request,
            f"Switched to {subscription.plan.name}. "
            "Stripe settles the difference on your next invoice.",
        )
    return redirect("dashboard-billing")


@workspace_page(Perm.BILLING_MANAGE)
@require_POST
def cancel(request):
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("dashboard-billing")
    subscription = services.live_subscription(request.workspace.pk)
    if subscription is None:
        messages.error(request, "This workspace has no subscription to cancel or resume.")
        return redirect("dashboard-billing")
    cancelling = form.cleaned_data["action"] == "cancel"
    try:
        subscription = services.change_subscription(
            subscription=subscription,
            actor=request.user,
            plan_code=None,
            cancel_at_period_end=cancelling,
        )
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-billing")
    ends = subscription.current_period_end
    when = f" on {_day(ends)}" if ends else " at the end of the period"
    if cancelling:
        messages.success(
            request,
            f"Your {subscription.plan.name} subscription ends{when}; until then nothing changes.",
        )
    else:
        messages.success(request, f"Your {subscription.plan.name} subscription renews{when}.")
    return redirect("dashboard-billing")


@workspace_page(Perm.BILLING_MANAGE)
@require_POST
def portal(request):
    try:
        link = services.open_portal(workspace=request.workspace)
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-billing")
    return _see_other(link["url"])
