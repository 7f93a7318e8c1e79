from celery import shared_task

from . import services
from .providers import ProviderUnavailable


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def make_summary(self, job_id: str) -> str:
    """Make a summary job's summary; answer the job's status.

    Each try already retries Gemini within seconds (google-genai's backoff). A provider still
    down is tried again here, minutes apart, and after the last try the job fails and gives
    its unit back. Run eagerly (the embedded mode, inside the request that asked) there is no
    later: the first try is the last."""
    final = self.request.is_eager or self.request.retries >= self.max_retries
    return services.run_summary_job(job_id=job_id, final_attempt=final)


@shared_task(acks_late=True)
def fail_stale_jobs() -> int:
    """Periodic: fail the jobs whose worker or request died, giving their units back."""
    return services.fail_stale_jobs()
