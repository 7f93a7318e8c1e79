"""Billing emails to a workspace's owners. A notice row with a unique key is written before the
email goes out, so a replayed or duplicated event sends nothing twice."""

from django.db import IntegrityError, transaction

from ..models import BillingNotice


def notify_owners(*, workspace_id, kind: str, key: str, context: dict) -> BillingNotice | None:
    try:
        with transaction.atomic():
            notice = BillingNotice.objects.create(
                key=key, workspace_id=workspace_id, kind=kind, context=context
            )
    except IntegrityError:
        return None
    from ..tasks import send_billing_notice

    transaction.on_commit(lambda: send_billing_notice.delay(str(notice.pk)))
    return notice
