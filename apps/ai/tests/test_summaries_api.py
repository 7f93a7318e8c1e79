"""Summaries over the API with the default offline provider: made in the request (200), cached
while the material is unchanged, paid for with one unit of the plan's monthly quota."""

import pytest
import time_machine

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.ai.models import Summary, SummaryJob
from apps.ai.tests.factories import SummaryFactory, SummaryJobFactory
from apps.billing.entitlements import Quota, spend, usage_of
from apps.billing.models import Plan, UsageRecord
from apps.billing.tests.factories import plan
from apps.core.testing import data_of, error_of
from apps.crm.tests.factories import ClientFactory, MilestoneFactory, NoteFactory, ProjectFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
SUMMARY_KEYS = {
    "id", "target", "text", "provider", "model", "contentHash", "createdById", "createdAt",
    "cached",
}  # fmt: skip


@pytest.fixture
def workspace(user):
    return user.personal_workspace


@pytest.fixture
def project(workspace):
    project = ProjectFactory(
        client=ClientFactory(workspace=workspace, name="Globex"),
        name="Shop relaunch",
        description="Rebuild the checkout before the spring sale.",
    )
    MilestoneFactory(project=project, title="Mockups", done=True)
    NoteFactory(
        project=project,
        body_text="The checkout must keep one page. The payment sandbox is down again.",
    )
    return project


def summarize(api, target, **headers):
    kind = "project" if hasattr(target, "client_id") else "client"
    return api.post(f"{API}/ai/summarize/{kind}/{target.pk}", **headers)


def units_used(workspace) -> int:
    return usage_of(workspace_id=workspace.pk, quota=Quota.AI_SUMMARIES).used


# --- Making and caching ---------------------------------------------------------------------


def test_summarizing_a_project_answers_200_with_a_new_summary_for_one_unit(
    user_client, user, workspace, project
):
    data = data_of(summarize(user_client, project))

    assert set(data) == SUMMARY_KEYS
    assert data["cached"] is False
    assert data["target"] == {"type": "project", "id": str(project.pk), "name": "Shop relaunch"}
    assert data["text"].startswith("Project 'Shop relaunch' for client 'Globex'.")
    assert "payment sandbox is down" in data["text"]
    assert (data["provider"], data["model"]) == ("extractive", "tf-v1")
    assert data["createdById"] == str(user.pk)
    summary = Summary.objects.get(pk=data["id"])
    assert summary.project == project and summary.workspace == workspace
    assert units_used(workspace) == 1
    job = SummaryJob.objects.get()
    assert (job.status, job.attempts, job.summary) == ("succeeded", 1, summary)
    event = ActivityEvent.objects.get(verb=Verb.AI_SUMMARY_CREATED)
    assert (event.workspace_id, event.actor, event.target_id) == (workspace.pk, user, summary.pk)
    assert (event.client_id, event.project_id) == (project.client_id, project.pk)


def test_unchanged_material_answers_the_cached_summary_and_spends_nothing(
    user_client, workspace, project, django_assert_max_num_queries
):
    first = data_of(summarize(user_client, project))
    events = ActivityEvent.objects.count()

    with django_assert_max_num_queries(12):
        again = data_of(summarize(user_client, project))

    assert again["cached"] is True
    assert again["id"] == first["id"]
    assert again["text"] == first["text"]
    assert units_used(workspace) == 1
    assert SummaryJob.objects.count() == 1
    assert ActivityEvent.objects.count() == events


def test_changed_material_makes_a_new_summary(user_client, workspace, project):
    first = data_of(summarize(user_client, project))

    NoteFactory(project=project, body_text="The client moved the launch to June.")
    second = data_of(summarize(user_client, project))

    assert second["cached"] is False
    assert second["id"] != first["id"]
    assert "launch to June" in second["text"]
    assert second["contentHash"] != first["contentHash"]
    assert Summary.objects.filter(project=project).count() == 2
    assert units_used(workspace) == 2


def test_completing_a_milestone_changes_the_material(user_client, project):
    first = data_of(summarize(user_client, project))
    milestone = MilestoneFactory(project=project, title="Build")
    second = data_of(summarize(user_client, project))

    data_of(
        user_client.patch(
            f"{API}/projects/{project.pk}/milestones/{milestone.pk}", {"done": True}, format="json"
        )
    )
    third = data_of(summarize(user_client, project))

    assert len({first["id"], second["id"], third["id"]}) == 3
    assert "Milestones: 2 of 2 done." in third["text"]


