"""Pages seen by signed-in people: each test browses with its own Django test client."""

import pytest
from django.test import Client

from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

SESSION_KEY = "workspace_id"


@pytest.fixture
def browse(db):
    """`browse(user, workspace=None)`: a client signed in as `user`, working in `workspace`."""

    def _browse(user, workspace=None) -> Client:
        client = Client()
        client.force_login(user)
        if workspace is not None:
            session = client.session
            session[SESSION_KEY] = str(workspace.pk)
            session.save()
        return client

    return _browse


@pytest.fixture
def team(db):
    return WorkspaceFactory(name="Harbour Studio")


@pytest.fixture
def owner(team):
    return member_of(team, Role.OWNER, name="Olive Owner")


@pytest.fixture
def web(browse, owner, team):
    """The team's owner, working in the team."""
    return browse(owner, team)
