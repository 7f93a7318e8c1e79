"""The AI summary panel on the client and project pages.

"Summarize" asks `apps.ai.services.request_summary`, as the API does. The offline provider
answers with the summary in the request; Gemini answers with a job, and the page comes back
with `?job=<id>`, showing "Summarizing…" until the job is done. The page's script polls
`job_status` (the API's `GET ai/jobs/:id` wants a token, the pages have a session) and reloads
when the job ends; without the script, a "Check again" link does the same by hand.
"""

import uuid

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from apps.ai import services
from apps.ai.models import Summary, SummaryJob
from apps.billing.entitlements import Quota, usage_of
from apps.core.errors import ApplicationError, ErrorCode
from apps.crm.models import Client, Project
from apps.workspaces.roles import Perm

from ..workspace import require, workspace_page
from .common import Refusal, report

PROVIDER_LABELS = {"extractive": "the offline summarizer", "gemini": "Gemini"}


def _of(target: Client | Project) -> dict:
    return {"project": target} if isinstance(target, Project) else {"client": target}


def _url(target: Client | Project, suffix: str = "") -> str:
    """The target's page (or, with `-summarize`, its Summarize action)."""
    name = "dashboard-project" if isinstance(target, Project) else "dashboard-client"
    return reverse(name + suffix, args=[target.pk])


def _job_shown(request, target) -> SummaryJob | None:
    """The job the page was sent back with (`?job=`), if it is this target's; else a job
    making this target's summary right now, whoever asked for it."""
    jobs = SummaryJob.objects.filter(**_of(target)).defer("material")
    try:
        job_id = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        job_id = None
    if job_id is not None and (job := jobs.filter(pk=job_id).first()):
        return job
    # A job untouched this long died with its worker; the next request fails it.
    fresh = timezone.now() - services.STALE_AFTER
    return jobs.filter(status__in=SummaryJob.ACTIVE, updated_at__gt=fresh).first()


def ai_panel(request, *, target: Client | Project) -> dict:
    """The context of `dashboard/ai/_panel.html` for a client's or a project's page."""
    summary = Summary.objects.filter(**_of(target)).select_related("created_by").first()
    job = _job_shown(request, target)
    page_url = _url(target)
    return {
        "ai_panel": {
            "summary": summary,
            "provider": summary and PROVIDER_LABELS.get(summary.provider, summary.provider),
            "job": job,
            "running": job is not None and job.is_active,
            "failed": job is not None and job.status == SummaryJob.Status.FAILED,
            "status_url": job and reverse("dashboard-ai-job", args=[job.pk]),
            "check_url": job and f"{page_url}?job={job.pk}#summary",
            "summarize_url": _url(target, "-summarize"),
        }
    }


def _quota_message(request, error: ApplicationError) -> str:
    usage = usage_of(workspace_id=request.workspace.pk, quota=Quota.AI_SUMMARIES)
    if usage.resets_at is None:
        return error.message
    resets = dateformat.format(timezone.localtime(usage.resets_at), r"M j, Y \a\t H:i T")
    return f"{error.message} They reset on {resets}."


def _summarize(request, target: Client | Project):
    require(request, Perm.AI_SUMMARIZE)
    page_url = _url(target)
    try:
        outcome = services.request_summary(target=target, actor=request.user)
    except Refusal as error:
        if getattr(error, "code", None) == ErrorCode.AI_QUOTA_EXCEEDED:
            messages.error(request, _quota_message(request, error))
        else:
            report(request, error)
        return redirect(f"{page_url}#summary")
    if outcome.summary is not None:
        messages.success(
            request,
            "Nothing has changed since the last summary; here it is."
            if outcome.cached
            else "The summary is ready.",
        )
        return redirect(f"{page_url}#summary")
    return redirect(f"{page_url}?job={outcome.job.pk}#summary")


@workspace_page(Perm.CRM_VIEW)
@require_POST
def client_summarize(request, client_id):
    client = get_object_or_404(
        Client.objects.filter(workspace=request.workspace).select_related("workspace"),
        pk=client_id,
    )
    return _summarize(request, client)


@workspace_page(Perm.CRM_VIEW)
@require_POST
def project_summarize(request, project_id):
    projects = Project.objects.filter(workspace=request.workspace).select_related(
        "client", "workspace"
    )
    return _summarize(request, get_object_or_404(projects, pk=project_id))


@workspace_page(Perm.CRM_VIEW)
@require_safe
def job_status(request, job_id):
    """What the panel's script polls: is the job done yet?"""
    jobs = SummaryJob.objects.filter(workspace=request.workspace).defer("material")
    job = get_object_or_404(jobs, pk=job_id)
    response = JsonResponse(
        {
            "id": str(job.pk),
            "status": job.status,
            "done": not job.is_active,
            "error": job.error or None,
            "summaryId": str(job.summary_id) if job.summary_id else None,
        }
    )
    add_never_cache_headers(response)
    return response