def test_summarizing_a_client_reads_its_notes_and_projects(user_client, workspace, project):
    client = project.client
    NoteFactory(project=None, client=client, body_text="Globex pays late. Invoice early.")

    data = data_of(summarize(user_client, client))

    assert data["target"] == {"type": "client", "id": str(client.pk), "name": "Globex"}
    assert "Projects: 1, 1 active." in data["text"]
    assert "Globex pays late." in data["text"]
    assert Summary.objects.get(pk=data["id"]).client == client
    assert units_used(workspace) == 1


# --- Quota ----------------------------------------------------------------------------------


@time_machine.travel("2030-03-15 12:00Z", tick=False)
def test_an_exhausted_quota_answers_402_with_the_reset_time_and_spends_nothing(
    login, user, workspace, project
):
    user_client = login(user)[0]
    for _ in range(plan("free").ai_summaries_per_month):
        spend(workspace=workspace, quota=Quota.AI_SUMMARIES)
    records = UsageRecord.objects.count()

    error = error_of(summarize(user_client, project), 402, "AI_QUOTA_EXCEEDED")

    assert "Resets at 2030-04-01T00:00:00+00:00" in error["details"][1]["message"]
    assert UsageRecord.objects.count() == records
    assert not Summary.objects.exists()
    assert not SummaryJob.objects.exists()
    assert not ActivityEvent.objects.filter(verb=Verb.AI_SUMMARY_CREATED).exists()


def test_a_cached_summary_is_answered_even_with_the_quota_used_up(user_client, workspace, project):
    first = data_of(summarize(user_client, project))
    for _ in range(plan("free").ai_summaries_per_month - 1):
        spend(workspace=workspace, quota=Quota.AI_SUMMARIES)

    again = data_of(summarize(user_client, project))

    assert (again["id"], again["cached"]) == (first["id"], True)


def test_a_plan_without_ai_summaries_answers_402(user_client, project):
    Plan.objects.filter(code="free").update(features=[])

    error_of(summarize(user_client, project), 402, "PLAN_FEATURE_UNAVAILABLE")

    assert not SummaryJob.objects.exists()


def test_the_quota_resets_at_the_start_of_the_month(login, user, workspace, project):
    with time_machine.travel("2030-03-31 23:00Z", tick=False):
        user_client = login(user)[0]
        for _ in range(plan("free").ai_summaries_per_month):
            spend(workspace=workspace, quota=Quota.AI_SUMMARIES)
        error_of(summarize(user_client, project), 402, "AI_QUOTA_EXCEEDED")
    with time_machine.travel("2030-04-01 00:00:01Z", tick=False):
        user_client = login(user)[0]
        data_of(summarize(user_client, project))
        assert units_used(workspace) == 1


# --- Configuration --------------------------------------------------------------------------


def test_gemini_without_an_api_key_answers_503_not_configured(user_client, project, settings):
    settings.AI_PROVIDER = "gemini"
    settings.GEMINI_API_KEY = ""

    error_of(summarize(user_client, project), 503, "NOT_CONFIGURED")

    assert not SummaryJob.objects.exists()
    assert not UsageRecord.objects.exists()


def test_an_unknown_provider_answers_503_not_configured(user_client, project, settings):
    settings.AI_PROVIDER = "oracle"

    error = error_of(summarize(user_client, project), 503, "NOT_CONFIGURED")

    assert "extractive, gemini" in error["message"]


# --- Who may --------------------------------------------------------------------------------


@pytest.fixture
def team(db):
    return WorkspaceFactory()


def team_project(team):
    return ProjectFactory(client=ClientFactory(workspace=team))


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN, Role.OWNER])
def test_contributors_may_summarize_in_their_team(login, team, role):
    api = login(member_of(team, role))[0]
    project = team_project(team)

    data = data_of(summarize(api, project, HTTP_X_WORKSPACE_ID=str(team.pk)))

    assert Summary.objects.get(pk=data["id"]).workspace == team
    assert units_used(team) == 1


