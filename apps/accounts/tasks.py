from celery import shared_task

from . import sessions


@shared_task
def purge_expired_sessions() -> int:
    return sessions.purge_expired_sessions()
