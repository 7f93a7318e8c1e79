"""Notes on clients and projects: sanitized rich text, versions, and edit conflicts."""

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.core.testing import data_of, error_of
from apps.crm.models import Note, NoteVersion
from apps.crm.tests.factories import ClientFactory, NoteFactory, ProjectFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOTE_KEYS = {
    "id", "clientId", "projectId", "title", "body", "version", "author", "createdAt", "updatedAt",
}  # fmt: skip
VERSION_KEYS = {"id", "version", "title", "body", "editedById", "createdAt"}


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
def note(client_row, user):
    return NoteFactory(
        project=None,
        client=client_row,
        title="Call",
        body="<p>First</p>",
        body_text="First",
        author=user,
        updated_by=user,
    )


def note_url(note) -> str:
    return f"{API}/notes/{note.pk}"


# --- Create ---------------------------------------------------------------------------------


def test_creating_a_note_on_a_client(user_client, user, client_row):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/notes",
        {"title": "  Kickoff  ", "body": "<p>Met <b>Ada</b></p>"},
        format="json",
    )
    data = data_of(response, 201)
    assert set(data) == NOTE_KEYS
    assert data["clientId"] == str(client_row.pk)
    assert data["projectId"] is None
    assert data["title"] == "Kickoff"
    assert data["body"] == "<p>Met <b>Ada</b></p>"
    assert data["version"] == 1
    assert data["author"] == {"id": str(user.pk), "name": user.name}
    note = Note.objects.get(pk=data["id"])
    assert note.workspace_id == client_row.workspace_id
    assert note.body_text == "Met Ada"
    event = ActivityEvent.objects.get(verb="note.created", target_id=note.pk)
    assert (event.client_id, event.project_id) == (client_row.pk, None)


def test_creating_a_note_on_a_project(user_client, project):
    response = user_client.post(
        f"{API}/projects/{project.pk}/notes", {"body": "<p>Plans</p>"}, format="json"
    )
    data = data_of(response, 201)
    assert (data["projectId"], data["clientId"]) == (str(project.pk), None)
    assert data["title"] == ""
    event = ActivityEvent.objects.get(verb="note.created", target_id=data["id"])
    assert (event.client_id, event.project_id) == (project.client_id, project.pk)


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ('<p onclick="steal()">Hi</p>', "<p>Hi</p>"),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="https://example.com">site</a>',
            '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>',
        ),
        ("<b>bold</b> and <i>it</i>", "<b>bold</b> and <i>it</i>"),
        ('<img src=x onerror="steal()">text', "text"),
        ('<p style="color:red">red</p>', "<p>red</p>"),
    ],
)
def test_note_bodies_are_sanitized(user_client, client_row, dirty, clean):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/notes", {"body": dirty}, format="json"
    )
    data = data_of(response, 201)
    assert data["body"] == clean
    assert Note.objects.get(pk=data["id"]).body == clean


def test_a_sanitized_link_keeps_its_href_and_gets_rel_noopener(user_client, client_row):
    data = data_of(
        user_client.post(
            f"{API}/clients/{client_row.pk}/notes",
            {"body": '<a href="https://example.com/x" onclick="x()">docs</a>'},
            format="json",
        ),
        201,
    )
    assert 'href="https://example.com/x"' in data["body"]
    assert "noopener" in data["body"]
    assert "onclick" not in data["body"]


