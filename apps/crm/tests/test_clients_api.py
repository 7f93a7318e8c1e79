"""Clients over the API: create, read, filter, page, update, archive and delete."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.core.testing import data_of, error_of
from apps.crm import services
from apps.crm.models import Client, Milestone, Note, NoteVersion, Project, TimeEntry
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

CLIENTS = "/api/v1/clients"
CLIENT_KEYS = {
    "id", "name", "company", "email", "phone", "status", "archived", "archivedAt", "createdAt",
    "updatedAt",
}  # fmt: skip


@pytest.fixture
def workspace(user):
    return user.personal_workspace


@pytest.fixture
def foreign_client(db):
    """A client in a team the signed-in user is not a member of."""
    return ClientFactory(workspace=WorkspaceFactory())


def names(response) -> list[str]:
    return [row["name"] for row in data_of(response)]


# --- Create ---------------------------------------------------------------------------------


def test_creating_a_client_answers_201_with_the_full_row(user_client, workspace, user):
    response = user_client.post(
        CLIENTS,
        {
            "name": "Ada Lovelace",
            "company": "Analytical Engines",
            "email": "Ada@Engines.io",
            "phone": "+44 20 7946 0000",
            "status": "paused",
        },
        format="json",
    )
    data = data_of(response, 201)
    assert set(data) == CLIENT_KEYS
    assert data["name"] == "Ada Lovelace"
    assert data["company"] == "Analytical Engines"
    assert data["email"] == "ada@engines.io"
    assert data["phone"] == "+44 20 7946 0000"
    assert data["status"] == "paused"
    assert data["archived"] is False
    assert data["archivedAt"] is None
    client = Client.objects.get(pk=data["id"])
    assert client.workspace == workspace
    assert client.created_by == user
    assert ActivityEvent.objects.filter(verb="client.created", target_id=client.pk).exists()


def test_a_new_client_is_active_with_blank_optional_fields(user_client):
    data = data_of(user_client.post(CLIENTS, {"name": "Grace"}, format="json"), 201)
    assert data["status"] == "active"
    assert (data["company"], data["email"], data["phone"]) == ("", "", "")


def test_creating_a_client_without_a_name_is_a_400(user_client):
    response = user_client.post(CLIENTS, {"company": "Nameless Ltd"}, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field="name")
    assert not Client.objects.filter(company="Nameless Ltd").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 123}, "name"),
        ({"name": True}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ada", "company": 7}, "company"),
        ({"name": "Ada", "status": "sleeping"}, "status"),
        ({"name": "Ada", "email": "not-an-email"}, "email"),
        ({"name": "Ada", "email": 42}, "email"),
    ],
)
def test_invalid_client_fields_are_a_400_naming_the_field(user_client, body, field):
    response = user_client.post(CLIENTS, body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert Client.objects.count() == 0


def test_malformed_json_is_a_400(user_client):
    response = user_client.post(CLIENTS, '{"name": "Ada",', content_type="application/json")
    error_of(response, 400, "MALFORMED_REQUEST")
    assert Client.objects.count() == 0


def test_a_json_list_instead_of_an_object_is_a_400(user_client):
    response = user_client.post(CLIENTS, [{"name": "Ada"}], format="json")
    error_of(response, 400, "VALIDATION_ERROR")
    assert Client.objects.count() == 0


def test_a_viewer_cannot_create_a_client(login):
    team = WorkspaceFactory()
    viewer = member_of(team, Role.VIEWER)
    client, _, _ = login(viewer)
    response = client.post(
        CLIENTS, {"name": "Ada"}, format="json", HTTP_X_WORKSPACE_ID=str(team.pk)
    )
    error_of(response, 403, "FORBIDDEN")
    assert not Client.objects.filter(workspace=team).exists()


def test_a_member_creates_a_client_in_the_team_named_by_the_header(login):
    team = WorkspaceFactory()
    member = member_of(team, Role.MEMBER)
    client, _, _ = login(member)
    response = client.post(
        CLIENTS, {"name": "Ada"}, format="json", HTTP_X_WORKSPACE_ID=str(team.pk)
    )
    data = data_of(response, 201)
    assert Client.objects.get(pk=data["id"]).workspace == team


# --- Anonymous and outsiders ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "/{id}"),
        ("patch", "/{id}"),
        ("delete", "/{id}"),
        ("patch", "/{id}/archive"),
        ("patch", "/{id}/unarchive"),
        ("get", "/{id}/time-summary"),
    ],
)
def test_anonymous_requests_are_a_401(api_client, workspace, method, suffix):
    client = ClientFactory(workspace=workspace)
    url = CLIENTS + suffix.format(id=client.pk)
    response = getattr(api_client, method)(url, {}, format="json")
    error_of(response, 401, "UNAUTHORIZED")
    assert Client.objects.filter(pk=client.pk, archived_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("patch", "/archive"),
        ("post", "/archive"),
        ("patch", "/unarchive"),
        ("get", "/time-summary"),
        ("get", "/projects"),
        ("post", "/projects"),
        ("get", "/notes"),
        ("post", "/notes"),
    ],
)
def test_outsider_gets_404_for_another_workspaces_client(
    user_client, foreign_client, method, suffix
):
    url = f"{CLIENTS}/{foreign_client.pk}{suffix}"
    body = {"name": "Mine now", "body": "<p>hello</p>"}
    response = getattr(user_client, method)(url, body, format="json")
    error_of(response, 404, "NOT_FOUND")
    foreign_client.refresh_from_db()
    assert foreign_client.name != "Mine now"
    assert foreign_client.archived_at is None
    assert not Project.objects.filter(client=foreign_client).exists()
    assert not Note.objects.filter(client=foreign_client).exists()


def test_another_workspaces_clients_do_not_appear_in_the_list(
    user_client, workspace, foreign_client
):
    mine = ClientFactory(workspace=workspace)
    data = data_of(user_client.get(CLIENTS))
    assert [row["id"] for row in data] == [str(mine.pk)]


def test_naming_a_workspace_you_are_not_in_is_a_404(user_client, foreign_client):
    response = user_client.get(CLIENTS, HTTP_X_WORKSPACE_ID=str(foreign_client.workspace_id))
    error_of(response, 404, "NOT_FOUND")


def test_a_missing_client_is_a_404(user_client):
    response = user_client.get(f"{CLIENTS}/00000000-0000-4000-8000-000000000000")
    error_of(response, 404, "NOT_FOUND")


# --- Read -----------------------------------------------------------------------------------


def test_retrieving_a_client_answers_its_row(user_client, workspace):
    client = ClientFactory(workspace=workspace, name="Ada", company="AE", email="a@e.io")
    data = data_of(user_client.get(f"{CLIENTS}/{client.pk}"))
    assert set(data) == CLIENT_KEYS
    assert data["id"] == str(client.pk)
    assert (data["name"], data["company"], data["email"]) == ("Ada", "AE", "a@e.io")
    assert data["archived"] is False


def test_a_viewer_can_read_the_clients_of_the_team(login):
    team = WorkspaceFactory()
    ClientFactory(workspace=team, name="Ada")
    viewer = member_of(team, Role.VIEWER)
    client, _, _ = login(viewer)
    assert names(client.get(CLIENTS, HTTP_X_WORKSPACE_ID=str(team.pk))) == ["Ada"]


# --- List filters ---------------------------------------------------------------------------


@pytest.fixture
def three_statuses(workspace):
    return {
        status: ClientFactory(workspace=workspace, name=status.title(), status=status)
        for status in ("active", "paused", "completed")
    }


def test_clients_filter_by_one_status(user_client, three_statuses):
    assert names(user_client.get(CLIENTS, {"status": "paused"})) == ["Paused"]


def test_clients_filter_by_a_comma_list_of_statuses(user_client, three_statuses):
    response = user_client.get(CLIENTS, {"status": "active,completed", "ordering": "name"})
    assert names(response) == ["Active", "Completed"]


def test_an_unknown_status_filter_is_a_400(user_client, three_statuses):
    response = user_client.get(CLIENTS, {"status": "active,sleeping"})
    error = error_of(response, 400, "VALIDATION_ERROR", field="status")
    assert "sleeping" in error["details"][0]["message"]


@pytest.fixture
def archived_and_live(workspace):
    live = ClientFactory(workspace=workspace, name="Live")
    archived = ClientFactory(workspace=workspace, name="Gone", archived_at=timezone.now())
    return live, archived


def test_the_list_hides_archived_clients_by_default(user_client, archived_and_live):
    assert names(user_client.get(CLIENTS)) == ["Live"]


def test_archived_true_lists_only_archived_clients(user_client, archived_and_live):
    assert names(user_client.get(CLIENTS, {"archived": "true"})) == ["Gone"]


def test_archived_all_lists_both(user_client, archived_and_live):
    response = user_client.get(CLIENTS, {"archived": "all", "ordering": "name"})
    assert names(response) == ["Gone", "Live"]


def test_an_unknown_archived_value_is_a_400(user_client):
    error_of(user_client.get(CLIENTS, {"archived": "maybe"}), 400, "VALIDATION_ERROR", "archived")


@pytest.fixture
def searchable(workspace):
    ClientFactory(workspace=workspace, name="Ada Lovelace", company="Engines", email="a@x.io")
    ClientFactory(workspace=workspace, name="Grace", company="Navy Computing", email="g@x.io")
    ClientFactory(workspace=workspace, name="Alan", company="Bletchley", email="alan@bombe.uk")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("lovelace", ["Ada Lovelace"]),
        ("NAVY", ["Grace"]),
        ("Bombe", ["Alan"]),
        ("x.io", ["Ada Lovelace", "Grace"]),
        ("nobody", []),
    ],
)
def test_search_matches_name_company_or_email_ignoring_case(
    user_client, searchable, term, expected
):
    assert names(user_client.get(CLIENTS, {"search": term, "ordering": "name"})) == expected


@pytest.fixture
def ordered_clients(workspace):
    """Bravo created first, then Charlie, then Alpha; Charlie updated last."""
    start = timezone.now() - timedelta(days=3)
    rows = [("Bravo", "paused"), ("Charlie", "active"), ("Alpha", "completed")]
    for index, (name, status) in enumerate(rows):
        client = ClientFactory(workspace=workspace, name=name, status=status)
        Client.objects.filter(pk=client.pk).update(
            created_at=start + timedelta(hours=index),
            updated_at=start + timedelta(hours=10 + (5 if name == "Charlie" else index)),
        )


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["Alpha", "Charlie", "Bravo"]),
        ("name", ["Alpha", "Bravo", "Charlie"]),
        ("-name", ["Charlie", "Bravo", "Alpha"]),
        ("createdAt", ["Bravo", "Charlie", "Alpha"]),
        ("-createdAt", ["Alpha", "Charlie", "Bravo"]),
        ("updatedAt", ["Bravo", "Alpha", "Charlie"]),
        ("-updatedAt", ["Charlie", "Alpha", "Bravo"]),
        ("status", ["Charlie", "Alpha", "Bravo"]),
    ],
)
def test_clients_are_ordered_as_asked(user_client, ordered_clients, ordering, expected):
    params = {"ordering": ordering} if ordering else {}
    assert names(user_client.get(CLIENTS, params)) == expected


@pytest.mark.parametrize("ordering", ["email", "created_at", "-status", "name;drop"])
def test_an_unknown_ordering_is_a_400(user_client, ordering):
    error_of(user_client.get(CLIENTS, {"ordering": ordering}), 400, "VALIDATION_ERROR", "ordering")


# --- Pagination -----------------------------------------------------------------------------


def test_pages_carry_total_page_per_page_and_total_pages(user_client, workspace):
    ClientFactory.create_batch(5, workspace=workspace)
    response = user_client.get(CLIENTS, {"perPage": 2, "page": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"total": 5, "page": 3, "perPage": 2, "totalPages": 3}
    assert len(body["data"]) == 1


def test_pages_together_list_every_client_once(user_client, workspace):
    created = {str(client.pk) for client in ClientFactory.create_batch(5, workspace=workspace)}
    seen = []
    for page in (1, 2, 3):
        seen += [
            row["id"] for row in data_of(user_client.get(CLIENTS, {"perPage": 2, "page": page}))
        ]
    assert sorted(seen) == sorted(created)


def test_the_default_page_size_is_20(user_client, workspace):
    ClientFactory.create_batch(21, workspace=workspace)
    body = user_client.get(CLIENTS).json()
    assert body["meta"] == {"total": 21, "page": 1, "perPage": 20, "totalPages": 2}
    assert len(body["data"]) == 20


def test_per_page_above_100_is_capped_at_100(user_client, workspace):
    ClientFactory.create_batch(101, workspace=workspace)
    body = user_client.get(CLIENTS, {"perPage": 500}).json()
    assert body["meta"] == {"total": 101, "page": 1, "perPage": 100, "totalPages": 2}
    assert len(body["data"]) == 100


def test_an_empty_list_has_zero_pages(user_client):
    body = user_client.get(CLIENTS).json()
    assert body["data"] == []
    assert body["meta"] == {"total": 0, "page": 1, "perPage": 20, "totalPages": 0}


def test_a_page_past_the_end_is_a_404(user_client, workspace):
    ClientFactory(workspace=workspace)
    error_of(user_client.get(CLIENTS, {"page": 5}), 404, "NOT_FOUND")


def test_the_list_costs_the_same_queries_for_one_client_or_thirty(user_client, workspace):
    ClientFactory(workspace=workspace)
    with CaptureQueriesContext(connection) as one:
        data_of(user_client.get(CLIENTS))
    ClientFactory.create_batch(29, workspace=workspace)
    with CaptureQueriesContext(connection) as thirty:
        assert len(data_of(user_client.get(CLIENTS, {"perPage": 30}))) == 30
    assert len(thirty) == len(one)


# --- Update ---------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(user_client, workspace):
    client = ClientFactory(
        workspace=workspace, name="Ada", company="AE", email="a@e.io", phone="1", status="active"
    )
    response = user_client.patch(
        f"{CLIENTS}/{client.pk}", {"phone": "555", "status": "paused"}, format="json"
    )
    data = data_of(response)
    assert (data["name"], data["company"], data["email"]) == ("Ada", "AE", "a@e.io")
    assert (data["phone"], data["status"]) == ("555", "paused")
    client.refresh_from_db()
    assert (client.name, client.company, client.email, client.phone, client.status) == (
        "Ada",
        "AE",
        "a@e.io",
        "555",
        "paused",
    )
    event = ActivityEvent.objects.get(verb="client.updated", target_id=client.pk)
    assert set(event.changes) == {"phone", "status"}


def test_patch_with_nothing_new_changes_nothing_and_records_nothing(user_client, workspace):
    client = ClientFactory(workspace=workspace, name="Ada")
    data = data_of(user_client.patch(f"{CLIENTS}/{client.pk}", {"name": "Ada"}, format="json"))
    assert data["name"] == "Ada"
    assert not ActivityEvent.objects.filter(verb="client.updated").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 123}, "name"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"status": "sleeping"}, "status"),
        ({"email": "nope"}, "email"),
    ],
)
def test_an_invalid_patch_is_a_400_and_changes_nothing(user_client, workspace, body, field):
    client = ClientFactory(workspace=workspace, name="Ada", email="a@e.io")
    response = user_client.patch(f"{CLIENTS}/{client.pk}", body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    client.refresh_from_db()
    assert (client.name, client.status, client.email) == ("Ada", "active", "a@e.io")


def test_malformed_json_in_a_patch_is_a_400(user_client, workspace):
    client = ClientFactory(workspace=workspace, name="Ada")
    response = user_client.patch(
        f"{CLIENTS}/{client.pk}", "{name: Ada}", content_type="application/json"
    )
    error_of(response, 400, "MALFORMED_REQUEST")


# --- Archive --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "post"])
def test_archiving_sets_archived_and_archived_at(user_client, workspace, method):
    client = ClientFactory(workspace=workspace)
    data = data_of(getattr(user_client, method)(f"{CLIENTS}/{client.pk}/archive"))
    assert set(data) == CLIENT_KEYS
    assert data["archived"] is True
    assert data["archivedAt"] is not None
    client.refresh_from_db()
    assert client.archived_at is not None
    assert ActivityEvent.objects.filter(verb="client.archived", target_id=client.pk).exists()


def test_archiving_twice_is_a_409(user_client, workspace):
    client = ClientFactory(workspace=workspace)
    data_of(user_client.patch(f"{CLIENTS}/{client.pk}/archive"))
    first = Client.objects.get(pk=client.pk).archived_at
    error_of(user_client.patch(f"{CLIENTS}/{client.pk}/archive"), 409, "ALREADY_ARCHIVED")
    assert Client.objects.get(pk=client.pk).archived_at == first


def test_unarchiving_brings_the_client_back(user_client, workspace):
    client = ClientFactory(workspace=workspace, name="Back", archived_at=timezone.now())
    data = data_of(user_client.patch(f"{CLIENTS}/{client.pk}/unarchive"))
    assert data["archived"] is False
    assert data["archivedAt"] is None
    assert names(user_client.get(CLIENTS)) == ["Back"]
    assert ActivityEvent.objects.filter(verb="client.unarchived", target_id=client.pk).exists()


def test_unarchiving_a_live_client_is_a_409(user_client, workspace):
    client = ClientFactory(workspace=workspace)
    error_of(user_client.patch(f"{CLIENTS}/{client.pk}/unarchive"), 409, "NOT_ARCHIVED")


def test_an_archived_client_can_still_be_read(user_client, workspace):
    client = ClientFactory(workspace=workspace, archived_at=timezone.now())
    assert data_of(user_client.get(f"{CLIENTS}/{client.pk}"))["archived"] is True


def test_adding_a_project_to_an_archived_client_is_a_409(user_client, workspace):
    client = ClientFactory(workspace=workspace, archived_at=timezone.now())
    response = user_client.post(f"{CLIENTS}/{client.pk}/projects", {"name": "X"}, format="json")
    error_of(response, 409, "CLIENT_ARCHIVED")
    assert not Project.objects.filter(client=client).exists()


# --- Delete ---------------------------------------------------------------------------------


def test_deleting_a_client_answers_204_and_removes_the_row(user_client, workspace):
    client = ClientFactory(workspace=workspace)
    response = user_client.delete(f"{CLIENTS}/{client.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Client.objects.filter(pk=client.pk).exists()
    error_of(user_client.get(f"{CLIENTS}/{client.pk}"), 404, "NOT_FOUND")


def test_deleting_a_client_removes_its_work_but_keeps_its_history(user_client, user, workspace):
    client = services.create_client(workspace=workspace, actor=user, name="Ada")
    project = services.create_project(client=client, actor=user, name="Engine")
    milestone = services.create_milestone(project=project, actor=user, title="Design")
    client_note = services.create_note(actor=user, body="<p>Met Ada</p>", client=client)
    project_note = services.create_note(actor=user, body="<p>Plans</p>", project=project)
    services.update_note(note=project_note, actor=user, body="<p>Plans v2</p>")
    entry = TimeEntryFactory(project=project, milestone=milestone, user=user)
    other_client = ClientFactory(workspace=workspace)
    other_project = ProjectFactory(client=other_client)
    other_milestone = MilestoneFactory(project=other_project)
    other_note = NoteFactory(project=other_project)
    other_entry = TimeEntryFactory(project=other_project, user=user)
    events_before = ActivityEvent.objects.filter(client_id=client.pk).count()
    assert events_before >= 5

    response = user_client.delete(f"{CLIENTS}/{client.pk}")

    assert response.status_code == 204
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert not Note.objects.filter(pk__in=[client_note.pk, project_note.pk]).exists()
    assert not NoteVersion.objects.filter(note_id=project_note.pk).exists()
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()
    assert ActivityEvent.objects.filter(client_id=client.pk).count() == events_before + 1
    deleted = ActivityEvent.objects.get(verb="client.deleted", target_id=client.pk)
    assert deleted.actor == user
    assert deleted.target_label == "Ada"
    # The rest of the workspace is untouched.
    assert Project.objects.filter(pk=other_project.pk).exists()
    assert Milestone.objects.filter(pk=other_milestone.pk).exists()
    assert Note.objects.filter(pk=other_note.pk).exists()
    assert TimeEntry.objects.filter(pk=other_entry.pk).exists()


def test_a_viewer_cannot_delete_a_client(login):
    team = WorkspaceFactory()
    client_row = ClientFactory(workspace=team)
    viewer = member_of(team, Role.VIEWER)
    client, _, _ = login(viewer)
    response = client.delete(f"{CLIENTS}/{client_row.pk}", HTTP_X_WORKSPACE_ID=str(team.pk))
    error_of(response, 403, "FORBIDDEN")
    assert Client.objects.filter(pk=client_row.pk).exists()
