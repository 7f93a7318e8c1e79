"""What the payment-failed email says, from the facts a billing notice keeps."""

from django.conf import settings
from django.urls import reverse

from apps.notifications.emails import absolute_url


def billing_path() -> str:
    return reverse("dashboard-billing")


def payment_failed_context(*, workspace, facts: dict) -> dict:
    """`facts`: what, amount (minor units), currency, reason and url (the invoice), each
    optional."""
    amount = facts.get("amount") or 0
    return {
        "workspace": workspace,
        "what": facts.get("what") or "a payment",
        "amount": f"{amount / 100:.2f} {str(facts.get('currency', '')).upper()}".strip(),
        "reason": facts.get("reason") or "",
        "invoice_url": facts.get("url") or "",
        "billing_url": absolute_url(billing_path()),
        "site_name": settings.APP_NAME,
    }
