import csv
import json

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from apps.billing.entitlements import Feature, require_feature
from apps.core.pagination import CursorPagination, paginated_rows
from apps.core.validation import validated_query
from apps.crm.models import Client, Project
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from . import selectors
from .models import ActivityEvent
from .representations import AUDIT_COLUMNS, TIMELINE_COLUMNS, audit_row, timeline_row
from .serializers import (
    ActivityEventSerializer,
    ActivityFilterSerializer,
    AuditEventSerializer,
    AuditFilterSerializer,
    AuditReportSerializer,
)
from .services import record_activity
from .verbs import Verb


class EventCursorPagination(CursorPagination):
    ordering = "-seq"


class ActivityViewSet(WorkspaceViewSet):
    """The timeline: `activity` (the workspace), `clients/:id/activity` (the client, its
    projects and their notes and milestones), `projects/:id/activity`. Newest first."""

    queryset = ActivityEvent.objects.all()
    api_resource = "activity"
    parents = {"client_pk": (Client, "client_id"), "project_pk": (Project, "project_id")}
    perms = {"list": Perm.ACTIVITY_VIEW}
    pagination_class = EventCursorPagination

    @extend_schema(
        tags=["activity"],
        parameters=[ActivityFilterSerializer],
        responses=ActivityEventSerializer(many=True),
    )
    def list(self, request, client_pk=None, project_pk=None):
        filters = validated_query(ActivityFilterSerializer, request)
        events = selectors.filter_events(
            self.get_queryset(),
            verbs=filters.get("verb"),
            actor_id=filters.get("actor_id"),
            target_type=filters["target_type"],
            since=filters.get("since"),
            until=filters.get("until"),
        )
        return paginated_rows(self, events, TIMELINE_COLUMNS, timeline_row)


CSV_HEADER = [
    "seq", "time", "actor", "action", "resource", "resource_id", "resource_label", "changes",
    "ip_address", "user_agent", "request_id", "hash",
]  # fmt: skip


def _cell(value) -> str:
    """Text for a spreadsheet cell; a leading = + - @ would run as a formula there."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


class AuditLogViewSet(WorkspaceViewSet):
    """Maycole's audit log, for owners and admins: every event with where it came from."""

    queryset = ActivityEvent.objects.all()
    api_resource = "audit-logs"
    perms = {"list": Perm.AUDIT_VIEW}
    pagination_class = EventCursorPagination

    @extend_schema(
        tags=["audit"],
        parameters=[
            AuditFilterSerializer,
            OpenApiParameter("from", str, description="ISO 8601 date-time, inclusive."),
        ],
        responses={
            200: OpenApiResponse(
                AuditEventSerializer(many=True),
                description="A page of events; with `report=true` an AuditReport; with "
                "`export=true` a CSV file (text/csv) of every matching event.",
            )
        },
    )
    def list(self, request):
        filters = validated_query(AuditFilterSerializer, request)
        events = selectors.filter_events(
            self.get_queryset(),
            verbs=filters.get("action"),
            actor_id=filters.get("actor"),
            target_type=filters["resource"],
            since=filters.get("from"),
            until=filters.get("to"),
        )
        if filters["report"]:
            return Response(AuditReportSerializer(selectors.audit_report(events)).data)
        if filters["export"]:
            return self._export(request, events, filters)
        return paginated_rows(self, events, AUDIT_COLUMNS, audit_row)

    def _export(self, request, events, filters):
        require_feature(workspace=request.workspace, feature=Feature.AUDIT_EXPORT)
        # Reading the whole log is itself an event worth recording.
        with transaction.atomic():
            record_activity(
                workspace_id=request.workspace.pk,
                actor=request.user,
                verb=Verb.AUDIT_LOG_EXPORTED,
                target=request.workspace,
                changes={
                    key: [None, str(value)]
                    for key, value in filters.items()
                    if key not in ("report", "export") and value
                },
            )
        writer = csv.writer(_Echo())
        rows = events.order_by("seq").values_list(
            "seq", "created_at", "actor_label", "verb", "target_type", "target_id",
            "target_label", "changes", "ip_address", "user_agent", "request_id", "hash",
        )  # fmt: skip

        def lines():
            yield writer.writerow(CSV_HEADER)
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow([_cell(value) for value in row])

        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        return response
