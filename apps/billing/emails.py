"""The email that tells a workspace's owners a payment failed. The notice row is claimed
before sending, so a duplicate task delivery sends nothing; a failed send gives it back."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.workspaces.models import Membership
from apps.workspaces.roles import Role

from .models import BillingNotice


def send_billing_notice(*, notice_id: str) -> bool:
    claimed = BillingNotice.objects.filter(pk=notice_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    notice = BillingNotice.objects.select_related("workspace").get(pk=notice_id)
    owners = list(
        Membership.objects.filter(workspace=notice.workspace, role=Role.OWNER)
        .select_related("user")
        .values_list("user__email", flat=True)
    )
    if not owners:
        return False
    amount = notice.context.get("amount") or 0
    context = {
        "workspace": notice.workspace,
        "what": notice.context.get("what", "a payment"),
        "amount": f"{amount / 100:.2f} {str(notice.context.get('currency', '')).upper()}",
        "reason": notice.context.get("reason", ""),
        "invoice_url": notice.context.get("url", ""),
        "billing_url": settings.SITE_URL.rstrip("/") + reverse("dashboard-billing"),
        "site_name": settings.APP_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"Payment failed for {notice.workspace.name}",
        body=render_to_string("emails/payment_failed.txt", context),
        to=owners,
    )
    message.attach_alternative(render_to_string("emails/payment_failed.html", context), "text/html")
    try:
        message.send()
    except Exception:
        BillingNotice.objects.filter(pk=notice_id).update(sent_at=None)
        raise
    return True