@pytest.mark.parametrize("kind", ["project", "client"])
def test_a_viewer_gets_403_and_spends_nothing(login, team, kind):
    api = login(member_of(team, Role.VIEWER))[0]
    project = team_project(team)
    target = project if kind == "project" else project.client

    error = error_of(summarize(api, target, HTTP_X_WORKSPACE_ID=str(team.pk)), 403, "FORBIDDEN")

    assert "ai.summarize" in error["details"][0]["message"]
    assert not UsageRecord.objects.exists()
    assert not SummaryJob.objects.exists()


@pytest.mark.parametrize("kind", ["project", "client"])
def test_an_outsider_gets_404_for_another_workspaces_target(user_client, team, kind):
    project = team_project(team)
    target = project if kind == "project" else project.client

    error_of(summarize(user_client, target), 404, "NOT_FOUND")
    error_of(summarize(user_client, target, HTTP_X_WORKSPACE_ID=str(team.pk)), 404, "NOT_FOUND")

    assert not UsageRecord.objects.exists()


def test_a_viewer_of_a_workspace_gets_404_not_403_for_a_project_elsewhere(login, team):
    api = login(member_of(team, Role.VIEWER))[0]

    error_of(
        summarize(api, team_project(WorkspaceFactory()), HTTP_X_WORKSPACE_ID=str(team.pk)),
        404,
        "NOT_FOUND",
    )


def test_signed_out_callers_get_401(api_client, project):
    error_of(summarize(api_client, project), 401, "UNAUTHORIZED")
    error_of(api_client.get(f"{API}/ai/usage"), 401, "UNAUTHORIZED")


# --- Usage, summaries and jobs --------------------------------------------------------------


@time_machine.travel("2030-03-15 12:00Z")
def test_usage_answers_the_quota_and_the_latest_summaries(login, user, workspace, project):
    user_client = login(user)[0]
    made = data_of(summarize(user_client, project))
    SummaryFactory.create_batch(6, project=ProjectFactory(client=project.client))
    SummaryJobFactory(project=project, status="queued")
    SummaryFactory(project=team_project(WorkspaceFactory()))

    data = data_of(user_client.get(f"{API}/ai/usage"))

    assert {key: data[key] for key in ("used", "limit", "remaining", "resetsAt")} == {
        "used": 1,
        "limit": 20,
        "remaining": 19,
        "resetsAt": "2030-04-01T00:00:00Z",
    }
    assert (data["inProgress"], data["provider"], data["model"]) == (1, "extractive", "tf-v1")
    assert len(data["recent"]) == 5
    assert made["id"] not in [row["id"] for row in data["recent"]]
    assert {row["target"]["type"] for row in data["recent"]} == {"project"}


def test_a_viewer_reads_usage_summaries_and_jobs(login, team):
    project = team_project(team)
    summary = SummaryFactory(project=project)
    job = SummaryJobFactory(project=project, summary=summary)
    api = login(member_of(team, Role.VIEWER))[0]
    header = {"HTTP_X_WORKSPACE_ID": str(team.pk)}

    assert data_of(api.get(f"{API}/ai/usage", **header))["recent"][0]["id"] == str(summary.pk)
    assert data_of(api.get(f"{API}/ai/summaries", **header))[0]["id"] == str(summary.pk)
    polled = data_of(api.get(f"{API}/ai/jobs/{job.pk}", **header))
    assert polled["summary"]["text"] == summary.text


def test_summaries_filter_by_project_and_client(user_client, project):
    other = ProjectFactory(client=project.client)
    on_project = SummaryFactory(project=project)
    SummaryFactory(project=other)
    on_client = SummaryFactory(project=None, client=project.client)

    by_project = data_of(user_client.get(f"{API}/ai/summaries", {"projectId": str(project.pk)}))
    by_client = data_of(
        user_client.get(f"{API}/ai/summaries", {"clientId": str(project.client_id)})
    )

    assert [row["id"] for row in by_project] == [str(on_project.pk)]
    assert [row["id"] for row in by_client] == [str(on_client.pk)]
    error_of(user_client.get(f"{API}/ai/summaries", {"projectId": "nope"}), 400, "VALIDATION_ERROR")


def test_another_workspaces_job_is_404(user_client, team):
    job = SummaryJobFactory(project=team_project(team))

    error_of(user_client.get(f"{API}/ai/jobs/{job.pk}"), 404, "NOT_FOUND")
    error_of(
        user_client.get(f"{API}/ai/jobs/{job.pk}", HTTP_X_WORKSPACE_ID=str(team.pk)),
        404,
        "NOT_FOUND",
    )
