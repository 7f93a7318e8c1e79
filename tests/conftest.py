"""A team workspace full of data, and a signed-in client per role in it, for the cross-cutting
API tests: the authorization matrix, the activity coverage and the list query counts.

The world is built through the services (so its rows carry their activity events, as real
data would) and is fresh for every test that asks for it: destructive calls cannot leak from
one test into the next.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode
from uuid import uuid4

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.tests.factories import UserFactory
from apps.billing.tests.factories import SubscriptionFactory
from apps.crm import services as crm
from apps.workspaces import services as workspaces
from apps.workspaces.models import Membership
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import MembershipFactory

ROLES = ("viewer", "member", "admin", "owner")
# The URLconfs of the cross-cutting tests: every (path, method) in them needs its cases.
APP_URLCONFS = (
    "apps.workspaces.urls",
    "apps.crm.urls",
    "apps.activity.urls",
    "apps.billing.urls",
    "apps.api_keys.urls",
    "apps.preferences.urls",
    "apps.notifications.urls",
    "apps.ai.urls",
    "apps.files.urls",
    "apps.search.urls",
)
CALLERS = ("anonymous", "outsider", *ROLES)


@dataclass
class World:
    """Team workspace W with one of each thing, its people, and an outsider who owns another
    workspace with data of its own."""

    workspace: object
    owner: object
    co_owner: object
    admin: object
    member: object
    viewer: object
    colleague: object  # a member of W who owns the time entries below
    client: object
    archived_client: object
    project: object
    milestone: object
    client_note: object
    project_note: object
    entry: object  # the colleague's finished entry
    timer: object  # the colleague's running timer
    invite: object  # pending, to someone who is not a member
    outsider: object
    outsider_workspace: object
    outsider_client: object
    outsider_project: object
    outsider_milestone: object
    outsider_note: object
    outsider_entry: object  # the outsider's running timer
    outsider_invite: object

    @property
    def header(self) -> dict:
        return {"HTTP_X_WORKSPACE_ID": str(self.workspace.pk)}

    def caller(self, name: str):
        """The user playing `name` (anonymous is None)."""
        return None if name == "anonymous" else getattr(self, name)

    def secrets(self) -> list[str]:
        """Ids and names of W's data: none of it may reach someone outside W."""
        objects = [
            self.workspace,
            self.client,
            self.archived_client,
            self.project,
            self.milestone,
            self.client_note,
            self.project_note,
            self.entry,
            self.timer,
            self.invite,
        ]
        texts = [str(obj.pk) for obj in objects]
        texts += [
            self.workspace.name,
            self.client.name,
            self.archived_client.name,
            self.project.name,
            self.milestone.title,
            self.client_note.title,
            self.project_note.title,
            self.entry.description,
            self.timer.description,
            self.invite.email,
        ]
        return texts

    def people_secrets(self) -> list[str]:
        """Who is in W (besides its data): an outsider must not learn that either."""
        people = [self.owner, self.co_owner, self.admin, self.member, self.viewer, self.colleague]
        return [str(person.pk) for person in people] + [person.email for person in people]


