from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.core.pagination import paginated_rows
from apps.core.validation import validated, validated_query
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from .. import selectors, services
from ..models import Client, TimeEntry
from ..representations import CLIENT_COLUMNS, client_row, from_instance
from ..serializers import (
    ClientFilterSerializer,
    ClientInputSerializer,
    ClientSerializer,
    TimeSummarySerializer,
)

TAGS = ["clients"]


def client_data(client: Client) -> dict:
    return client_row(from_instance(client, CLIENT_COLUMNS))


class ClientViewSet(WorkspaceViewSet):
    queryset = Client.objects.all()
    api_resource = "clients"
    perms = {
        "list": Perm.CRM_VIEW,
        "retrieve": Perm.CRM_VIEW,
        "time_summary": Perm.CRM_VIEW,
        "create": Perm.CRM_EDIT,
        "partial_update": Perm.CRM_EDIT,
        "archive": Perm.CRM_EDIT,
        "unarchive": Perm.CRM_EDIT,
        "destroy": Perm.CRM_EDIT,
    }

    @extend_schema(
        tags=TAGS, parameters=[ClientFilterSerializer], responses=ClientSerializer(many=True)
    )
    def list(self, request):
        filters = validated_query(ClientFilterSerializer, request)
        clients = selectors.filter_clients(self.get_queryset(), **filters)
        return paginated_rows(self, clients, CLIENT_COLUMNS, client_row)

    @extend_schema(tags=TAGS, request=ClientInputSerializer, responses={201: ClientSerializer})
    def create(self, request):
        data = validated(ClientInputSerializer, request.data)
        client = services.create_client(workspace=request.workspace, actor=request.user, **data)
        return Response(client_data(client), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=ClientSerializer)
    def retrieve(self, request, pk=None):
        return Response(client_data(self.get_object()))

    @extend_schema(tags=TAGS, request=ClientInputSerializer, responses=ClientSerializer)
    def partial_update(self, request, pk=None):
        data = validated(ClientInputSerializer, request.data, partial=True)
        client = services.update_client(client=self.get_object(), actor=request.user, data=data)
        return Response(client_data(client))

    @extend_schema(tags=TAGS, request=None, responses=ClientSerializer)
    def archive(self, request, pk=None):
        client = services.archive_client(client=self.get_object(), actor=request.user)
        return Response(client_data(client))

    @extend_schema(tags=TAGS, request=None, responses=ClientSerializer)
    def unarchive(self, request, pk=None):
        client = services.unarchive_client(client=self.get_object(), actor=request.user)
        return Response(client_data(client))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_client(client=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=[*TAGS, "time"], responses=TimeSummarySerializer)
    def time_summary(self, request, pk=None):
        client = self.get_object()
        entries = TimeEntry.objects.filter(workspace=request.workspace, project__client=client)
        return Response(selectors.time_totals(entries))
