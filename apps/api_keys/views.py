from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.core.validation import validated
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from . import services
from .models import ApiKey
from .serializers import (
    ApiKeyInputSerializer,
    ApiKeyIssuedSerializer,
    ApiKeySerializer,
    issued_data,
)

TAGS = ["api-keys"]


class ApiKeyViewSet(WorkspaceViewSet):
    """The workspace's API keys, for owners and admins. No `api_resource`: a key cannot manage
    keys, so a leaked one cannot mint its own successors."""

    queryset = ApiKey.objects.select_related("created_by", "workspace")
    perms = {
        action: Perm.API_KEYS_MANAGE
        for action in ("list", "create", "retrieve", "destroy", "rotate")
    }

    @extend_schema(tags=TAGS, responses=ApiKeySerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ApiKeySerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=ApiKeyInputSerializer,
        responses={201: ApiKeyIssuedSerializer},
        description="Answers the full key once; only its prefix is shown afterwards.",
    )
    def create(self, request):
        data = validated(ApiKeyInputSerializer, request.data)
        api_key, text = services.create_api_key(
            workspace=request.workspace, actor=request.user, **data
        )
        return Response(issued_data(api_key, text), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=ApiKeySerializer)
    def retrieve(self, request, pk=None):
        return Response(ApiKeySerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS, responses={204: None}, description="Revokes the key; it stays listed."
    )
    def destroy(self, request, pk=None):
        services.revoke_api_key(api_key=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={201: ApiKeyIssuedSerializer},
        description="A new secret with the same name, scopes and expiry, answered once; the old "
        "key stops working at once.",
    )
    def rotate(self, request, pk=None):
        api_key, text = services.rotate_api_key(api_key=self.get_object(), actor=request.user)
        return Response(issued_data(api_key, text), status=status.HTTP_201_CREATED)
