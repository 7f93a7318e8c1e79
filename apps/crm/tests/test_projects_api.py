"""Projects and their milestones over the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.core.testing import data_of, error_of
from apps.crm.models import Milestone, Note, Project, TimeEntry
from apps.crm.tests.factories import (
    ClientFactory,
    MilestoneFactory,
    NoteFactory,
    ProjectFactory,
    TimeEntryFactory,
)
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROJECT_KEYS = {
    "id", "client", "name", "description", "status", "startDate", "dueDate", "budget",
    "hourlyRate", "createdAt", "updatedAt",
}  # fmt: skip
MILESTONE_KEYS = {
    "id", "projectId", "title", "dueDate", "done", "completedAt", "order", "createdAt",
    "updatedAt",
}  # fmt: skip


def names(response) -> list[str]:
    return [row["name"] for row in data_of(response)]


@pytest.fixture
def workspace(user):
    return user.personal_workspace


@pytest.fixture
def client_row(workspace):
    return ClientFactory(workspace=workspace, name="Ada")


@pytest.fixture
def project(client_row):
    return ProjectFactory(client=client_row, name="Engine")


@pytest.fixture
def foreign_project(db):
    return ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory()))


# --- Create ---------------------------------------------------------------------------------


def test_creating_a_project_answers_201_with_the_full_row(user_client, user, client_row):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/projects",
        {
            "name": "Difference Engine",
            "description": "Tables of polynomials",
            "status": "planning",
            "startDate": "2030-01-01",
            "dueDate": "2030-03-31",
            "budget": 1500,
            "hourlyRate": "85.5",
        },
        format="json",
    )
    data = data_of(response, 201)
    assert set(data) == PROJECT_KEYS
    assert data["client"] == {"id": str(client_row.pk), "name": "Ada"}
    assert data["name"] == "Difference Engine"
    assert data["description"] == "Tables of polynomials"
    assert data["status"] == "planning"
    assert (data["startDate"], data["dueDate"]) == ("2030-01-01", "2030-03-31")
    assert data["budget"] == "1500.00"
    assert data["hourlyRate"] == "85.50"
    project = Project.objects.get(pk=data["id"])
    assert project.client == client_row
    assert project.workspace_id == client_row.workspace_id
    assert project.created_by == user
    assert project.budget == Decimal("1500.00")
    assert ActivityEvent.objects.filter(verb="project.created", target_id=project.pk).exists()


def test_a_new_project_is_active_with_empty_optional_fields(user_client, client_row):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/projects", {"name": "Bare"}, format="json"
    )
    data = data_of(response, 201)
    assert data["status"] == "active"
    assert data["description"] == ""
    assert [data[key] for key in ("startDate", "dueDate", "budget", "hourlyRate")] == [None] * 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": 123}, "name"),
        ({"name": ""}, "name"),
        ({"name": "P", "status": "paused"}, "status"),
        ({"name": "P", "budget": -1}, "budget"),
        ({"name": "P", "budget": "lots"}, "budget"),
        ({"name": "P", "hourlyRate": "-0.01"}, "hourlyRate"),
        ({"name": "P", "startDate": "31/01/2030"}, "startDate"),
        ({"name": "P", "description": ["a"]}, "description"),
    ],
)
def test_invalid_project_fields_are_a_400_naming_the_field(user_client, client_row, body, field):
    response = user_client.post(f"{API}/clients/{client_row.pk}/projects", body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not Project.objects.exists()


def test_a_due_date_before_the_start_is_a_400_on_due_date(user_client, client_row):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/projects",
        {"name": "Backwards", "startDate": "2030-02-01", "dueDate": "2030-01-31"},
        format="json",
    )
    error_of(response, 400, "VALIDATION_ERROR", field="dueDate")
    assert not Project.objects.exists()


def test_malformed_json_for_a_project_is_a_400(user_client, client_row):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/projects", "{", content_type="application/json"
    )
    error_of(response, 400, "MALFORMED_REQUEST")


def test_a_project_on_an_archived_client_is_a_409(user_client, workspace):
    archived = ClientFactory(workspace=workspace, archived_at=timezone.now())
    response = user_client.post(
        f"{API}/clients/{archived.pk}/projects", {"name": "Late"}, format="json"
    )
    error_of(response, 409, "CLIENT_ARCHIVED")
    assert not Project.objects.exists()


def test_a_project_on_another_workspaces_client_is_a_404(user_client):
    foreign = ClientFactory(workspace=WorkspaceFactory())
    response = user_client.post(
        f"{API}/clients/{foreign.pk}/projects", {"name": "Sneaky"}, format="json"
    )
    error_of(response, 404, "NOT_FOUND")
    assert not Project.objects.exists()


def test_a_viewer_cannot_create_a_project(login):
    team = WorkspaceFactory()
    client_row = ClientFactory(workspace=team)
    api, _, _ = login(member_of(team, Role.VIEWER))
    response = api.post(
        f"{API}/clients/{client_row.pk}/projects",
        {"name": "Nope"},
        format="json",
        HTTP_X_WORKSPACE_ID=str(team.pk),
    )
    error_of(response, 403, "FORBIDDEN")
    assert not Project.objects.exists()


# --- Anonymous and outsiders ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/projects"),
        ("get", "/clients/{client}/projects"),
        ("post", "/clients/{client}/projects"),
        ("get", "/projects/{project}"),
        ("patch", "/projects/{project}"),
        ("delete", "/projects/{project}"),
        ("get", "/projects/{project}/time-summary"),
        ("get", "/projects/{project}/milestones"),
        ("post", "/projects/{project}/milestones"),
        ("get", "/projects/{project}/milestones/{milestone}"),
        ("patch", "/projects/{project}/milestones/{milestone}"),
        ("delete", "/projects/{project}/milestones/{milestone}"),
    ],
)
def test_anonymous_requests_are_a_401(api_client, project, method, path):
    milestone = MilestoneFactory(project=project)
    url = API + path.format(client=project.client_id, project=project.pk, milestone=milestone.pk)
    response = getattr(api_client, method)(url, {"name": "X", "title": "X"}, format="json")
    error_of(response, 401, "UNAUTHORIZED")
    assert Project.objects.filter(pk=project.pk, name="Engine").exists()
    assert Milestone.objects.get().pk == milestone.pk


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/clients/{client}/projects"),
        ("get", "/projects/{project}"),
        ("patch", "/projects/{project}"),
        ("delete", "/projects/{project}"),
        ("get", "/projects/{project}/time-summary"),
        ("get", "/projects/{project}/milestones"),
        ("post", "/projects/{project}/milestones"),
        ("get", "/projects/{project}/milestones/{milestone}"),
        ("patch", "/projects/{project}/milestones/{milestone}"),
        ("delete", "/projects/{project}/milestones/{milestone}"),
        ("get", "/projects/{project}/notes"),
    ],
)
def test_outsider_gets_404_for_another_workspaces_project(
    user_client, foreign_project, method, path
):
    milestone = MilestoneFactory(project=foreign_project, title="Theirs")
    url = API + path.format(
        client=foreign_project.client_id, project=foreign_project.pk, milestone=milestone.pk
    )
    body = {"name": "Mine now", "title": "Mine now", "done": True}
    response = getattr(user_client, method)(url, body, format="json")
    error_of(response, 404, "NOT_FOUND")
    foreign_project.refresh_from_db()
    milestone.refresh_from_db()
    assert foreign_project.name != "Mine now"
    assert (milestone.title, milestone.done) == ("Theirs", False)
    assert Milestone.objects.filter(project=foreign_project).count() == 1


def test_another_workspaces_projects_are_not_listed(user_client, project, foreign_project):
    assert [row["id"] for row in data_of(user_client.get(f"{API}/projects"))] == [str(project.pk)]


# --- Lists ----------------------------------------------------------------------------------


def test_a_clients_project_list_shows_only_that_clients_projects(user_client, workspace):
    ada, grace = ClientFactory(workspace=workspace), ClientFactory(workspace=workspace)
    ProjectFactory(client=ada, name="Engine")
    ProjectFactory(client=grace, name="Compiler")
    response = user_client.get(f"{API}/clients/{ada.pk}/projects")
    data = data_of(response)
    assert [row["name"] for row in data] == ["Engine"]
    assert set(data[0]) == PROJECT_KEYS
    assert data[0]["client"] == {"id": str(ada.pk), "name": ada.name}
    assert response.json()["meta"] == {"total": 1, "page": 1, "perPage": 20, "totalPages": 1}


def test_the_workspace_project_list_spans_clients(user_client, workspace):
    ada, grace = ClientFactory(workspace=workspace), ClientFactory(workspace=workspace)
    ProjectFactory(client=ada, name="Engine")
    ProjectFactory(client=grace, name="Compiler")
    response = user_client.get(f"{API}/projects", {"ordering": "name"})
    assert names(response) == ["Compiler", "Engine"]


@pytest.fixture
def portfolio(workspace):
    ada = ClientFactory(workspace=workspace, name="Ada")
    grace = ClientFactory(workspace=workspace, name="Grace")
    start = timezone.now() - timedelta(days=5)
    rows = [
        (ada, "Engine", "active", "Steam powered", date(2030, 1, 10)),
        (ada, "Notes", "completed", "Translation", date(2030, 3, 1)),
        (grace, "Compiler", "on_hold", "A-0 system", None),
        (grace, "Cobol", "active", "Business language", date(2030, 2, 1)),
    ]
    projects = {}
    for index, (client, name, status, description, due) in enumerate(rows):
        project = ProjectFactory(
            client=client, name=name, status=status, description=description, due_date=due
        )
        Project.objects.filter(pk=project.pk).update(created_at=start + timedelta(hours=index))
        projects[name] = project
    return {"ada": ada, "grace": grace, **projects}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Cobol", "Compiler", "Notes", "Engine"]),
        ({"status": "active"}, ["Cobol", "Engine"]),
        ({"status": "on_hold,completed"}, ["Compiler", "Notes"]),
        ({"search": "engine"}, ["Engine"]),
        ({"search": "LANGUAGE"}, ["Cobol"]),
        ({"dueBefore": "2030-02-01"}, ["Cobol", "Engine"]),
        ({"ordering": "name"}, ["Cobol", "Compiler", "Engine", "Notes"]),
        ({"ordering": "-name"}, ["Notes", "Engine", "Compiler", "Cobol"]),
        ({"ordering": "createdAt"}, ["Engine", "Notes", "Compiler", "Cobol"]),
        ({"ordering": "status"}, ["Cobol", "Engine", "Notes", "Compiler"]),
    ],
)
def test_the_workspace_project_list_filters_and_orders(user_client, portfolio, params, expected):
    if "status" in params or "search" in params or "dueBefore" in params:
        params = {"ordering": "name", **params}
    assert names(user_client.get(f"{API}/projects", params)) == expected


def test_the_project_list_filters_by_client_id(user_client, portfolio):
    response = user_client.get(
        f"{API}/projects", {"clientId": str(portfolio["grace"].pk), "ordering": "name"}
    )
    assert names(response) == ["Cobol", "Compiler"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("dueDate", ["Engine", "Cobol", "Notes"]), ("-dueDate", ["Notes", "Cobol", "Engine"])],
)
def test_projects_order_by_due_date(user_client, portfolio, ordering, expected):
    # Where undated projects go differs between databases; only the dated ones are compared.
    ordered = names(user_client.get(f"{API}/projects", {"ordering": ordering}))
    assert [name for name in ordered if name != "Compiler"] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "paused"}, "status"),
        ({"clientId": "not-a-uuid"}, "clientId"),
        ({"dueBefore": "soon"}, "dueBefore"),
        ({"ordering": "budget"}, "ordering"),
    ],
)
def test_bad_project_filters_are_a_400(user_client, portfolio, params, field):
    error_of(user_client.get(f"{API}/projects", params), 400, "VALIDATION_ERROR", field=field)


@pytest.mark.parametrize("path", ["/projects", "/clients/{client}/projects"])
def test_project_lists_cost_the_same_queries_for_one_project_or_thirty(
    user_client, client_row, path
):
    url = API + path.format(client=client_row.pk)
    ProjectFactory(client=client_row)
    with CaptureQueriesContext(connection) as one:
        data_of(user_client.get(url))
    ProjectFactory.create_batch(29, client=client_row)
    with CaptureQueriesContext(connection) as thirty:
        assert len(data_of(user_client.get(url, {"perPage": 30}))) == 30
    assert len(thirty) == len(one)


# --- Detail ---------------------------------------------------------------------------------


def test_project_detail_has_its_client_milestones_in_order_and_progress(user_client, project):
    project.budget, project.hourly_rate = Decimal("1500"), Decimal("90.5")
    project.save()
    third = MilestoneFactory(project=project, title="Ship", order=3)
    first = MilestoneFactory(project=project, title="Design", order=1, done=True)
    second = MilestoneFactory(project=project, title="Build", order=2)
    MilestoneFactory(project=ProjectFactory(client=project.client), title="Elsewhere")

    data = data_of(user_client.get(f"{API}/projects/{project.pk}"))

    assert set(data) == PROJECT_KEYS | {"milestones", "progress"}
    assert data["client"] == {"id": str(project.client_id), "name": "Ada"}
    assert data["budget"] == "1500.00"
    assert data["hourlyRate"] == "90.50"
    assert [m["id"] for m in data["milestones"]] == [str(first.pk), str(second.pk), str(third.pk)]
    assert [m["title"] for m in data["milestones"]] == ["Design", "Build", "Ship"]
    assert all(set(m) == MILESTONE_KEYS for m in data["milestones"])
    assert data["progress"] == {"done": 1, "total": 3}


def test_a_project_without_milestones_has_zero_progress(user_client, project):
    data = data_of(user_client.get(f"{API}/projects/{project.pk}"))
    assert data["milestones"] == []
    assert data["progress"] == {"done": 0, "total": 0}


def test_a_missing_project_is_a_404(user_client):
    response = user_client.get(f"{API}/projects/00000000-0000-4000-8000-000000000000")
    error_of(response, 404, "NOT_FOUND")


# --- Update and delete ----------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(user_client, project):
    project.description, project.budget = "Keep me", Decimal("100")
    project.save()
    response = user_client.patch(
        f"{API}/projects/{project.pk}", {"status": "on_hold", "hourlyRate": 120}, format="json"
    )
    data = data_of(response)
    assert set(data) == PROJECT_KEYS
    assert (data["name"], data["description"], data["budget"]) == ("Engine", "Keep me", "100.00")
    assert (data["status"], data["hourlyRate"]) == ("on_hold", "120.00")
    project.refresh_from_db()
    assert (project.status, project.hourly_rate, project.name) == (
        "on_hold",
        Decimal("120.00"),
        "Engine",
    )
    event = ActivityEvent.objects.get(verb="project.updated", target_id=project.pk)
    assert set(event.changes) == {"status", "hourly_rate"}


def test_a_patch_moving_the_due_date_before_the_start_is_a_400(user_client, project):
    project.start_date, project.due_date = date(2030, 1, 1), date(2030, 6, 1)
    project.save()
    response = user_client.patch(
        f"{API}/projects/{project.pk}", {"dueDate": "2029-12-31"}, format="json"
    )
    error_of(response, 400, "VALIDATION_ERROR", field="dueDate")
    project.refresh_from_db()
    assert project.due_date == date(2030, 6, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": 123}, "name"), ({"budget": -5}, "budget"), ({"status": "done"}, "status")],
)
def test_an_invalid_project_patch_is_a_400_and_changes_nothing(user_client, project, body, field):
    response = user_client.patch(f"{API}/projects/{project.pk}", body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    project.refresh_from_db()
    assert (project.name, project.budget, project.status) == ("Engine", None, "active")


def test_deleting_a_project_removes_it_with_its_milestones_notes_and_time(
    user_client, user, project
):
    milestone = MilestoneFactory(project=project)
    note = NoteFactory(project=project)
    entry = TimeEntryFactory(project=project, user=user)
    sibling = ProjectFactory(client=project.client)
    sibling_milestone = MilestoneFactory(project=sibling)

    response = user_client.delete(f"{API}/projects/{project.pk}")

    assert response.status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert not Note.objects.filter(pk=note.pk).exists()
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()
    assert Milestone.objects.filter(pk=sibling_milestone.pk).exists()
    event = ActivityEvent.objects.get(verb="project.deleted", target_id=project.pk)
    assert event.client_id == project.client_id
    error_of(user_client.get(f"{API}/projects/{project.pk}"), 404, "NOT_FOUND")


# --- Milestones -----------------------------------------------------------------------------


def milestones_url(project, milestone=None) -> str:
    url = f"{API}/projects/{project.pk}/milestones"
    return f"{url}/{milestone.pk}" if milestone else url


def test_creating_milestones_numbers_them_in_order(user_client, project):
    first = data_of(
        user_client.post(
            milestones_url(project), {"title": "Design", "dueDate": "2030-01-15"}, format="json"
        ),
        201,
    )
    second = data_of(
        user_client.post(milestones_url(project), {"title": "Build"}, format="json"), 201
    )
    assert set(first) == MILESTONE_KEYS
    assert first["projectId"] == str(project.pk)
    assert (first["title"], first["dueDate"], first["done"], first["completedAt"]) == (
        "Design",
        "2030-01-15",
        False,
        None,
    )
    assert (first["order"], second["order"]) == (0, 1)
    assert ActivityEvent.objects.filter(verb="milestone.created").count() == 2


def test_a_milestone_goes_after_the_highest_order_not_the_count(user_client, project):
    MilestoneFactory(project=project, order=7)
    data = data_of(user_client.post(milestones_url(project), {"title": "Next"}, format="json"), 201)
    assert data["order"] == 8


def test_an_explicit_order_is_kept(user_client, project):
    data = data_of(
        user_client.post(milestones_url(project), {"title": "X", "order": 42}, format="json"), 201
    )
    assert data["order"] == 42


def test_a_new_milestone_cannot_be_created_done(user_client, project):
    data = data_of(
        user_client.post(milestones_url(project), {"title": "X", "done": True}, format="json"), 201
    )
    assert data["done"] is False
    assert data["completedAt"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": 5}, "title"),
        ({"title": "X", "order": -1}, "order"),
        ({"title": "X", "dueDate": "tomorrow"}, "dueDate"),
    ],
)
def test_invalid_milestone_fields_are_a_400(user_client, project, body, field):
    response = user_client.post(milestones_url(project), body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not Milestone.objects.exists()


def test_the_milestone_list_is_in_order_and_not_paged(user_client, project):
    MilestoneFactory(project=project, title="B", order=2)
    MilestoneFactory(project=project, title="A", order=1)
    MilestoneFactory(project=ProjectFactory(client=project.client), title="Other")
    response = user_client.get(milestones_url(project))
    data = data_of(response)
    assert [m["title"] for m in data] == ["A", "B"]
    assert "meta" not in response.json()


def test_the_milestone_list_costs_the_same_queries_for_one_or_thirty(user_client, project):
    MilestoneFactory(project=project)
    with CaptureQueriesContext(connection) as one:
        data_of(user_client.get(milestones_url(project)))
    MilestoneFactory.create_batch(29, project=project)
    with CaptureQueriesContext(connection) as thirty:
        assert len(data_of(user_client.get(milestones_url(project)))) == 30
    assert len(thirty) == len(one)


def test_retrieving_a_milestone(user_client, project):
    milestone = MilestoneFactory(project=project, title="Design")
    data = data_of(user_client.get(milestones_url(project, milestone)))
    assert set(data) == MILESTONE_KEYS
    assert (data["id"], data["title"]) == (str(milestone.pk), "Design")


def test_completing_a_milestone_sets_completed_at_and_records_it(user_client, user, project):
    milestone = MilestoneFactory(project=project)
    data = data_of(
        user_client.patch(milestones_url(project, milestone), {"done": True}, format="json")
    )
    assert data["done"] is True
    assert data["completedAt"] is not None
    milestone.refresh_from_db()
    assert milestone.done and milestone.completed_at is not None
    event = ActivityEvent.objects.get(verb="milestone.completed", target_id=milestone.pk)
    assert event.actor == user
    assert event.project_id == project.pk
    assert data_of(user_client.get(f"{API}/projects/{project.pk}"))["progress"] == {
        "done": 1,
        "total": 1,
    }


def test_reopening_a_milestone_clears_completed_at_and_records_it(user_client, project):
    milestone = MilestoneFactory(project=project, done=True, completed_at=timezone.now())
    response = user_client.patch(milestones_url(project, milestone), {"done": False}, format="json")
    data = data_of(response)
    assert data["done"] is False
    assert data["completedAt"] is None
    assert ActivityEvent.objects.filter(verb="milestone.reopened", target_id=milestone.pk).exists()
    assert not ActivityEvent.objects.filter(verb="milestone.completed").exists()


def test_completing_a_done_milestone_again_records_nothing(user_client, project):
    done_at = timezone.now() - timedelta(days=1)
    milestone = MilestoneFactory(project=project, done=True, completed_at=done_at)
    data = data_of(
        user_client.patch(milestones_url(project, milestone), {"done": True}, format="json")
    )
    assert data["done"] is True
    milestone.refresh_from_db()
    assert milestone.completed_at == done_at
    assert not ActivityEvent.objects.filter(target_id=milestone.pk).exists()


def test_editing_a_milestones_title_records_an_update(user_client, project):
    milestone = MilestoneFactory(project=project, title="Old", order=3)
    data = data_of(
        user_client.patch(milestones_url(project, milestone), {"title": "New"}, format="json")
    )
    assert (data["title"], data["order"], data["done"]) == ("New", 3, False)
    event = ActivityEvent.objects.get(verb="milestone.updated", target_id=milestone.pk)
    assert event.changes == {"title": ["Old", "New"]}


def test_an_invalid_milestone_patch_is_a_400(user_client, project):
    milestone = MilestoneFactory(project=project, title="Old")
    response = user_client.patch(milestones_url(project, milestone), {"title": 1}, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field="title")
    milestone.refresh_from_db()
    assert milestone.title == "Old"


def test_deleting_a_milestone(user_client, project):
    milestone = MilestoneFactory(project=project)
    response = user_client.delete(milestones_url(project, milestone))
    assert response.status_code == 204
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert ActivityEvent.objects.filter(verb="milestone.deleted", target_id=milestone.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_milestone_of_another_project_under_this_projects_url_is_a_404(
    user_client, project, method
):
    other = MilestoneFactory(project=ProjectFactory(client=project.client), title="Theirs")
    url = milestones_url(project, other)
    response = getattr(user_client, method)(url, {"done": True}, format="json")
    error_of(response, 404, "NOT_FOUND")
    other.refresh_from_db()
    assert (other.title, other.done) == ("Theirs", False)


def test_a_viewer_can_read_but_not_complete_milestones(login):
    team = WorkspaceFactory()
    project = ProjectFactory(client=ClientFactory(workspace=team))
    milestone = MilestoneFactory(project=project)
    api, _, _ = login(member_of(team, Role.VIEWER))
    header = {"HTTP_X_WORKSPACE_ID": str(team.pk)}
    assert len(data_of(api.get(milestones_url(project), **header))) == 1
    response = api.patch(
        milestones_url(project, milestone), {"done": True}, format="json", **header
    )
    error_of(response, 403, "FORBIDDEN")
    milestone.refresh_from_db()
    assert milestone.done is False
