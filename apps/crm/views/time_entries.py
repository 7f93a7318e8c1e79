from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.core.pagination import paginated_rows
from apps.core.validation import validated, validated_query
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet, forbid

from .. import services
from ..models import Milestone, Project, TimeEntry
from ..representations import TIME_ENTRY_COLUMNS, from_instance, time_entry_row
from ..serializers import (
    TimeEntryFilterSerializer,
    TimeEntryInputSerializer,
    TimeEntrySerializer,
    TimeEntryUpdateSerializer,
    TimerStartSerializer,
)

TAGS = ["time"]


def entry_data(entry: TimeEntry) -> dict:
    return time_entry_row(from_instance(entry, TIME_ENTRY_COLUMNS))


class TimeEntryViewSet(WorkspaceViewSet):
    """Time tracking: a running timer to start and stop, or entries logged by hand. Members
    change their own entries; owners and admins anyone's."""

    queryset = TimeEntry.objects.select_related("project")
    api_resource = "time-entries"
    perms = {
        "list": Perm.CRM_VIEW,
        "retrieve": Perm.CRM_VIEW,
        "current": Perm.CRM_VIEW,
        "create": Perm.TIME_TRACK,
        "start": Perm.TIME_TRACK,
        "stop": Perm.TIME_TRACK,
        "partial_update": Perm.TIME_TRACK,
        "destroy": Perm.TIME_TRACK,
    }

    def _project(self, project_id) -> Project:
        try:
            return Project.objects.get(workspace=self.request.workspace, pk=project_id)
        except Project.DoesNotExist:
            raise _missing("projectId", "No such project in this workspace.") from None

    def _milestone(self, project: Project, milestone_id) -> Milestone | None:
        if milestone_id is None:
            return None
        try:
            return Milestone.objects.get(project=project, pk=milestone_id)
        except Milestone.DoesNotExist:
            raise _missing("milestoneId", "No such milestone on this project.") from None

    def _own_entry(self) -> TimeEntry:
        entry = self.get_object()
        if not entry.can_be_changed_by(self.request.membership):
            raise forbid(Perm.TIME_MANAGE_ALL)
        return entry

    @extend_schema(
        tags=TAGS, parameters=[TimeEntryFilterSerializer], responses=TimeEntrySerializer(many=True)
    )
    def list(self, request):
        filters = validated_query(TimeEntryFilterSerializer, request)
        entries = self.get_queryset()
        for field in ("project_id", "user_id"):
            if filters.get(field):
                entries = entries.filter(**{field: filters[field]})
        if filters.get("client_id"):
            entries = entries.filter(project__client_id=filters["client_id"])
        if filters.get("billable") is not None:
            entries = entries.filter(billable=filters["billable"])
        if filters.get("running") is not None:
            entries = entries.filter(ended_at__isnull=filters["running"])
        if filters.get("since"):
            entries = entries.filter(started_at__gte=filters["since"])
        if filters.get("until"):
            entries = entries.filter(started_at__lt=filters["until"])
        entries = entries.order_by("-started_at", "-id")
        return paginated_rows(self, entries, TIME_ENTRY_COLUMNS, time_entry_row)

    @extend_schema(tags=TAGS, responses=TimeEntrySerializer(allow_null=True))
    def current(self, request):
        entry = self.get_queryset().running().filter(user=request.user).first()
        return Response(entry_data(entry) if entry else None)

    @extend_schema(tags=TAGS, request=TimerStartSerializer, responses={201: TimeEntrySerializer})
    def start(self, request):
        data = validated(TimerStartSerializer, request.data)
        project = self._project(data["project_id"])
        entry = services.start_timer(
            actor=request.user,
            project=project,
            milestone=self._milestone(project, data.get("milestone_id")),
            description=data.get("description", ""),
            billable=data["billable"],
        )
        return Response(entry_data(entry), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, request=None, responses=TimeEntrySerializer)
    def stop(self, request, pk=None):
        entry = services.stop_timer(entry=self._own_entry(), actor=request.user)
        return Response(entry_data(entry))

    @extend_schema(
        tags=TAGS, request=TimeEntryInputSerializer, responses={201: TimeEntrySerializer}
    )
    def create(self, request):
        data = validated(TimeEntryInputSerializer, request.data)
        project = self._project(data.pop("project_id"))
        milestone = self._milestone(project, data.pop("milestone_id", None))
        entry = services.create_time_entry(
            actor=request.user, project=project, milestone=milestone, **data
        )
        return Response(entry_data(entry), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=TimeEntrySerializer)
    def retrieve(self, request, pk=None):
        return Response(entry_data(self.get_object()))

    @extend_schema(tags=TAGS, request=TimeEntryUpdateSerializer, responses=TimeEntrySerializer)
    def partial_update(self, request, pk=None):
        entry = self._own_entry()
        data = validated(TimeEntryUpdateSerializer, request.data, partial=True)
        if "milestone_id" in data:
            data["milestone"] = self._milestone(entry.project, data.pop("milestone_id"))
        entry = services.update_time_entry(entry=entry, actor=request.user, data=data)
        return Response(entry_data(entry))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_time_entry(entry=self._own_entry(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _missing(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})
