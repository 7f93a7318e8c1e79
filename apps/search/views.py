import math

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from apps.core.envelope import success
from apps.core.pagination import PagePagination
from apps.core.schema import ERROR_REF
from apps.core.validation import validated_query
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from . import selectors
from .serializers import (
    PageSerializer,
    SearchAllQuerySerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
)
from .types import CLIENTS, PROJECTS, TYPES

TAGS = ["search"]
RESPONSES = {
    200: SearchResultSerializer(many=True),
    400: OpenApiResponse(
        ERROR_REF, description="An empty or too long query, or a bad filter (VALIDATION_ERROR)."
    ),
}


class SearchPagination(PagePagination):
    """Numbered pages over the ranked results; `meta` adds `capped` and `fuzzy`."""

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        meta = response["properties"]["meta"]
        meta["properties"]["capped"] = {
            "type": "boolean",
            "description": "A type matched more rows than are ranked (the newest of them are); "
            "`total` counts the ranked ones.",
        }
        meta["properties"]["fuzzy"] = {
            "type": "boolean",
            "description": "Typo tolerance added results (`match: fuzzy`).",
        }
        meta["required"] = [*meta["required"], "capped", "fuzzy"]
        return response


class SearchViewSet(WorkspaceViewSet):
    """Search the workspace's clients, projects, notes and file names (`search`, Maycole's
    `search?query=`), or one kind (`search/clients`, `search/projects`). One flat list, best
    first, each result naming its `type`. The workspace is the request's (WorkspaceViewSet);
    the search itself is `selectors.search`."""

    api_resource = "search"
    pagination_class = SearchPagination
    perms = {"list": Perm.CRM_VIEW, "clients": Perm.CRM_VIEW, "projects": Perm.CRM_VIEW}

    @extend_schema(tags=TAGS, parameters=[SearchAllQuerySerializer], responses=RESPONSES)
    def list(self, request):
        params = validated_query(SearchAllQuerySerializer, request)
        return self._answer(params, params.get("type") or list(TYPES.values()))

    @extend_schema(tags=TAGS, parameters=[SearchQuerySerializer], responses=RESPONSES)
    def clients(self, request):
        return self._answer(validated_query(SearchQuerySerializer, request), [CLIENTS])

    @extend_schema(tags=TAGS, parameters=[SearchQuerySerializer], responses=RESPONSES)
    def projects(self, request):
        return self._answer(validated_query(SearchQuerySerializer, request), [PROJECTS])

    def _answer(self, params: dict, types) -> Response:
        paging = validated_query(PageSerializer, self.request)
        page, per_page = paging["page"], paging["per_page"]
        found = selectors.search(
            workspace_id=self.request.workspace.pk,
            text=params["text"],
            types=types,
            sort=params["sort"],
            archived=params["archived"],
            page=page,
            per_page=per_page,
        )
        meta = {
            "total": found.total,
            "page": page,
            "per_page": per_page,
            "total_pages": math.ceil(found.total / per_page),
            "capped": found.capped,
            "fuzzy": found.fuzzy,
        }
        return Response(success(found.results, meta=meta))
