"""Asking for a summary, and making one.

`request_summary` answers the cached summary when the material has not changed (no quota, no
provider). Otherwise, under the workspace row's lock (the one billing's `spend` takes), it
checks the cache again, joins a job already making this summary, or spends one unit of the
plan's AI quota and creates a job: parallel requests take that step one at a time, so they
cannot overdraw the quota or pay twice for one summary. The provider is called after that
transaction commits, never under the lock: inline for the offline provider (200 with the
summary), on the `ai` queue for Gemini (202 with the job). A job that fails gives its unit
back; only a summary made is paid for.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.billing.entitlements import Feature, Quota, release, require_feature, spend
from apps.core.errors import ApplicationError
from apps.crm.models import Client, Project
from apps.workspaces.models import Workspace

from .material import Material, material_for
from .models import Summary, SummaryJob, TargetType
from .providers import (
    PROVIDER_UNAVAILABLE,
    ProviderError,
    ProviderUnavailable,
    SummaryProvider,
    api_error,
    get_provider,
)

logger = logging.getLogger(__name__)

# A job untouched for this long died with its worker or its request: it is failed and its
# unit given back, so it holds neither the quota nor the next request for the same material.
STALE_AFTER = timedelta(minutes=30)
# A running job younger than this is its worker's; a duplicate delivery of the task leaves it.
LEASE = timedelta(minutes=10)
STALE_MESSAGE = "The summary was not finished in time; ask again."
TARGET_DELETED = "TARGET_DELETED"

Status = SummaryJob.Status


@dataclass(frozen=True)
class SummaryRequest:
    """What a request got: a summary (cached or just made), or a job to poll."""

    summary: Summary | None = None
    job: SummaryJob | None = None
    cached: bool = False


def _of(target: Client | Project) -> dict:
    return {"project": target} if isinstance(target, Project) else {"client": target}


def _cached(target, content_hash: str) -> Summary | None:
    return Summary.objects.filter(**_of(target), content_hash=content_hash).first()


def _lock_workspace(workspace_id) -> None:
    Workspace.objects.select_for_update().filter(pk=workspace_id).values_list("pk").first()


def request_summary(*, target: Client | Project, actor) -> SummaryRequest:
    """The summary of the target's current material: cached, made now, or a job making it."""
    provider = get_provider()
    material = material_for(target)
    content_hash = material.digest(provider.key)
    if summary := _cached(target, content_hash):
        return SummaryRequest(summary=summary, cached=True)
    require_feature(workspace=target.workspace, feature=Feature.AI_SUMMARIES)
    with transaction.atomic():
        _lock_workspace(target.workspace_id)
        if summary := _cached(target, content_hash):
            return SummaryRequest(summary=summary, cached=True)
        active = SummaryJob.objects.filter(
            **_of(target), content_hash=content_hash, status__in=SummaryJob.ACTIVE
        ).first()
        if active is not None:
            if active.updated_at > timezone.now() - STALE_AFTER:
                return SummaryRequest(job=active)
            _fail(active, code=PROVIDER_UNAVAILABLE, message=STALE_MESSAGE)
        job = _accept(
            target=target,
            actor=actor,
            material=material,
            content_hash=content_hash,
            provider=provider,
        )
    if not provider.inline:
        # With eager Celery (no broker) the task has already run by now.
        job.refresh_from_db()
        return SummaryRequest(job=job)
    job = _attempt(job, provider=provider, material=material, final_attempt=True)
    if job.status == Status.FAILED:
        raise api_error(job.error_code, job.error)
    return SummaryRequest(summary=job.summary, job=job)


def _accept(*, target, actor, material: Material, content_hash: str, provider) -> SummaryJob:
    job = SummaryJob(
        workspace_id=target.workspace_id,
        target_type=TargetType.PROJECT if isinstance(target, Project) else TargetType.CLIENT,
        content_hash=content_hash,
        material=material.snapshot(),
        provider=provider.name,
        model=provider.model,
        requested_by=actor,
        **_of(target),
    )
    spend(
        workspace=target.workspace,
        quota=Quota.AI_SUMMARIES,
        actor=actor,
        reference=job.quota_reference,
    )
    if provider.inline:
        job.status, job.attempts, job.started_at = Status.RUNNING, 1, timezone.now()
    job.save(force_insert=True)
    if not provider.inline:
        from .tasks import make_summary

        transaction.on_commit(partial(make_summary.delay, str(job.pk)))
    return job


