from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import emails


@shared_task(
    acks_late=True,
    autoretry_for=(AnymailAPIError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_invite_email(invite_id: str, send_number: int) -> bool:
    """Send the invite email numbered `send_number` once, however often the task is delivered."""
    return emails.send_invite_email(invite_id=invite_id, send_number=send_number)
