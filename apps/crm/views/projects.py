from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.core.pagination import paginated_rows
from apps.core.validation import validated, validated_query
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from .. import selectors, services
from ..models import Client, Milestone, Project, TimeEntry
from ..representations import (
    MILESTONE_COLUMNS,
    PROJECT_COLUMNS,
    from_instance,
    milestone_row,
    project_row,
)
from ..serializers import (
    MilestoneInputSerializer,
    MilestoneSerializer,
    ProjectDetailSerializer,
    ProjectFilterSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
    TimeSummarySerializer,
)

TAGS = ["projects"]


def project_data(project: Project) -> dict:
    return project_row(from_instance(project, PROJECT_COLUMNS))


def milestone_data(milestone: Milestone) -> dict:
    return milestone_row(from_instance(milestone, MILESTONE_COLUMNS))


class ProjectViewSet(WorkspaceViewSet):
    """Projects of a client (`clients/:clientId/projects`) and of the workspace (`projects`)."""

    queryset = Project.objects.select_related("client")
    api_resource = "projects"
    parents = {"client_pk": (Client, "client")}
    perms = {
        "list": Perm.CRM_VIEW,
        "retrieve": Perm.CRM_VIEW,
        "time_summary": Perm.CRM_VIEW,
        "create": Perm.CRM_EDIT,
        "partial_update": Perm.CRM_EDIT,
        "destroy": Perm.CRM_EDIT,
    }

    @extend_schema(
        tags=TAGS, parameters=[ProjectFilterSerializer], responses=ProjectSerializer(many=True)
    )
    def list(self, request, client_pk=None):
        filters = validated_query(ProjectFilterSerializer, request)
        projects = selectors.filter_projects(self.get_queryset(), **filters)
        return paginated_rows(self, projects, PROJECT_COLUMNS, project_row)

    @extend_schema(tags=TAGS, request=ProjectInputSerializer, responses={201: ProjectSerializer})
    def create(self, request, client_pk=None):
        data = validated(ProjectInputSerializer, request.data)
        project = services.create_project(
            client=self.parent("client_pk"), actor=request.user, **data
        )
        return Response(project_data(project), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=ProjectDetailSerializer)
    def retrieve(self, request, pk=None):
        data = project_data(self.get_object())
        milestones = [
            milestone_row(row)
            for row in Milestone.objects.filter(project_id=pk)
            .order_by("order", "created_at")
            .values(*MILESTONE_COLUMNS)
        ]
        data["milestones"] = milestones
        data["progress"] = {
            "done": sum(1 for milestone in milestones if milestone["done"]),
            "total": len(milestones),
        }
        return Response(data)

    @extend_schema(tags=TAGS, request=ProjectInputSerializer, responses=ProjectSerializer)
    def partial_update(self, request, pk=None):
        data = validated(ProjectInputSerializer, request.data, partial=True)
        project = services.update_project(project=self.get_object(), actor=request.user, data=data)
        return Response(project_data(project))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_project(project=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=[*TAGS, "time"], responses=TimeSummarySerializer)
    def time_summary(self, request, pk=None):
        entries = TimeEntry.objects.filter(workspace=request.workspace, project=self.get_object())
        return Response(selectors.time_totals(entries))


class MilestoneViewSet(WorkspaceViewSet):
    queryset = Milestone.objects.select_related("project")
    api_resource = "milestones"
    parents = {"project_pk": (Project, "project")}
    perms = {
        "list": Perm.CRM_VIEW,
        "retrieve": Perm.CRM_VIEW,
        "create": Perm.CRM_EDIT,
        "partial_update": Perm.CRM_EDIT,
        "destroy": Perm.CRM_EDIT,
    }
    pagination_class = None

    @extend_schema(tags=TAGS, responses=MilestoneSerializer(many=True))
    def list(self, request, project_pk=None):
        rows = self.get_queryset().order_by("order", "created_at").values(*MILESTONE_COLUMNS)
        return Response([milestone_row(row) for row in rows])

    @extend_schema(
        tags=TAGS, request=MilestoneInputSerializer, responses={201: MilestoneSerializer}
    )
    def create(self, request, project_pk=None):
        data = validated(MilestoneInputSerializer, request.data)
        data.pop("done", None)
        milestone = services.create_milestone(
            project=self.parent("project_pk"), actor=request.user, **data
        )
        return Response(milestone_data(milestone), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=MilestoneSerializer)
    def retrieve(self, request, project_pk=None, pk=None):
        return Response(milestone_data(self.get_object()))

    @extend_schema(tags=TAGS, request=MilestoneInputSerializer, responses=MilestoneSerializer)
    def partial_update(self, request, project_pk=None, pk=None):
        data = validated(MilestoneInputSerializer, request.data, partial=True)
        milestone = services.update_milestone(
            milestone=self.get_object(), actor=request.user, data=data
        )
        return Response(milestone_data(milestone))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, project_pk=None, pk=None):
        services.delete_milestone(milestone=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
