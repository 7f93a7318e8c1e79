from celery import shared_task

from . import services


@shared_task(acks_late=True)
def stop_stale_timers() -> int:
    return services.stop_stale_timers()
