"""Email: a pair of templates (HTML and text) rendered when the email is queued, stored under a
unique key, and sent by a Celery task after the transaction commits.

Idempotent at both ends. The row's unique key is written in the caller's transaction, so a job
that runs twice queues one email; the task claims the row (pending → sent) before it sends, so a
task delivered twice sends once. A send that fails with a provider or network error gives the
claim back, and the task's retry sends it; other failures (an address the provider refuses)
fail the row at once. Rendering happens at queue time so that callers may pass model instances
and the email says what was true when it was queued.
"""

import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from anymail.exceptions import AnymailAPIError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)

# Sends before a row is failed: the first try and the task's retries.
MAX_ATTEMPTS = 6
# Errors worth a retry; anything else fails the row at once.
RETRYABLE = (AnymailAPIError, OSError)
# Where every email's "change what we send you" link points.
PREFERENCES_URL_NAME = "dashboard-notification-preferences"


@dataclass(frozen=True)
class Template:
    name: str
    # Context keys the template needs beyond the common ones (`common_context`).
    needs: tuple[str, ...] = ()


TEMPLATES: dict[str, Template] = {
    template.name: template
    for template in (
        # Any notification: title, body and link from `notify`.
        Template("notification"),
        Template("welcome"),
        # items: [{kind ("milestone"|"project"), title, project, client, due_date (date),
        # days_left (int), url}]; window_days: the user's reminder window.
        Template("deadline_reminder", ("items", "window_days")),
        # period_start, period_end (dates); stats: [{label, value}];
        # sections: [{title, items: [{title, detail?, url?}]}].
        Template("weekly_summary", ("period_start", "period_end", "stats", "sections")),
        # Written with the workspaces and billing apps; listed so they can be queued here.
        Template("invite", ("invite", "workspace", "inviter", "accept_url")),
        Template(
            "payment_failed",
            ("workspace", "what", "amount", "reason", "invoice_url", "billing_url"),
        ),
    )
}


def user_key(user_id, key: str) -> str:
    """The email key of `notify(user=..., key=key)`: keys are per user."""
    return f"user:{user_id}:{key}"


def absolute_url(link: str) -> str:
    """A path in this site made absolute for an email; other values as they are."""
    if link.startswith("/") and not link.startswith("//"):
        return settings.SITE_URL.rstrip("/") + link
    return link


def preferences_url() -> str:
    try:
        path = reverse(PREFERENCES_URL_NAME)
    except NoReverseMatch:
        path = reverse("dashboard")
    return absolute_url(path)


def common_context() -> dict:
    return {
        "site_name": settings.APP_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": preferences_url(),
    }


def render_email(template: str, context: dict, *, user=None) -> tuple[str, str]:
    """(text, html) of a declared template, with dates in the user's time zone. The templates
    are English only, so the language stays the site's (a French user would otherwise get
    French month names in English sentences)."""
    declared = TEMPLATES.get(template)
    if declared is None:
        raise ValueError(f"Not a declared email template: {template}")
    missing = [key for key in declared.needs if key not in context]
    if missing:
        raise ValueError(f"The {template} email needs {', '.join(missing)} in its context")
    context = {**common_context(), **context}
    with timezone.override(_zone_of(user)):
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return text, html


def _zone_of(user):
    try:
        return zoneinfo.ZoneInfo(getattr(user, "timezone", None) or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def queue_email(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    key: str | None = None,
    user=None,
    kind: str = "",
) -> EmailDelivery | None:
    """Render the email and store it under `key`; the task sends it after commit.

    None when an email with this key was queued before (nothing is sent twice). Without a key
    every call queues a new email. For someone without an account (an invite to a new
    address), pass no `user`; for users, prefer `services.notify`, which honours their
    preferences.
    """
    text, html = render_email(template, context, user=user)
    key = key or f"email:{uuid.uuid4().hex}"
    try:
        with transaction.atomic():
            delivery = EmailDelivery.objects.create(
                key=key,
                user=user,
                to=to,
                kind=kind,
                template=template,
                subject=" ".join(subject.split())[:255],
                text_body=text,
                html_body=html,
            )
    except IntegrityError:
        if EmailDelivery.objects.filter(key=key).exists():
            return None
        raise
    _send_on_commit(delivery.pk)
    return delivery


def _send_on_commit(delivery_id) -> None:
    from .tasks import send_email

    # robust: the rows are committed; a broker that is down must not fail the request. The
    # row stays pending and `requeue_stale_emails` sends it later.
    transaction.on_commit(lambda: send_email.delay(str(delivery_id)), robust=True)


def deliver_email(*, delivery_id) -> bool:
    """Send one queued email unless it was claimed already. True when this call sent it."""
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, status=EmailDelivery.Status.PENDING
    ).update(
        status=EmailDelivery.Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    message = EmailMultiAlternatives(
        subject=delivery.subject, body=delivery.text_body, to=[delivery.to]
    )
    message.attach_alternative(delivery.html_body, "text/html")
    try:
        message.send()
    except Exception as exc:
        _give_back(delivery, exc)
        raise
    status = getattr(message, "anymail_status", None)
    if status is not None and status.message_id is not None:
        EmailDelivery.objects.filter(pk=delivery_id).update(
            provider_message_id=str(status.message_id)[:255]
        )
    return True


def _give_back(delivery: EmailDelivery, exc: Exception) -> None:
    retry = isinstance(exc, RETRYABLE) and delivery.attempts < MAX_ATTEMPTS
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=EmailDelivery.Status.PENDING if retry else EmailDelivery.Status.FAILED,
        sent_at=None,
        last_error=f"{type(exc).__name__}: {exc}"[:1000],
        updated_at=timezone.now(),
    )
    logger.warning(
        "Email %s to %s failed (attempt %s, %s)",
        delivery.key,
        delivery.to,
        delivery.attempts,
        "will retry" if retry else "given up",
    )


def requeue_stale_emails(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Queue again the emails still pending after `older_than`: their task was lost (the
    broker was down at commit, a worker died). A task still on its way finds them claimed."""
    stale = EmailDelivery.objects.filter(
        status=EmailDelivery.Status.PENDING,
        created_at__lt=timezone.now() - older_than,
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in stale.iterator():
        _send_on_commit(delivery_id)
        count += 1
    return count


@transaction.atomic
def requeue_failed_email(*, delivery: EmailDelivery, actor) -> bool:
    """Staff send a failed email again (the address was fixed, the provider recovered)."""
    requeued = EmailDelivery.objects.filter(
        pk=delivery.pk, status=EmailDelivery.Status.FAILED
    ).update(status=EmailDelivery.Status.PENDING, attempts=0, updated_at=timezone.now())
    if requeued:
        logger.info("Email %s requeued by %s", delivery.key, getattr(actor, "pk", None))
        _send_on_commit(delivery.pk)
    return bool(requeued)
