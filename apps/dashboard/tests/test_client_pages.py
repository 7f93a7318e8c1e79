"""Clients: the list with its filters, the form pages, and the detail page's actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.crm import services
from apps.crm.models import Client as CrmClient
from apps.crm.models import Note, Project
from apps.crm.tests.factories import ClientFactory, NoteFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of

from .helpers import shown_messages, text, verbs

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(team):
    return ClientFactory(workspace=team, name="Acme Corp", company="Acme", status="active")


@pytest.fixture
def foreign_client(db):
    stranger = UserFactory()
    return ClientFactory(workspace=stranger.personal_workspace, name="Zebulon Stranger")


@pytest.fixture
def viewer_web(browse, team):
    return browse(member_of(team, Role.VIEWER), team)


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_active_clients_and_filters_by_status_search_and_archive(web, team):
    ClientFactory(workspace=team, name="Active Alpha", status="active")
    ClientFactory(workspace=team, name="Paused Papa", status="paused")
    ClientFactory(workspace=team, name="Archived Echo", archived_at=timezone.now())

    default = text(web.get("/dashboard/clients/"))
    paused = text(web.get("/dashboard/clients/?status=paused"))
    archived = text(web.get("/dashboard/clients/?archived=archived"))
    everything = text(web.get("/dashboard/clients/?archived=all"))
    searched = text(web.get("/dashboard/clients/?q=alph&archived=all"))

    assert "Active Alpha" in default and "Paused Papa" in default
    assert "Archived Echo" not in default
    assert "Paused Papa" in paused and "Active Alpha" not in paused
    assert "Archived Echo" in archived and "Active Alpha" not in archived
    assert all(name in everything for name in ("Active Alpha", "Paused Papa", "Archived Echo"))
    assert "Active Alpha" in searched and "Paused Papa" not in searched


def test_an_unknown_filter_value_is_ignored_not_an_error(web, acme):
    response = web.get("/dashboard/clients/?status=bogus&archived=nope&page=zzz")

    assert response.status_code == 200
    assert "Acme Corp" in text(response)


def test_the_list_shows_twenty_clients_a_page_and_keeps_the_filters(web, team):
    for number in range(25):
        ClientFactory(workspace=team, name=f"Client {number:02}", status="paused")
    ClientFactory(workspace=team, name="Active One", status="active")

    first = text(web.get("/dashboard/clients/?status=paused"))
    second = text(web.get("/dashboard/clients/?status=paused&page=2"))

    assert first.count('data-label="Name"') == 20
    assert second.count('data-label="Name"') == 5
    assert "Page 1 of 2 · 25 in all" in first
    assert 'href="?status=paused&amp;page=2"' in first
    assert "Active One" not in first + second


def test_the_list_costs_the_same_queries_for_two_clients_or_twenty(web, team):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get("/dashboard/clients/").status_code == 200
        return len(captured)

    ClientFactory.create_batch(2, workspace=team)
    queries_for_the_list()  # warms the cached application settings (the maintenance banner)
    few = queries_for_the_list()
    ClientFactory.create_batch(18, workspace=team)

    assert queries_for_the_list() == few


def test_a_viewer_sees_the_list_without_the_new_client_button(viewer_web, acme):
    page = text(viewer_web.get("/dashboard/clients/"))

    assert "Acme Corp" in page
    assert "/dashboard/clients/new" not in page


# --- Creating ---------------------------------------------------------------------------------


def test_a_member_creates_a_client_and_it_is_recorded(browse, team):
    member = member_of(team, Role.MEMBER)
    web = browse(member, team)

    response = web.post(
        "/dashboard/clients/new",
        {"name": "Grace Co", "company": "Grace", "email": "g@example.com", "status": "paused"},
        follow=True,
    )

    client = CrmClient.objects.get(name="Grace Co")
    assert (client.workspace, client.status, client.created_by) == (team, "paused", member)
    assert response.redirect_chain[-1][0] == f"/dashboard/clients/{client.pk}/"
    assert "Added Grace Co." in shown_messages(response)
    event = ActivityEvent.objects.get(workspace=team, verb="client.created")
    assert (event.actor, event.target_id) == (member, client.pk)


def test_an_invalid_client_form_is_shown_again_and_creates_nothing(web):
    response = web.post("/dashboard/clients/new", {"name": "", "email": "not-an-email"})

    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert "Enter a valid email address." in text(response)
    assert not CrmClient.objects.exists()


def test_a_viewer_cannot_create_a_client(viewer_web, team):
    assert viewer_web.get("/dashboard/clients/new").status_code == 403

    response = viewer_web.post("/dashboard/clients/new", {"name": "Sneaky", "status": "active"})

    assert response.status_code == 403
    assert "Your role does not allow this" in text(response)
    assert not CrmClient.objects.exists()
    assert "client.created" not in verbs(team)


# --- The detail page --------------------------------------------------------------------------


def test_the_detail_page_shows_fields_projects_notes_and_activity(web, owner, team):
    client = services.create_client(
        workspace=team, actor=owner, name="Acme Corp", email="hi@acme.test", phone="+1 555"
    )
    services.create_project(client=client, actor=owner, name="Harbour Website")
    services.create_note(actor=owner, client=client, body="<p>Met the <em>board</em></p>")
    other = services.create_client(workspace=team, actor=owner, name="Other Client")
    services.archive_client(client=other, actor=owner)

    page = text(web.get(f"/dashboard/clients/{client.pk}/"))

    assert "hi@acme.test" in page and "+1 555" in page
    assert "Harbour Website" in page
    assert "<p>Met the <em>board</em></p>" in page
    assert 'data-verb="client.created"' in page
    assert 'data-verb="project.created"' in page
    assert 'data-verb="note.created"' in page
    assert "Olive Owner" in page
    assert 'data-verb="client.archived"' not in page  # the other client's event


def test_the_timeline_shows_the_latest_thirty_events(web, owner, team, acme):
    for number in range(32):
        services.update_client(client=acme, actor=owner, data={"phone": f"555-{number:04}"})

    page = text(web.get(f"/dashboard/clients/{acme.pk}/"))

    assert page.count('data-verb="client.updated"') == 30


def test_a_viewer_sees_the_client_without_any_edit_controls(viewer_web, acme):
    page = text(viewer_web.get(f"/dashboard/clients/{acme.pk}/"))

    assert "Acme Corp" in page
    for control in ("/edit", "/archive", "/delete", "/projects/new", "/notes"):
        assert f"/dashboard/clients/{acme.pk}{control}" not in page


@pytest.mark.parametrize("suffix", ["/", "/edit", "/delete", "/projects/new"])
def test_another_workspaces_client_answers_404(web, foreign_client, suffix):
    assert web.get(f"/dashboard/clients/{foreign_client.pk}{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["/edit", "/archive", "/delete", "/projects/new", "/notes"])
def test_writing_to_another_workspaces_client_answers_404_and_changes_nothing(
    web, foreign_client, suffix
):
    response = web.post(
        f"/dashboard/clients/{foreign_client.pk}{suffix}",
        {"name": "Hijacked", "status": "active", "body": "hello"},
    )

    assert response.status_code == 404
    foreign_client.refresh_from_db()
    assert foreign_client.name == "Zebulon Stranger"
    assert foreign_client.archived_at is None
    assert not Project.objects.exists()
    assert not Note.objects.exists()
    assert verbs(foreign_client.workspace) == ["workspace.created"]


def test_a_viewer_gets_404_not_403_for_another_workspaces_client(viewer_web, foreign_client):
    response = viewer_web.post(f"/dashboard/clients/{foreign_client.pk}/archive")

    assert response.status_code == 404


# --- Editing, archiving, deleting -------------------------------------------------------------


def test_editing_a_client_saves_the_changes_and_records_them(web, owner, team, acme):
    form = text(web.get(f"/dashboard/clients/{acme.pk}/edit"))
    assert 'value="Acme Corp"' in form

    response = web.post(
        f"/dashboard/clients/{acme.pk}/edit",
        {
            "name": "Acme Corporation",
            "company": "Acme",
            "email": "",
            "phone": "",
            "status": "paused",
        },
        follow=True,
    )

    acme.refresh_from_db()
    assert (acme.name, acme.status) == ("Acme Corporation", "paused")
    assert "Saved Acme Corporation." in shown_messages(response)
    event = ActivityEvent.objects.get(workspace=team, verb="client.updated")
    assert event.changes["name"] == ["Acme Corp", "Acme Corporation"]
    assert event.actor == owner


def test_a_viewer_cannot_edit_a_client(viewer_web, acme):
    response = viewer_web.post(
        f"/dashboard/clients/{acme.pk}/edit", {"name": "Changed", "status": "active"}
    )

    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme Corp"


def test_archive_and_unarchive_buttons_flip_the_client_and_record_it(web, team, acme):
    archived = web.post(f"/dashboard/clients/{acme.pk}/archive", follow=True)

    acme.refresh_from_db()
    assert acme.archived_at is not None
    assert "Archived Acme Corp." in shown_messages(archived)
    assert ">Unarchive</button>" in text(archived)

    web.post(f"/dashboard/clients/{acme.pk}/archive")

    acme.refresh_from_db()
    assert acme.archived_at is None
    assert verbs(team)[-2:] == ["client.archived", "client.unarchived"]


def test_archiving_needs_a_post(web, acme):
    assert web.get(f"/dashboard/clients/{acme.pk}/archive").status_code == 405


def test_deleting_a_client_asks_first_then_deletes_and_records_it(web, team, acme):
    confirm = web.get(f"/dashboard/clients/{acme.pk}/delete")
    assert confirm.status_code == 200
    assert "Delete the client Acme Corp?" in text(confirm)
    assert CrmClient.objects.filter(pk=acme.pk).exists()

    response = web.post(f"/dashboard/clients/{acme.pk}/delete", follow=True)

    assert response.redirect_chain[-1][0] == "/dashboard/clients/"
    assert "Deleted Acme Corp." in shown_messages(response)
    assert not CrmClient.objects.filter(pk=acme.pk).exists()
    event = ActivityEvent.objects.get(workspace=team, verb="client.deleted")
    assert event.target_id == acme.pk


def test_a_viewer_cannot_delete_a_client(viewer_web, acme):
    assert viewer_web.post(f"/dashboard/clients/{acme.pk}/delete").status_code == 403
    assert CrmClient.objects.filter(pk=acme.pk).exists()


# --- Projects and notes on a client -----------------------------------------------------------


def test_adding_a_project_creates_it_and_records_it(web, owner, team, acme):
    response = web.post(
        f"/dashboard/clients/{acme.pk}/projects/new",
        {"name": "Harbour Website", "status": "planning", "budget": "1200.50"},
        follow=True,
    )

    project = Project.objects.get(client=acme)
    assert (project.name, project.status, str(project.budget)) == (
        "Harbour Website",
        "planning",
        "1200.50",
    )
    assert response.redirect_chain[-1][0] == f"/dashboard/projects/{project.pk}/"
    assert ActivityEvent.objects.get(workspace=team, verb="project.created").actor == owner


def test_a_project_due_before_it_starts_is_shown_again_with_the_error(web, acme):
    response = web.post(
        f"/dashboard/clients/{acme.pk}/projects/new",
        {
            "name": "Backwards",
            "status": "active",
            "start_date": "2030-05-10",
            "due_date": "2030-05-01",
        },
    )

    assert response.status_code == 200
    assert "The due date cannot be before the start date." in text(response)
    assert not Project.objects.exists()


def test_a_project_on_an_archived_client_is_refused_with_a_message(web, owner, acme):
    services.archive_client(client=acme, actor=owner)

    response = web.post(
        f"/dashboard/clients/{acme.pk}/projects/new", {"name": "Late", "status": "active"}
    )

    assert response.status_code == 200
    assert "This client is archived; unarchive it to add projects." in text(response)
    assert not Project.objects.exists()


def test_a_viewer_cannot_add_a_project(viewer_web, acme):
    response = viewer_web.post(
        f"/dashboard/clients/{acme.pk}/projects/new", {"name": "Nope", "status": "active"}
    )

    assert response.status_code == 403
    assert not Project.objects.exists()


def test_adding_a_note_sanitizes_it_shows_it_and_records_it(web, owner, team, acme):
    response = web.post(
        f"/dashboard/clients/{acme.pk}/notes",
        {
            "title": "Kick-off",
            "body": '<p onclick="x()">Budget <b>agreed</b></p><script>1</script>',
        },
        follow=True,
    )

    note = Note.objects.get(client=acme)
    assert note.body == "<p>Budget <b>agreed</b></p>"
    assert "Note added." in shown_messages(response)
    assert "<p>Budget <b>agreed</b></p>" in text(response)
    assert "<script>1</script>" not in text(response)
    assert ActivityEvent.objects.get(workspace=team, verb="note.created").actor == owner


def test_a_plain_text_note_keeps_its_paragraphs_and_is_escaped(web, acme):
    web.post(f"/dashboard/clients/{acme.pk}/notes", {"body": "Line one\n\nTom & <Jerry"})

    note = Note.objects.get(client=acme)
    assert note.body == "<p>Line one</p>\n\n<p>Tom &amp; &lt;Jerry</p>"
    assert note.body_text == "Line one Tom & <Jerry"


def test_an_empty_note_is_refused_with_a_message(web, acme):
    response = web.post(f"/dashboard/clients/{acme.pk}/notes", {"body": ""}, follow=True)

    assert not Note.objects.exists()
    assert any(m.startswith("The note was not added.") for m in shown_messages(response))


def test_a_note_of_only_markup_is_refused_by_the_service_with_its_message(web, acme):
    response = web.post(f"/dashboard/clients/{acme.pk}/notes", {"body": "<p><br></p>"}, follow=True)

    assert not Note.objects.exists()
    assert "A note needs some text." in shown_messages(response)


def test_a_viewer_cannot_add_a_note(viewer_web, acme):
    response = viewer_web.post(f"/dashboard/clients/{acme.pk}/notes", {"body": "hi"})

    assert response.status_code == 403
    assert not Note.objects.exists()


def test_the_client_page_lists_only_its_own_notes(web, team, acme):
    NoteFactory(project=None, client=acme, body="<p>Mine</p>", body_text="Mine")
    NoteFactory(
        project=None, client=ClientFactory(workspace=team), body="<p>Theirs</p>", body_text="x"
    )

    page = text(web.get(f"/dashboard/clients/{acme.pk}/"))

    assert "<p>Mine</p>" in page
    assert "<p>Theirs</p>" not in page
