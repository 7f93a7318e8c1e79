"""No endpoint accepts a key unless it opted in. Walks the whole URLconf: every DRF view either
opts in (a WorkspaceViewSet with an `api_resource`), authenticates nobody (sign-in, health:
every caller is anonymous there, so a key grants nothing), or answers a valid key with every
scope 403 API_KEY_NOT_ALLOWED, for every method it serves."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from apps.api_keys.authentication import ApiKeyAuthentication, view_accepts_api_keys
from apps.api_keys.models import ApiKey
from apps.api_keys.scopes import RESOURCES, SCOPES
from apps.core.testing import error_of
from apps.workspaces.roles import Role
from apps.workspaces.tenancy import WorkspaceViewSet
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

from .factories import ApiKeyFactory, key_header

# The views that take keys today; billing's join with `api_resource = "billing"`.
OPTED_IN = {
    "ClientViewSet": "clients",
    "ProjectViewSet": "projects",
    "MilestoneViewSet": "milestones",
    "NoteViewSet": "notes",
    "TimeEntryViewSet": "time-entries",
    "ActivityViewSet": "activity",
    "AuditLogViewSet": "audit-logs",
}
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _value(converter: str | None) -> str:
    return {"uuid": str(uuid.uuid4()), "int": "1"}.get(converter or "str", "x")


def _drf_routes(patterns=None, prefix=""):
    """(path, view class, methods) for every DRF view in the URLconf."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _drf_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            cls = getattr(entry.callback, "cls", None)
            if cls is None or not issubclass(cls, APIView):
                continue  # plain Django views (pages, admin, allauth) never read the header
            assert not route.startswith("^"), f"cannot build a path for {route}"
            path = "/" + _PARAM.sub(lambda m: _value(m["converter"]), route)
            actions = getattr(entry.callback, "actions", None)
            methods = (
                list(actions)
                if actions
                else [method for method in cls.http_method_names if hasattr(cls, method)]
            )
            methods = [m.upper() for m in methods if m not in ("head", "options")]
            yield path, cls, methods


def _authenticators(cls) -> list:
    return [type(authenticator) for authenticator in cls().get_authenticators()]


def test_only_the_workspace_data_views_opt_in_and_each_names_a_known_resource():
    opted_in = {cls: cls.api_resource for _, cls, _ in _drf_routes() if view_accepts_api_keys(cls)}

    # Workspace data only, each under a declared resource; the CRM's views by name.
    assert all(issubclass(cls, WorkspaceViewSet) for cls in opted_in)
    assert set(opted_in.values()) <= set(RESOURCES)
    named = {cls.__name__: resource for cls, resource in opted_in.items()}
    assert {name: named.get(name) for name in OPTED_IN} == OPTED_IN
    assert not any(
        cls.__module__.startswith(("apps.accounts.", "apps.api_keys.", "apps.preferences."))
        for cls in opted_in
    )


@pytest.mark.django_db
def test_every_endpoint_that_did_not_opt_in_refuses_a_valid_key(api_client, settings):
    settings.API_KEY_RATE_LIMIT = "100000/m"
    team = WorkspaceFactory()
    key = ApiKeyFactory(workspace=team, created_by=member_of(team, Role.OWNER), scopes=list(SCOPES))
    accepted, refused, anonymous_only = [], [], []

    for path, cls, methods in _drf_routes():
        if view_accepts_api_keys(cls):
            accepted.append(path)
            continue
        if not _authenticators(cls):
            anonymous_only.append(path)
            continue
        assert ApiKeyAuthentication in _authenticators(cls), f"{path} cannot recognise a key"
        speaks_json = any(r.media_type == "application/json" for r in cls.renderer_classes)
        for method in methods:
            response = api_client.generic(
                method,
                path,
                HTTP_ACCEPT="application/json" if speaks_json else "*/*",
                HTTP_X_WORKSPACE_ID=str(team.pk),
                **key_header(key),
            )
            if speaks_json:
                error_of(response, 403, "API_KEY_NOT_ALLOWED")
            else:  # Swagger UI: an HTML page, whose errors are not our envelope
                assert response.status_code == 403, path
            refused.append(f"{method} {path}")

    assert ApiKey.objects.get(pk=key.pk).last_used_at is None
    # The walk really covered the kinds of endpoint it is about.
    refused_text = " ".join(refused)
    for fragment in (
        "GET /api/v1/auth/me",
        "GET /api/v1/auth/sessions",
        "DELETE /api/v1/users/account",
        "PATCH /api/v1/users/settings",
        "POST /api/v1/teams",
        "POST /api/v1/invites/accept",
        "GET /api/v1/api-keys",
        "POST /api/v1/api-keys",
        "/rotate",
    ):
        assert fragment in refused_text, fragment
    assert "/api/v1/auth/login" in anonymous_only
    assert "/api/v1/clients" in accepted


@pytest.mark.django_db
def test_a_key_cannot_manage_keys_even_with_every_scope(api_client):
    team = WorkspaceFactory()
    key = ApiKeyFactory(workspace=team, created_by=member_of(team, Role.OWNER), scopes=list(SCOPES))

    response = api_client.post(
        "/api/v1/api-keys", {"name": "Child", "scopes": ["clients:read"]}, format="json",
        **key_header(key),
    )  # fmt: skip

    error_of(response, 403, "API_KEY_NOT_ALLOWED")
    assert ApiKey.objects.count() == 1