def run_summary_job(*, job_id, final_attempt: bool = True) -> str:
    """Make the job's summary (the task's work); answer the job's status afterwards.

    A job that is finished, or running under another worker's lease, is left alone, so a
    task delivered twice calls the provider once. When the provider is unavailable and this
    is not the final attempt, the job goes back to `queued` and ProviderUnavailable is raised
    for the task to retry later; otherwise the job fails and its unit is released."""
    job = _claim(job_id)
    if job is None:
        return (
            SummaryJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
            or "missing"
        )
    if job.project_id is None and job.client_id is None:
        noun = job.get_target_type_display().lower()
        message = f"The {noun} was deleted before its summary was made."
        return _fail(job, code=TARGET_DELETED, message=message).status
    try:
        provider = get_provider(job.provider, model=job.model or None)
    except ApplicationError as error:
        return _fail(job, code=error.code, message=error.message).status
    material = Material.from_snapshot(job.material)
    return _attempt(job, provider=provider, material=material, final_attempt=final_attempt).status


def _claim(job_id) -> SummaryJob | None:
    now = timezone.now()
    with transaction.atomic():
        job = SummaryJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_active:
            return None
        if job.status == Status.RUNNING and job.updated_at > now - LEASE:
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
        return job


def _attempt(
    job: SummaryJob, *, provider: SummaryProvider, material: Material, final_attempt: bool
) -> SummaryJob:
    try:
        text = provider.summarize(material)
    except ProviderUnavailable as error:
        if not final_attempt:
            _requeue(job, error)
            raise
        return _fail(job, code=error.code, message=error.message)
    except ProviderError as error:
        return _fail(job, code=error.code, message=error.message)
    return _succeed(job, text)


def _requeue(job: SummaryJob, error: ProviderError) -> None:
    SummaryJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.QUEUED,
        error_code=error.code,
        error=f"{error.message} Trying again shortly.",
        updated_at=timezone.now(),
    )


@transaction.atomic
def _fail(job: SummaryJob, *, code: str, message: str, untouched_since=None) -> SummaryJob:
    """Fail an active job and give its unit back; a settled job is answered as it is."""
    job = SummaryJob.objects.select_for_update().get(pk=job.pk)
    if not job.is_active or (untouched_since and job.updated_at >= untouched_since):
        return job
    job.status = Status.FAILED
    job.error_code = code
    job.error = message
    job.finished_at = timezone.now()
    job.material = {}
    job.save(
        update_fields=["status", "error_code", "error", "finished_at", "material", "updated_at"]
    )
    release(workspace=job.workspace, quota=Quota.AI_SUMMARIES, reference=job.quota_reference)
    logger.info("ai summary job %s failed: %s %s", job.pk, code, message)
    return job


@transaction.atomic
def _succeed(job: SummaryJob, text: str) -> SummaryJob:
    job = (
        SummaryJob.objects.select_for_update(of=("self",))
        .select_related("client", "project", "requested_by")
        .get(pk=job.pk)
    )
    if job.status != Status.RUNNING:
        # Failed as stale while the provider worked: its unit went back, so no summary.
        logger.warning("ai summary job %s finished after it was failed; discarded", job.pk)
        return job
    target = job.target
    if target is None:
        noun = job.get_target_type_display().lower()
        return _fail(
            job, code=TARGET_DELETED, message=f"The {noun} was deleted before its summary was made."
        )
    summary, created = Summary.objects.get_or_create(
        **_of(target),
        content_hash=job.content_hash,
        defaults={
            "workspace_id": job.workspace_id,
            "text": text,
            "provider": job.provider,
            "model": job.model,
            "created_by": job.requested_by,
        },
    )
    if created:
        record_activity(
            workspace_id=job.workspace_id,
            actor=job.requested_by,
            verb=Verb.AI_SUMMARY_CREATED,
            target=summary,
            changes={"provider": job.provider, "model": job.model},
        )
    else:
        # Another job made this very summary meanwhile: nothing new, so nothing to pay for.
        release(workspace=job.workspace, quota=Quota.AI_SUMMARIES, reference=job.quota_reference)
    job.status = Status.SUCCEEDED
    job.summary = summary
    job.error_code = job.error = ""
    job.finished_at = timezone.now()
    job.material = {}
    job.save(
        update_fields=[
            "status",
            "summary",
            "error_code",
            "error",
            "finished_at",
            "material",
            "updated_at",
        ]
    )
    return job


def fail_stale_jobs() -> int:
    """Fail the jobs nobody has touched for STALE_AFTER (their worker or request died), giving
    their units back; answer how many."""
    cutoff = timezone.now() - STALE_AFTER
    failed = 0
    stale = SummaryJob.objects.filter(status__in=SummaryJob.ACTIVE, updated_at__lt=cutoff)
    for job in stale.only("pk").iterator():
        job = _fail(job, code=PROVIDER_UNAVAILABLE, message=STALE_MESSAGE, untouched_since=cutoff)
        failed += job.status == Status.FAILED
    return failed
