"""API keys on the AI endpoints: `ai:write` summarizes, `ai:read` polls and reads usage."""

import pytest

from apps.ai.models import Summary
from apps.api_keys.tests.factories import ApiKeyFactory, key_header
from apps.core.testing import data_of, error_of
from apps.crm.tests.factories import ClientFactory, ProjectFactory
from apps.workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return WorkspaceFactory()


@pytest.fixture
def project(team):
    return ProjectFactory(client=ClientFactory(workspace=team))


def test_a_key_with_ai_write_summarizes_in_its_workspace(api_client, team, project):
    key = ApiKeyFactory(workspace=team, scopes=["ai:write"])

    data = data_of(api_client.post(f"/api/v1/ai/summarize/project/{project.pk}", **key_header(key)))

    summary = Summary.objects.get(pk=data["id"])
    assert (summary.workspace, summary.created_by) == (team, key.created_by)


def test_a_key_with_ai_read_only_reads(api_client, team, project):
    key = ApiKeyFactory(workspace=team, scopes=["ai:read"])

    error = error_of(
        api_client.post(f"/api/v1/ai/summarize/project/{project.pk}", **key_header(key)),
        403,
        "FORBIDDEN",
    )
    usage = data_of(api_client.get("/api/v1/ai/usage", **key_header(key)))

    assert "ai:write" in error["details"][0]["message"]
    assert usage["used"] == 0
