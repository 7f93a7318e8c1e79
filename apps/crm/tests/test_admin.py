"""The CRM admin: pages render without N+1, and every change staff make there goes through the
services, so it leaves the same activity events as the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.core.testing import form_data, messages_of
from apps.crm import services
from apps.crm.models import Client, Milestone, Note, NoteVersion, Project, TimeEntry
from apps.crm.tests.factories import (
    ClientFactory,
    MilestoneFactory,
    NoteFactory,
    ProjectFactory,
    TimeEntryFactory,
)
from apps.workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def event(verb, target, actor):
    return ActivityEvent.objects.filter(verb=verb, target_id=target.pk, actor=actor)


# --- Pages render, in a constant number of queries -----------------------------------------


def _note_version(author):
    note = NoteFactory(author=author, updated_by=author)
    return NoteVersion.objects.create(note=note, version=1, body="<p>Before</p>", edited_by=author)


ROWS = {
    Client: lambda author: ClientFactory(workspace=WorkspaceFactory()),
    Project: lambda author: ProjectFactory(due_date=date.today(), budget=Decimal("100")),
    Milestone: lambda author: MilestoneFactory(due_date=date.today()),
    Note: lambda author: NoteFactory(author=author),
    NoteVersion: _note_version,
    TimeEntry: lambda author: TimeEntryFactory(user=author),
}


def _changelist_queries(client, model) -> int:
    url = reverse(f"admin:crm_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ROWS, ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows(staff_client, model):
    author = UserFactory()
    make = ROWS[model]
    for _ in range(10):
        make(author)
    with_ten = _changelist_queries(staff_client, model)
    for _ in range(40):
        make(author)
    assert _changelist_queries(staff_client, model) == with_ten


@pytest.mark.parametrize("model", ROWS, ids=lambda model: model.__name__)
def test_change_page_renders(staff_client, model):
    row = ROWS[model](UserFactory())
    url = reverse(f"admin:crm_{model._meta.model_name}_change", args=[row.pk])
    assert staff_client.get(url).status_code == 200


def test_project_page_shows_its_milestones_and_notes(staff_client):
    project = ProjectFactory()
    MilestoneFactory(project=project, title="Visual design")
    NoteFactory(project=project, title="Kick-off call")
    page = staff_client.get(reverse("admin:crm_project_change", args=[project.pk]))
    assert b"Visual design" in page.content and b"Kick-off call" in page.content


def test_client_list_filters_archived_clients(staff_client):
    ClientFactory(name="Still Here")
    ClientFactory(name="Long Gone", archived_at=timezone.now())
    url = reverse("admin:crm_client_changelist")
    archived = staff_client.get(url, {"archived": "yes"})
    assert b"Long Gone" in archived.content and b"Still Here" not in archived.content
    current = staff_client.get(url, {"archived": "no"})
    assert b"Still Here" in current.content and b"Long Gone" not in current.content


# --- Clients ---------------------------------------------------------------------------------


def test_adding_a_client_records_its_event(staff_client, staff):
    workspace = WorkspaceFactory()
    response = staff_client.post(
        reverse("admin:crm_client_add"),
        {
            "workspace": workspace.pk,
            "name": "Olivia Hart",
            "company": "Northwind",
            "email": "olivia@northwind.example",
            "phone": "",
            "status": "active",
        },
    )
    assert response.status_code == 302
    client = Client.objects.get(name="Olivia Hart")
    assert client.workspace == workspace and client.created_by == staff
    assert event(Verb.CLIENT_CREATED, client, staff).exists()


def test_editing_a_client_records_what_changed(staff_client, staff):
    client = ClientFactory(status="active")
    url = reverse("admin:crm_client_change", args=[client.pk])
    data = form_data(staff_client.get(url)) | {"status": "paused", "company": "Globex"}
    assert staff_client.post(url, data).status_code == 302
    client.refresh_from_db()
    assert client.status == "paused"
    updated = event(Verb.CLIENT_UPDATED, client, staff).get()
    assert updated.changes["status"] == ["active", "paused"]
    assert set(updated.changes) == {"status", "company"}


def test_a_clients_workspace_cannot_be_changed(staff_client):
    client = ClientFactory()
    url = reverse("admin:crm_client_change", args=[client.pk])
    data = form_data(staff_client.get(url)) | {"workspace": WorkspaceFactory().pk}
    staff_client.post(url, data)
    assert Client.objects.get(pk=client.pk).workspace_id == client.workspace_id


def test_deleting_a_client_with_note_history_records_its_event(staff_client, staff):
    client = ClientFactory()
    note = services.create_note(actor=staff, client=client, body="<p>One</p>")
    services.update_note(note=note, actor=staff, body="<p>Two</p>")
    url = reverse("admin:crm_client_delete", args=[client.pk])

    confirm = staff_client.get(url)
    assert confirm.status_code == 200
    assert b"Are you sure" in confirm.content

    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not NoteVersion.objects.exists()
    assert event(Verb.CLIENT_DELETED, client, staff).exists()


def test_archive_action_archives_and_skips_archived_clients(staff_client, staff):
    current = ClientFactory()
    archived = ClientFactory(archived_at=timezone.now())
    response = staff_client.post(
        reverse("admin:crm_client_changelist"),
        {"action": "archive", "_selected_action": [current.pk, archived.pk]},
        follow=True,
    )
    shown = messages_of(response)
    assert "Archived 1 client(s)." in shown
    assert "Skipped 1 client(s) archived already." in shown
    current.refresh_from_db()
    assert current.archived_at is not None
    assert event(Verb.CLIENT_ARCHIVED, current, staff).exists()
    assert not ActivityEvent.objects.filter(target_id=archived.pk).exists()


def test_unarchive_action_unarchives_and_skips_current_clients(staff_client, staff):
    current = ClientFactory()
    archived = ClientFactory(archived_at=timezone.now())
    response = staff_client.post(
        reverse("admin:crm_client_changelist"),
        {"action": "unarchive", "_selected_action": [current.pk, archived.pk]},
        follow=True,
    )
    assert "Unarchived 1 client(s)." in messages_of(response)
    archived.refresh_from_db()
    assert archived.archived_at is None
    assert event(Verb.CLIENT_UNARCHIVED, archived, staff).exists()
    assert not ActivityEvent.objects.filter(target_id=current.pk).exists()


# --- Projects and milestones -----------------------------------------------------------------


def test_adding_a_project_records_its_event(staff_client, staff):
    client = ClientFactory()
    response = staff_client.post(
        reverse("admin:crm_project_add"),
        {
            "client": client.pk,
            "name": "Website redesign",
            "description": "",
            "status": "active",
            "start_date": "2030-01-01",
            "due_date": "2030-02-01",
            "budget": "12000",
            "hourly_rate": "95",
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Wireframes",
            "milestones-0-due_date": "2030-01-10",
            "milestones-0-order": "0",
            "milestones-0-done": "on",
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(name="Website redesign")
    assert project.workspace_id == client.workspace_id and project.budget == 12000
    assert event(Verb.PROJECT_CREATED, project, staff).exists()
    milestone = project.milestones.get()
    assert milestone.done and milestone.completed_at is not None
    assert event(Verb.MILESTONE_CREATED, milestone, staff).exists()
    assert event(Verb.MILESTONE_COMPLETED, milestone, staff).exists()


def test_a_project_for_an_archived_client_is_refused_with_a_message(staff_client):
    client = ClientFactory(archived_at=timezone.now())
    response = staff_client.post(
        reverse("admin:crm_project_add"),
        {
            "client": client.pk,
            "name": "Too late",
            "status": "active",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert any("archived" in message for message in messages_of(response))
    assert not Project.objects.exists()
    assert not ActivityEvent.objects.filter(verb=Verb.PROJECT_CREATED).exists()


def test_editing_milestones_inline_goes_through_the_services(staff_client, staff):
    project = ProjectFactory()
    keep = MilestoneFactory(project=project, title="Design")
    drop = MilestoneFactory(project=project, title="Obsolete")
    url = reverse("admin:crm_project_change", args=[project.pk])
    data = form_data(staff_client.get(url))
    index = {data[f"milestones-{i}-id"]: i for i in range(2)}
    data[f"milestones-{index[str(keep.pk)]}-done"] = "on"
    data[f"milestones-{index[str(drop.pk)]}-DELETE"] = "on"
    data["name"] = "Renamed"

    assert staff_client.post(url, data).status_code == 302

    keep.refresh_from_db()
    assert keep.done
    assert event(Verb.MILESTONE_COMPLETED, keep, staff).exists()
    assert not Milestone.objects.filter(pk=drop.pk).exists()
    assert event(Verb.MILESTONE_DELETED, drop, staff).exists()
    assert event(Verb.PROJECT_UPDATED, project, staff).get().changes["name"][1] == "Renamed"


def test_milestone_added_on_its_own_page_records_its_event(staff_client, staff):
    project = ProjectFactory()
    response = staff_client.post(
        reverse("admin:crm_milestone_add"),
        {"project": project.pk, "title": "Launch", "due_date": "2030-03-01", "order": "2"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="Launch")
    assert milestone.workspace_id == project.workspace_id and not milestone.done
    assert event(Verb.MILESTONE_CREATED, milestone, staff).exists()


def test_deleting_a_project_records_its_event(staff_client, staff):
    project = ProjectFactory()
    url = reverse("admin:crm_project_delete", args=[project.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert event(Verb.PROJECT_DELETED, project, staff).exists()


# --- Notes -----------------------------------------------------------------------------------


def test_adding_a_note_sanitizes_it_and_records_its_event(staff_client, staff):
    client = ClientFactory()
    response = staff_client.post(
        reverse("admin:crm_note_add"),
        {"client": client.pk, "title": "Call", "body": "<p>Hi<script>x()</script></p>"},
    )
    assert response.status_code == 302
    note = Note.objects.get(client=client)
    assert note.body == "<p>Hi</p>" and note.author == staff
    assert event(Verb.NOTE_CREATED, note, staff).exists()


def test_a_note_needs_exactly_one_parent(staff_client):
    project = ProjectFactory()
    response = staff_client.post(
        reverse("admin:crm_note_add"),
        {"client": project.client.pk, "project": project.pk, "body": "<p>Both</p>"},
    )
    assert response.status_code == 200
    assert b"Choose a client or a project" in response.content
    assert not Note.objects.exists()


def test_editing_a_note_keeps_the_old_version(staff_client, staff):
    note = services.create_note(actor=staff, project=ProjectFactory(), body="<p>First</p>")
    url = reverse("admin:crm_note_change", args=[note.pk])
    data = form_data(staff_client.get(url)) | {"body": "<p>Second</p>"}
    assert staff_client.post(url, data).status_code == 302
    note.refresh_from_db()
    assert note.version == 2 and note.body == "<p>Second</p>"
    assert note.versions.get().body == "<p>First</p>"
    assert event(Verb.NOTE_UPDATED, note, staff).exists()
    page = staff_client.get(url)
    assert b"First" in page.content  # the version inline


def test_deleting_a_note_with_versions_records_its_event(staff_client, staff):
    note = services.create_note(actor=staff, project=ProjectFactory(), body="<p>One</p>")
    services.update_note(note=note, actor=staff, body="<p>Two</p>")
    url = reverse("admin:crm_note_delete", args=[note.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()
    assert event(Verb.NOTE_DELETED, note, staff).exists()


def test_note_versions_are_read_only(staff_client):
    version = _note_version(UserFactory())
    change_url = reverse("admin:crm_noteversion_change", args=[version.pk])
    assert staff_client.post(change_url, {"body": "rewritten"}).status_code == 403
    assert staff_client.get(reverse("admin:crm_noteversion_add")).status_code == 403
    delete_url = reverse("admin:crm_noteversion_delete", args=[version.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.body == "<p>Before</p>"


# --- Time entries ----------------------------------------------------------------------------


def test_stop_action_stops_running_timers_and_skips_finished_ones(staff_client, staff):
    project = ProjectFactory()
    running = services.start_timer(actor=UserFactory(), project=project)
    TimeEntry.objects.filter(pk=running.pk).update(started_at=timezone.now() - timedelta(hours=1))
    finished = TimeEntryFactory(project=project)

    response = staff_client.post(
        reverse("admin:crm_timeentry_changelist"),
        {"action": "stop", "_selected_action": [running.pk, finished.pk]},
        follow=True,
    )

    shown = messages_of(response)
    assert "Stopped 1 timer(s)." in shown
    assert "Skipped 1 entry(ies) not running." in shown
    running.refresh_from_db()
    assert running.ended_at is not None and running.duration_seconds >= 3600
    assert event(Verb.TIMER_STOPPED, running, staff).exists()
    assert not ActivityEvent.objects.filter(target_id=finished.pk).exists()


def test_running_filter_lists_only_running_timers(staff_client):
    running = services.start_timer(
        actor=UserFactory(), project=ProjectFactory(), description="Still going"
    )
    TimeEntryFactory(description="All done")
    page = staff_client.get(reverse("admin:crm_timeentry_changelist"), {"running": "yes"})
    assert running.description.encode() in page.content
    assert b"All done" not in page.content


def test_editing_a_time_entrys_billing_records_its_event(staff_client, staff):
    entry = TimeEntryFactory(billable=True)
    url = reverse("admin:crm_timeentry_change", args=[entry.pk])
    data = form_data(staff_client.get(url))
    data.pop("billable", None)  # unticked
    assert staff_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.billable is False
    assert event(Verb.TIME_ENTRY_UPDATED, entry, staff).get().changes["billable"] == [True, False]
