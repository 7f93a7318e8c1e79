"""The tenancy rule: which workspace a request acts in, and the structure that makes forgetting
the rule impossible without failing here."""

import inspect
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

import apps.activity.views
import apps.crm.views
from apps.accounts.tests.factories import UserFactory
from apps.crm.models import Client
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.roles import PERMISSIONS, Perm, Role
from apps.workspaces.tenancy import WORKSPACE_HEADER, WorkspaceViewSet
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory, member_of

# Apps whose every endpoint serves one workspace's data.
WORKSPACE_DATA_APPS = ("apps.crm.", "apps.activity.")


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False, body
    return body["error"]


def listed_names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["data"]]


@pytest.fixture
def team(user):
    workspace = WorkspaceFactory(name="Acme")
    MembershipFactory(workspace=workspace, user=user, role=Role.MEMBER)
    return workspace


def in_workspace(workspace) -> dict:
    return {"HTTP_X_WORKSPACE_ID": str(workspace.pk)}


# --- The rule over HTTP -----------------------------------------------------------------------


@pytest.mark.django_db
def test_without_the_header_a_request_acts_in_the_personal_workspace(user, user_client, team):
    response = user_client.post("/api/v1/clients", {"name": "Solo client"}, format="json")

    assert response.status_code == 201
    assert Client.objects.get(name="Solo client").workspace == user.personal_workspace
    assert listed_names(user_client.get("/api/v1/clients")) == ["Solo client"]
    assert listed_names(user_client.get("/api/v1/clients", **in_workspace(team))) == []


@pytest.mark.django_db
def test_with_a_team_header_a_request_acts_in_the_team(user, user_client, team):
    response = user_client.post(
        "/api/v1/clients", {"name": "Team client"}, format="json", **in_workspace(team)
    )

    assert response.status_code == 201
    assert Client.objects.get(name="Team client").workspace == team
    assert listed_names(user_client.get("/api/v1/clients", **in_workspace(team))) == ["Team client"]
    assert listed_names(user_client.get("/api/v1/clients")) == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["not-a-uuid", "12345", "' OR 1=1 --"])
def test_a_malformed_workspace_header_is_a_validation_error(user_client, value):
    response = user_client.get("/api/v1/clients", HTTP_X_WORKSPACE_ID=value)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert [d["field"] for d in error["details"]] == [WORKSPACE_HEADER]


@pytest.mark.django_db
def test_a_workspace_you_are_not_in_is_404(user_client):
    elsewhere = WorkspaceFactory()
    ClientFactory(workspace=elsewhere)

    for workspace_id in (elsewhere.pk, uuid.uuid4()):
        response = user_client.get("/api/v1/clients", HTTP_X_WORKSPACE_ID=str(workspace_id))
        assert response.status_code == 404
        assert error_of(response)["code"] == "NOT_FOUND"
    posted = user_client.post(
        "/api/v1/clients", {"name": "Sneaky"}, format="json", **in_workspace(elsewhere)
    )
    assert posted.status_code == 404
    assert not Client.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
def test_someone_elses_personal_workspace_is_404(user_client):
    stranger = UserFactory()
    response = user_client.get("/api/v1/clients", **in_workspace(stranger.personal_workspace))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_client_is_found_only_in_its_own_workspace(user, user_client, team):
    client = ClientFactory(workspace=team)
    path = f"/api/v1/clients/{client.pk}"

    assert user_client.get(path, **in_workspace(team)).status_code == 200
    # Both are the caller's workspaces, but the client lives in the team.
    assert user_client.get(path).status_code == 404
    assert user_client.get(path, **in_workspace(user.personal_workspace)).status_code == 404
    wrong_place = user_client.patch(path, {"name": "Renamed"}, format="json")
    assert wrong_place.status_code == 404
    client.refresh_from_db()
    assert client.name != "Renamed"


@pytest.mark.django_db
def test_a_viewer_reads_but_cannot_write_team_data(team, login):
    viewer_client = login(member_of(team, Role.VIEWER))[0]
    ClientFactory(workspace=team, name="Existing")

    assert listed_names(viewer_client.get("/api/v1/clients", **in_workspace(team))) == ["Existing"]
    response = viewer_client.post(
        "/api/v1/clients", {"name": "Nope"}, format="json", **in_workspace(team)
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "FORBIDDEN"


@pytest.mark.django_db
def test_workspace_data_needs_a_signed_in_user(api_client, team):
    assert api_client.get("/api/v1/clients", **in_workspace(team)).status_code == 401
    assert api_client.get("/api/v1/clients").status_code == 401


# --- The structure that keeps the rule --------------------------------------------------------


def _routed_views(resolver=None, prefix=""):
    """Yield (route, view class, {method: action}) for every viewset route in the URLconf."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routed_views(pattern, route)
        elif isinstance(pattern, URLPattern):
            view = pattern.callback
            cls = getattr(view, "cls", None)
            if cls is not None:
                yield route, cls, getattr(view, "actions", None) or {}


def _workspace_data_routes():
    return [
        (route, cls, actions)
        for route, cls, actions in _routed_views()
        if cls.__module__.startswith(WORKSPACE_DATA_APPS)
    ]


def _view_classes_defined_in(package_module):
    modules = [package_module]
    modules += [
        value
        for value in vars(package_module).values()
        if inspect.ismodule(value) and value.__name__.startswith(package_module.__name__)
    ]
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, APIView):
                yield cls


def test_the_urlconf_routes_workspace_data_views():
    routed = {cls.__name__ for _, cls, _ in _workspace_data_routes()}
    assert {"ClientViewSet", "ProjectViewSet", "ActivityViewSet", "AuditLogViewSet"} <= routed


def test_every_routed_workspace_data_view_applies_the_tenancy_rule():
    problems = []
    for route, cls, actions in _workspace_data_routes():
        if not issubclass(cls, WorkspaceViewSet):
            problems.append(f"{route}: {cls.__name__} is not a WorkspaceViewSet")
            continue
        for klass in cls.__mro__[: cls.__mro__.index(WorkspaceViewSet)]:
            for hook in ("get_queryset", "initial"):
                if hook in vars(klass):
                    problems.append(f"{route}: {klass.__name__} overrides {hook}")
        for method, action in actions.items():
            if action not in cls.perms:
                problems.append(f"{route}: {method.upper()} runs {action!r}, not in perms")
            elif not isinstance(cls.perms[action], Perm):
                problems.append(f"{route}: perms[{action!r}] is not a Perm")
    assert problems == []


@pytest.mark.parametrize("package", [apps.crm.views, apps.activity.views])
def test_every_view_class_in_the_data_apps_is_a_workspace_viewset(package):
    classes = list(_view_classes_defined_in(package))
    assert classes
    assert [cls.__name__ for cls in classes if not issubclass(cls, WorkspaceViewSet)] == []


def test_the_role_table_covers_every_permission():
    assert set(PERMISSIONS) == set(Perm)
    for perm, roles in PERMISSIONS.items():
        assert roles, perm
        assert roles <= set(Role), perm
        # Owners can do anything anyone in the workspace can.
        assert Role.OWNER in roles, perm
