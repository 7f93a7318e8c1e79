"""The invite email, sent through the notifications app.

An address that belongs to an account is told as that user (in the app and by email, as their
preferences for invites say); any other address gets the email alone. Either way the email is
queued in the caller's transaction under the key `invite:<invite>:<send number>` and leaves
after the commit, so a send is emailed once however often its task is delivered, a failed send
is retried by that task, and a resend (a new number) is a new email. Closing the invite
withdraws what has not left yet.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.notifications import emails as notification_emails
from apps.notifications.kinds import Kind
from apps.notifications.models import EmailDelivery
from apps.notifications.services import notify

from .models import Invite


def queue_invite_email(*, invite: Invite, token: str, send_number: int) -> None:
    accept_path = reverse("dashboard-invite", args=[token])
    inviter = invite.invited_by.display_name if invite.invited_by else "Someone"
    workspace = invite.workspace
    subject = f"{inviter} invited you to {workspace.name}"
    context = {
        "invite": invite,
        "workspace": workspace,
        "inviter": inviter,
        "accept_url": notification_emails.absolute_url(accept_path),
        "site_name": settings.APP_NAME,
    }
    key = f"invite:{invite.pk}:{send_number}"
    invitee = get_user_model().objects.filter(email__iexact=invite.email).first()
    if invitee is not None:
        notify(
            user=invitee,
            kind=Kind.INVITE,
            title=subject,
            body=f"Join {workspace.name} as {invite.get_role_display().lower()}.",
            data={"inviteId": str(invite.pk), "workspaceId": str(workspace.pk)},
            link=accept_path,
            email_template="invite",
            context=context,
            key=key,
        )
    else:
        notification_emails.queue_email(
            to=invite.email,
            subject=subject,
            template="invite",
            context=context,
            key=key,
            kind=Kind.INVITE,
        )


def withdraw_invite_emails(*, invite: Invite) -> int:
    """Drop the invite's emails that have not left yet: once it is accepted, declined or
    revoked, a late email (a task still queued, a retry after a failed send) would only
    mislead. An email already claimed by its task goes out. Answers how many were dropped."""
    sent = [f"invite:{invite.pk}:{number}" for number in range(1, invite.sent_count + 1)]
    # The address may have had an account for some sends and not for others.
    accounts = get_user_model().objects.filter(email__iexact=invite.email)
    keys = sent + [
        notification_emails.user_key(user_id, key)
        for user_id in accounts.values_list("pk", flat=True)
        for key in sent
    ]
    deleted, _ = EmailDelivery.objects.filter(
        key__in=keys, status=EmailDelivery.Status.PENDING
    ).delete()
    return deleted