@pytest.mark.parametrize(
    "body", ["<p></p>", "   ", "<p> <br> </p>", "<script>alert(1)</script>", "<img src=x>"]
)
def test_a_note_with_no_text_is_a_400(user_client, client_row, body):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/notes", {"body": body}, format="json"
    )
    error_of(response, 400, "VALIDATION_ERROR", field="body")
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": 12}, "body"),
        ({"body": "<p>x</p>", "title": 5}, "title"),
        ({"body": "<p>x</p>", "title": "t" * 201}, "title"),
    ],
)
def test_invalid_note_fields_are_a_400(user_client, client_row, body, field):
    response = user_client.post(f"{API}/clients/{client_row.pk}/notes", body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not Note.objects.exists()


def test_malformed_json_for_a_note_is_a_400(user_client, client_row):
    response = user_client.post(
        f"{API}/clients/{client_row.pk}/notes", '{"body": ', content_type="application/json"
    )
    error_of(response, 400, "MALFORMED_REQUEST")


def test_a_viewer_cannot_write_a_note(login):
    team = WorkspaceFactory()
    client_row = ClientFactory(workspace=team)
    api, _, _ = login(member_of(team, Role.VIEWER))
    response = api.post(
        f"{API}/clients/{client_row.pk}/notes",
        {"body": "<p>hi</p>"},
        format="json",
        HTTP_X_WORKSPACE_ID=str(team.pk),
    )
    error_of(response, 403, "FORBIDDEN")
    assert not Note.objects.exists()


# --- Lists ----------------------------------------------------------------------------------


def test_client_notes_and_project_notes_are_listed_separately(user_client, client_row, project):
    on_client = NoteFactory(project=None, client=client_row)
    on_project = NoteFactory(project=project)
    NoteFactory(project=ProjectFactory(client=client_row))

    client_list = user_client.get(f"{API}/clients/{client_row.pk}/notes")
    project_list = user_client.get(f"{API}/projects/{project.pk}/notes")

    assert [row["id"] for row in data_of(client_list)] == [str(on_client.pk)]
    assert [row["id"] for row in data_of(project_list)] == [str(on_project.pk)]
    assert set(data_of(client_list)[0]) == NOTE_KEYS
    assert client_list.json()["meta"] == {"total": 1, "page": 1, "perPage": 20, "totalPages": 1}


def test_notes_are_listed_newest_first(user_client, client_row):
    NoteFactory(project=None, client=client_row, title="Older")
    NoteFactory(project=None, client=client_row, title="Newer")
    rows = data_of(user_client.get(f"{API}/clients/{client_row.pk}/notes"))
    assert [row["title"] for row in rows] == ["Newer", "Older"]


def test_a_note_without_an_author_shows_author_null(user_client, client_row):
    NoteFactory(project=None, client=client_row, author=None)
    [row] = data_of(user_client.get(f"{API}/clients/{client_row.pk}/notes"))
    assert row["author"] is None


def test_the_note_list_costs_the_same_queries_for_one_note_or_thirty(user_client, project):
    url = f"{API}/projects/{project.pk}/notes"
    NoteFactory(project=project, author=UserFactory())
    with CaptureQueriesContext(connection) as one:
        data_of(user_client.get(url))
    NoteFactory.create_batch(29, project=project, author=factory.SubFactory(UserFactory))
    with CaptureQueriesContext(connection) as thirty:
        assert len(data_of(user_client.get(url, {"perPage": 30}))) == 30
    assert len(thirty) == len(one)


def test_retrieving_a_note(user_client, user, note):
    data = data_of(user_client.get(note_url(note)))
    assert set(data) == NOTE_KEYS
    assert (data["id"], data["title"], data["body"], data["version"]) == (
        str(note.pk),
        "Call",
        "<p>First</p>",
        1,
    )
    assert data["author"] == {"id": str(user.pk), "name": user.name}


# --- Anonymous and outsiders ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/clients/{client}/notes"),
        ("post", "/clients/{client}/notes"),
        ("get", "/projects/{project}/notes"),
        ("post", "/projects/{project}/notes"),
        ("get", "/notes/{note}"),
        ("patch", "/notes/{note}"),
        ("delete", "/notes/{note}"),
        ("get", "/notes/{note}/versions"),
    ],
)
def test_anonymous_requests_are_a_401(api_client, note, project, method, path):
    url = API + path.format(client=note.client_id, project=project.pk, note=note.pk)
    response = getattr(api_client, method)(url, {"body": "<p>Changed</p>"}, format="json")
    error_of(response, 401, "UNAUTHORIZED")
    assert Note.objects.get().body == "<p>First</p>"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/projects/{project}/notes"),
        ("post", "/projects/{project}/notes"),
        ("get", "/notes/{note}"),
        ("patch", "/notes/{note}"),
        ("delete", "/notes/{note}"),
        ("get", "/notes/{note}/versions"),
    ],
)
def test_outsider_gets_404_for_another_workspaces_note(user_client, method, path):
    foreign_project = ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory()))
    foreign_note = NoteFactory(project=foreign_project)
    url = API + path.format(project=foreign_project.pk, note=foreign_note.pk)
    response = getattr(user_client, method)(url, {"body": "<p>Mine now</p>"}, format="json")
    error_of(response, 404, "NOT_FOUND")
    assert Note.objects.get().body == "<p>Call notes</p>"
    assert not NoteVersion.objects.exists()


# --- Update, versions, conflicts ------------------------------------------------------------


