"""The invite email. Claiming the send number before sending makes duplicate deliveries of
the task a no-op; a send that fails gives the claim back, so the task's retry sends it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invite


def send_invite_email(*, invite_id: str, send_number: int) -> bool:
    from .services import invite_token

    claimed = Invite.objects.filter(
        pk=invite_id, status=Invite.Status.PENDING, sent_count=send_number - 1
    ).update(sent_count=F("sent_count") + 1, last_sent_at=timezone.now())
    if not claimed:
        return False
    invite = Invite.objects.select_related("workspace", "invited_by").get(pk=invite_id)
    context = {
        "invite": invite,
        "workspace": invite.workspace,
        "inviter": invite.invited_by.display_name if invite.invited_by else "Someone",
        "accept_url": settings.SITE_URL.rstrip("/")
        + reverse("dashboard-invite", args=[invite_token(invite)]),
        "site_name": settings.APP_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"{context['inviter']} invited you to {invite.workspace.name}",
        body=render_to_string("emails/invite.txt", context),
        to=[invite.email],
    )
    message.attach_alternative(render_to_string("emails/invite.html", context), "text/html")
    try:
        message.send()
    except Exception:
        # Give the claim back so the task's retry can send it; then let the retry happen.
        Invite.objects.filter(pk=invite_id, sent_count=send_number).update(
            sent_count=send_number - 1
        )
        raise
    return True
