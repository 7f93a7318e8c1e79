"""Billing notices to a workspace's owners, through the notifications app.

The notice row, unique by key, is written first: a replayed or duplicated event (or a forced
replay from the admin) finds it and tells nobody again, and the caller records its activity
event once, whatever the owners' preferences (with both channels off, `notify` leaves no row
that could say so). Each owner is then told with `notify` under `billing:<key>`, in the app
and by email as their preferences for failed payments say.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.notifications.kinds import Kind
from apps.notifications.selectors import preferences_for_users
from apps.notifications.services import notify
from apps.workspaces.models import Membership, Workspace
from apps.workspaces.roles import Role

from ..emails import billing_path, payment_failed_context
from ..models import BillingNotice

PAYMENT_FAILED = "payment_failed"


def notify_owners(*, workspace_id, kind: str, key: str, context: dict) -> BillingNotice | None:
    """Tell the owners once per `key`; None when this key was told before."""
    if kind != PAYMENT_FAILED:
        raise ValueError(f"Not a billing notice kind: {kind}")
    try:
        with transaction.atomic():
            notice = BillingNotice.objects.create(
                key=key,
                workspace_id=workspace_id,
                kind=kind,
                context=context,
                # When the owners were told; their emails leave after the commit.
                sent_at=timezone.now(),
            )
    except IntegrityError:
        return None
    workspace = Workspace.objects.get(pk=workspace_id)
    owners = [
        membership.user
        for membership in Membership.objects.filter(
            workspace_id=workspace_id, role=Role.OWNER, user__is_active=True
        ).select_related("user")
    ]
    preferences = preferences_for_users(owner.pk for owner in owners)
    email_context = payment_failed_context(workspace=workspace, facts=context)
    what, amount = email_context["what"], email_context["amount"]
    body = f"{what[:1].upper()}{what[1:]}, {amount}. {email_context['reason']}".strip()
    for owner in owners:
        notify(
            user=owner,
            kind=Kind.PAYMENT_FAILED,
            title=f"Payment failed for {workspace.name}",
            body=body,
            link=billing_path(),
            email_template="payment_failed",
            context=email_context,
            key=f"billing:{key}",
            preferences=preferences[owner.pk],
        )
    return notice
