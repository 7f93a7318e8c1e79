"""Which workspace a request acts in, and the base viewset that scopes every query to it.

The rule, the same for the whole API: a request acts in the workspace named by the
`X-Workspace-ID` header, or in the caller's personal workspace when there is no header. A
workspace the caller is not a member of does not exist for them (404). Endpoints about the
workspace itself (`/teams/:id/...`) name it in the path instead.

`WorkspaceViewSet` applies the rule before any handler runs: it resolves the membership,
fetches every object named in the URL from inside the workspace (404 when it is not there),
and only then asks the role table whether this role may run this action (403). A view cannot
forget a step: it declares `perms` for each action and never overrides `get_queryset`.

A request made with an API key (apps.api_keys) acts in the key's workspace, whatever the header
says: a header naming another workspace is a 404, as for a stranger. After the role table, the
key's scopes must allow the view's `api_resource` for the method (403 naming the scope).
"""

import uuid

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, viewsets

from apps.api_keys.models import ApiKey
from apps.api_keys.scopes import require_scope
from apps.core.errors import ApplicationError, ErrorCode
from apps.core.joined_rows import JoinedLookup

from .models import Membership, Workspace
from .roles import Perm

WORKSPACE_HEADER = "X-Workspace-ID"
_META_KEY = "HTTP_X_WORKSPACE_ID"

WORKSPACE_HEADER_PARAMETER = OpenApiParameter(
    name=WORKSPACE_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The workspace this request acts in (its id). Without it, your personal "
    "workspace. A workspace you are not a member of answers 404.",
)


# Every workspace request makes one of these two lookups; they take the precompiled path.
_JOIN = "{0} INNER JOIN {1} ON {0}.workspace_id = {1}.id"
PERSONAL_MEMBERSHIP = JoinedLookup(
    models=(Membership, Workspace),
    joins=_JOIN,
    where="{0}.user_id = %s AND {1}.personal_for_id = %s",
    param_fields=(Membership._meta.get_field("user"), Workspace._meta.get_field("personal_for")),
)
NAMED_MEMBERSHIP = JoinedLookup(
    models=(Membership, Workspace),
    joins=_JOIN,
    where="{0}.user_id = %s AND {0}.workspace_id = %s",
    param_fields=(Membership._meta.get_field("user"), Membership._meta.get_field("workspace")),
)


def _membership(lookup: JoinedLookup, *params) -> Membership | None:
    found = lookup.fetch_one(*params)
    if found is None:
        return None
    membership, workspace = found
    membership.workspace = workspace
    return membership


def resolve_membership(user, workspace_id=None) -> Membership:
    """The user's membership in the named workspace, or in their personal one."""
    if workspace_id in (None, ""):
        membership = _membership(PERSONAL_MEMBERSHIP, user.pk, user.pk)
        if membership is None:
            from .services import create_personal_workspace

            membership = create_personal_workspace(user=user)
        membership.user = user
        return membership
    membership = _membership(NAMED_MEMBERSHIP, user.pk, _workspace_uuid(workspace_id))
    if membership is None:
        raise exceptions.NotFound("No workspace with this id is visible to you.")
    membership.user = user
    return membership


def pinned_membership(key: ApiKey, workspace_id=None) -> Membership:
    """An API key's membership, loaded with the key (its creator's, in its workspace). A key
    acts in that workspace only: naming another one is a 404, as it is for a stranger."""
    if workspace_id not in (None, "") and _workspace_uuid(workspace_id) != key.workspace_id:
        raise exceptions.NotFound("No workspace with this id is visible to this API key.")
    return key.membership


def _workspace_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ApplicationError(
            f"{WORKSPACE_HEADER} must be a workspace id.",
            details=[{"field": WORKSPACE_HEADER, "message": "Not a valid id."}],
        ) from None


def forbid(perm: Perm) -> ApplicationError:
    return ApplicationError(
        "Your role in this workspace does not allow this.",
        code=ErrorCode.FORBIDDEN,
        status_code=403,
        details=[{"field": None, "message": f"Needs the `{perm}` permission."}],
    )


class WorkspaceViewSet(viewsets.GenericViewSet):
    """Base for every endpoint over workspace-owned rows.

    Subclasses set `queryset` (any model with a `workspace` foreign key), `perms`
    (action name -> Perm, for every action) and, for nested routes, `parents`
    (URL kwarg -> (model, field on this model)). Hook `scope(queryset)` narrows further.
    Views that API keys may call name the resource their scopes cover in `api_resource`
    (one of apps.api_keys.scopes.RESOURCES); without it a key is refused (403).
    """

    perms: dict[str, Perm] = {}
    api_resource: str | None = None
    workspace_header_parameter = WORKSPACE_HEADER_PARAMETER
    parents: dict[str, tuple[type[models.Model], str]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is None:
            membership = resolve_membership(request.user, request.META.get(_META_KEY))
        else:
            membership = pinned_membership(key, request.META.get(_META_KEY))
        request.membership = membership
        request.workspace = membership.workspace
        self.parent_objects = {
            kwarg: self._fetch_parent(model, kwargs[kwarg])
            for kwarg, (model, _) in self.parents.items()
            if kwarg in kwargs
        }
        if (self.lookup_url_kwarg or self.lookup_field) in kwargs:
            self.get_object()
        perm = self.required_perm()
        if not membership.can(perm):
            raise forbid(perm)
        if key is not None:
            require_scope(key.scopes, resource=self.api_resource, method=request.method)

    def required_perm(self) -> Perm:
        try:
            return self.perms[self.action]
        except KeyError:
            # Fail closed: an action nobody put in the table is a bug, not a free pass.
            raise ImproperlyConfigured(
                f"{type(self).__name__}.perms has no entry for {self.action!r}."
            ) from None

    def _fetch_parent(self, model, pk):
        try:
            return model.objects.filter(workspace=self.request.workspace).get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            raise exceptions.NotFound() from None

    def parent(self, kwarg: str):
        return self.parent_objects[kwarg]

    def get_queryset(self):
        queryset = super().get_queryset().filter(workspace=self.request.workspace)
        for kwarg, (_, field) in self.parents.items():
            if kwarg in self.kwargs:
                queryset = queryset.filter(**{field: self.parent_objects[kwarg].pk})
        return self.scope(queryset)

    def scope(self, queryset):
        return queryset

    def get_object(self):
        cached = getattr(self, "_object", None)
        if cached is None:
            cached = self._object = super().get_object()
        return cached