def build_world() -> World:
    now = timezone.now()
    owner = UserFactory()
    workspace = workspaces.create_workspace(actor=owner, name="Acme Agency Team")
    # An agency on the Business plan: room for its people, its clients and API keys.
    SubscriptionFactory(workspace=workspace)
    people = {}
    for name, role in (
        ("co_owner", Role.OWNER),
        ("admin", Role.ADMIN),
        ("member", Role.MEMBER),
        ("viewer", Role.VIEWER),
        ("colleague", Role.MEMBER),
    ):
        people[name] = UserFactory()
        MembershipFactory(workspace=workspace, user=people[name], role=role)

    client = crm.create_client(
        workspace=workspace, actor=owner, name="Globex Corporation", email="globex@example.com"
    )
    archived_client = crm.create_client(workspace=workspace, actor=owner, name="Initech Holdings")
    crm.archive_client(client=archived_client, actor=owner)
    project = crm.create_project(
        client=client, actor=owner, name="Website relaunch", hourly_rate=Decimal("120.00")
    )
    milestone = crm.create_milestone(project=project, actor=owner, title="Design sign-off")
    client_note = crm.create_note(
        actor=owner, title="Contact habits", body="<p>Prefers email.</p>", client=client
    )
    project_note = crm.create_note(
        actor=owner, title="Kickoff minutes", body="<p>Kickoff.</p>", project=project
    )
    project_note = crm.update_note(note=project_note, actor=owner, body="<p>Kickoff, revised.</p>")
    entry = crm.create_time_entry(
        actor=people["colleague"],
        project=project,
        started_at=now - timedelta(hours=5),
        duration_seconds=3600,
        description="Wireframes for the landing page",
    )
    timer = crm.start_timer(
        actor=people["colleague"], project=project, description="Copywriting the about page"
    )
    owner_membership = Membership.objects.get(workspace=workspace, user=owner)
    invite = workspaces.create_invite(
        membership=owner_membership,
        email=f"invitee.{uuid4().hex[:12]}@example.com",
        role=Role.MEMBER,
    )

    outsider = UserFactory()
    outsider_membership = Membership.objects.select_related("workspace").get(
        user=outsider, workspace__personal_for=outsider
    )
    outsider_workspace = outsider_membership.workspace
    outsider_client = crm.create_client(
        workspace=outsider_workspace, actor=outsider, name="Outsider Own Client"
    )
    outsider_project = crm.create_project(
        client=outsider_client, actor=outsider, name="Outsider Own Project"
    )
    outsider_milestone = crm.create_milestone(
        project=outsider_project, actor=outsider, title="Outsider Own Milestone"
    )
    outsider_note = crm.create_note(
        actor=outsider, title="Outsider note", body="<p>Mine.</p>", project=outsider_project
    )
    outsider_entry = crm.start_timer(actor=outsider, project=outsider_project)
    outsider_invite = workspaces.create_invite(
        membership=outsider_membership, email="friend.of.outsider@example.com", role=Role.MEMBER
    )
    return World(
        workspace=workspace,
        owner=owner,
        client=client,
        archived_client=archived_client,
        project=project,
        milestone=milestone,
        client_note=client_note,
        project_note=project_note,
        entry=entry,
        timer=timer,
        invite=invite,
        outsider=outsider,
        outsider_workspace=outsider_workspace,
        outsider_client=outsider_client,
        outsider_project=outsider_project,
        outsider_milestone=outsider_milestone,
        outsider_note=outsider_note,
        outsider_entry=outsider_entry,
        outsider_invite=outsider_invite,
        **people,
    )


def _methods(view) -> list[str]:
    """The methods a view answers: a viewset's action map, an APIView's handlers, and for a
    plain function every method, since nothing says which it refuses."""
    if hasattr(view, "actions"):
        methods = view.actions
    elif hasattr(view, "cls"):
        methods = [method for method in view.cls.http_method_names if hasattr(view.cls, method)]
    else:
        methods = ["get", "post", "put", "patch", "delete"]
    return [method.upper() for method in methods if method not in ("head", "options")]


def app_endpoints() -> dict[tuple[str, str], tuple[str, str]]:
    """(url name, method) -> (urlconf, route) for every endpoint of the three apps, walked from
    the project's URLconf."""
    found: dict[tuple[str, str], tuple[str, str]] = {}

    def walk(patterns, urlconf):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                name = getattr(pattern.urlconf_module, "__name__", None)
                walk(pattern.url_patterns, name if name in APP_URLCONFS else urlconf)
            elif urlconf is not None:
                route = str(pattern.pattern)
                assert pattern.name, f"{route} in {urlconf} has no name"
                for method in _methods(pattern.callback):
                    found[(pattern.name, method)] = (urlconf, route)

    walk(get_resolver().url_patterns, None)
    return found


@pytest.fixture
def make_world(db):
    """Build a fresh world; call it more than once for several independent ones."""
    return build_world


@pytest.fixture
def world(make_world) -> World:
    return make_world()


@pytest.fixture
def client_for(login):
    """A signed-in API client for a user, or an anonymous one for None."""

    def _client_for(user) -> APIClient:
        if user is None:
            return APIClient()
        return login(user)[0]

    return _client_for


def send(api: APIClient, method: str, url: str, data=None, *, query=None, headers=None):
    """One API call: GET with query parameters, anything else with a JSON body."""
    headers = headers or {}
    if method == "GET":
        return api.get(url, query or {}, **headers)
    if query:
        url = f"{url}?{urlencode(query)}"
    # A body carrying a file (an upload) goes as multipart; every other body as JSON.
    uploads = isinstance(data, dict) and any(hasattr(value, "read") for value in data.values())
    body_format = "multipart" if uploads else "json"
    return getattr(api, method.lower())(url, data, format=body_format, **headers)


def content_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