def test_editing_a_note_keeps_the_previous_version(user_client, user, note):
    response = user_client.patch(note_url(note), {"body": "<p>Second</p>"}, format="json")
    data = data_of(response)
    assert set(data) == NOTE_KEYS
    assert (data["body"], data["title"], data["version"]) == ("<p>Second</p>", "Call", 2)
    [kept] = NoteVersion.objects.filter(note=note)
    assert (kept.version, kept.title, kept.body, kept.edited_by) == (
        1,
        "Call",
        "<p>First</p>",
        user,
    )
    note.refresh_from_db()
    assert (note.version, note.body_text) == (2, "Second")
    event = ActivityEvent.objects.get(verb="note.updated", target_id=note.pk)
    assert event.changes == {"body": ["v1", "v2"]}


def test_versions_list_earlier_states_newest_first(user_client, note):
    for body, title in (
        ("<p>Second</p>", None),
        ("<p>Second</p>", "Renamed"),
        ("<p>Third</p>", None),
    ):
        patch = {"body": body} if title is None else {"title": title}
        data_of(user_client.patch(note_url(note), patch, format="json"))

    response = user_client.get(f"{note_url(note)}/versions")

    rows = data_of(response)
    assert [row["version"] for row in rows] == [3, 2, 1]
    assert [(row["title"], row["body"]) for row in rows] == [
        ("Renamed", "<p>Second</p>"),
        ("Call", "<p>Second</p>"),
        ("Call", "<p>First</p>"),
    ]
    assert all(set(row) == VERSION_KEYS for row in rows)
    assert response.json()["meta"]["total"] == 3
    assert data_of(user_client.get(note_url(note)))["version"] == 4


def test_a_note_never_edited_has_no_versions(user_client, note):
    assert data_of(user_client.get(f"{note_url(note)}/versions")) == []


def test_an_edit_that_changes_nothing_makes_no_version(user_client, note):
    response = user_client.patch(
        note_url(note), {"title": "Call", "body": "<p>First</p>"}, format="json"
    )
    assert data_of(response)["version"] == 1
    assert not NoteVersion.objects.exists()
    assert not ActivityEvent.objects.filter(verb="note.updated").exists()


def test_an_edit_with_the_current_version_is_accepted(user_client, note):
    response = user_client.patch(
        note_url(note), {"body": "<p>Mine</p>", "version": 1}, format="json"
    )
    assert data_of(response)["version"] == 2


def test_an_edit_on_a_stale_version_is_a_409_and_changes_nothing(user_client, note):
    data_of(user_client.patch(note_url(note), {"body": "<p>Theirs</p>"}, format="json"))

    response = user_client.patch(
        note_url(note), {"body": "<p>Mine</p>", "version": 1}, format="json"
    )

    error = error_of(response, 409, "VERSION_CONFLICT")
    assert "version 2" in error["message"]
    note.refresh_from_db()
    assert (note.body, note.version) == ("<p>Theirs</p>", 2)
    assert NoteVersion.objects.filter(note=note).count() == 1
    assert ActivityEvent.objects.filter(verb="note.updated").count() == 1


def test_edits_are_sanitized_and_an_empty_edit_is_a_400(user_client, note):
    data = data_of(
        user_client.patch(note_url(note), {"body": "<p>ok<script>x()</script></p>"}, format="json")
    )
    assert data["body"] == "<p>ok</p>"
    response = user_client.patch(note_url(note), {"body": "<p> </p>"}, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field="body")
    note.refresh_from_db()
    assert (note.body, note.version) == ("<p>ok</p>", 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": 1}, "body"), ({"title": ["x"]}, "title"), ({"version": 0}, "version")],
)
def test_an_invalid_note_patch_is_a_400(user_client, note, body, field):
    error_of(user_client.patch(note_url(note), body, format="json"), 400, "VALIDATION_ERROR", field)
    note.refresh_from_db()
    assert note.version == 1


def test_deleting_a_note(user_client, note, client_row):
    data_of(user_client.patch(note_url(note), {"body": "<p>Second</p>"}, format="json"))
    response = user_client.delete(note_url(note))
    assert response.status_code == 204
    assert not Note.objects.filter(pk=note.pk).exists()
    assert not NoteVersion.objects.exists()
    assert data_of(user_client.get(f"{API}/clients/{client_row.pk}/notes")) == []
    assert ActivityEvent.objects.filter(verb="note.deleted", target_id=note.pk).exists()
    error_of(user_client.get(note_url(note)), 404, "NOT_FOUND")
