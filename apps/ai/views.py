from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.core.schema import ERROR_REF
from apps.core.validation import validated_query
from apps.crm.models import Client, Project
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from . import selectors, services
from .models import Summary, SummaryJob
from .representations import job_data, summary_data
from .serializers import (
    AiUsageSerializer,
    SummaryAnswerSerializer,
    SummaryFilterSerializer,
    SummaryJobSerializer,
    SummarySerializer,
)

TAGS = ["ai"]
SUMMARIZE_RESPONSES = {
    200: OpenApiResponse(
        SummaryAnswerSerializer,
        description="The summary: cached when the material has not changed (no quota spent), "
        "or made just now by the offline provider.",
    ),
    202: OpenApiResponse(
        SummaryJobSerializer,
        description="A job is making it (Gemini); poll `pollUrl`. Spends one unit, given back "
        "if the job fails.",
    ),
    402: OpenApiResponse(
        ERROR_REF,
        description="AI_QUOTA_EXCEEDED (the month's summaries are used up; `details` say when "
        "they reset) or PLAN_FEATURE_UNAVAILABLE.",
    ),
    403: OpenApiResponse(ERROR_REF, description="FORBIDDEN: viewers may not summarize."),
    502: OpenApiResponse(
        ERROR_REF, description="AI_PROVIDER_ERROR: the provider refused or answered nothing."
    ),
    503: OpenApiResponse(
        ERROR_REF,
        description="AI_PROVIDER_UNAVAILABLE (try again later; nothing was spent) or "
        "NOT_CONFIGURED (the provider needs settings).",
    ),
}


class _SummarizeViewSet(WorkspaceViewSet):
    api_resource = "ai"
    perms = {"summarize": Perm.AI_SUMMARIZE}

    def summarize(self, request, pk=None):
        outcome = services.request_summary(target=self.get_object(), actor=request.user)
        if outcome.summary is not None:
            return Response(summary_data(outcome.summary, cached=outcome.cached))
        return Response(job_data(outcome.job), status=status.HTTP_202_ACCEPTED)


class ProjectSummaryViewSet(_SummarizeViewSet):
    queryset = Project.objects.select_related("client", "workspace")

    @extend_schema(tags=TAGS, request=None, responses=SUMMARIZE_RESPONSES)
    def summarize(self, request, pk=None):
        """Summarize a project, its milestones and notes."""
        return super().summarize(request, pk)


class ClientSummaryViewSet(_SummarizeViewSet):
    queryset = Client.objects.select_related("workspace")

    @extend_schema(tags=TAGS, request=None, responses=SUMMARIZE_RESPONSES)
    def summarize(self, request, pk=None):
        """Summarize a client, its notes and its projects."""
        return super().summarize(request, pk)


class SummaryJobViewSet(WorkspaceViewSet):
    """A summary job: `queued`, `running`, then `succeeded` (with the summary) or `failed`
    (with `error.code` and `error.message`; its quota unit was given back)."""

    queryset = SummaryJob.objects.defer("material").select_related(
        "summary__client", "summary__project"
    )
    api_resource = "ai"
    perms = {"retrieve": Perm.CRM_VIEW}

    @extend_schema(tags=TAGS, responses=SummaryJobSerializer, summary="Poll a summary job")
    def retrieve(self, request, pk=None):
        return Response(job_data(self.get_object()))


class SummaryViewSet(WorkspaceViewSet):
    """The workspace's summaries, newest first; the first for a target is its latest."""

    queryset = Summary.objects.select_related("client", "project")
    api_resource = "ai"
    perms = {"list": Perm.CRM_VIEW}

    @extend_schema(
        tags=TAGS,
        parameters=[SummaryFilterSerializer],
        responses=SummarySerializer(many=True),
        summary="Summaries, newest first (filter by clientId or projectId)",
    )
    def list(self, request):
        filters = validated_query(SummaryFilterSerializer, request)
        summaries = self.get_queryset().filter(**filters)
        page = self.paginate_queryset(summaries)
        return self.get_paginated_response([summary_data(summary) for summary in page])


class AiUsageViewSet(WorkspaceViewSet):
    """This month's AI summaries against the plan's limit (a job in progress holds its unit),
    when the count resets, which provider writes them, and the five latest."""

    queryset = Summary.objects.none()
    api_resource = "ai"
    # The plan's usage, as `GET billing` shows it to every member.
    perms = {"usage": Perm.BILLING_VIEW}

    @extend_schema(tags=TAGS, responses=AiUsageSerializer, summary="AI quota and latest summaries")
    def usage(self, request):
        data = selectors.ai_usage(workspace_id=request.workspace.pk)
        data["recent"] = [summary_data(summary) for summary in data["recent"]]
        return Response(data)
