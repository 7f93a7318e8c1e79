from datetime import timedelta

from celery import shared_task

from . import emails


@shared_task(
    acks_late=True,
    autoretry_for=emails.RETRYABLE,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=emails.MAX_ATTEMPTS - 1,
)
def send_email(delivery_id: str) -> bool:
    """Send one queued email, once however often the task is delivered."""
    return emails.deliver_email(delivery_id=delivery_id)


@shared_task(acks_late=True)
def requeue_stale_emails(older_than_minutes: int = 15) -> int:
    """Periodic: queue again the emails whose task was lost."""
    return emails.requeue_stale_emails(older_than=timedelta(minutes=older_than_minutes))


@shared_task(acks_late=True)
def send_deadline_reminders() -> int:
    """Periodic (hourly, so each time zone's day is covered): remind people of what is due."""
    from .reminders import send_deadline_reminders as send

    return len(send().sent)


@shared_task(acks_late=True)
def send_weekly_summaries() -> int:
    """Periodic (hourly): the weekly summary to everyone whose Monday morning it is."""
    from .weekly import send_weekly_summaries as send

    return len(send().sent)
