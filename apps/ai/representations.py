"""The JSON shapes of summaries and jobs (snake_case here; camelCase at the edge)."""

from django.urls import reverse

from .models import Summary, SummaryJob


def summary_data(summary: Summary, *, cached: bool | None = None) -> dict:
    data = {
        "id": summary.pk,
        "target": {
            "type": summary.target_type,
            "id": summary.project_id or summary.client_id,
            "name": str(summary.target),
        },
        "text": summary.text,
        "provider": summary.provider,
        "model": summary.model,
        "content_hash": summary.content_hash,
        "created_by_id": summary.created_by_id,
        "created_at": summary.created_at,
    }
    if cached is not None:
        data["cached"] = cached
    return data


def job_data(job: SummaryJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "poll_url": reverse("ai-job", kwargs={"pk": job.pk}),
        "target": {"type": job.target_type, "id": job.project_id or job.client_id},
        "provider": job.provider,
        "model": job.model,
        "attempts": job.attempts,
        "error": {"code": job.error_code, "message": job.error} if job.error else None,
        "summary": summary_data(job.summary) if job.summary_id else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
