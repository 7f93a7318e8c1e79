"""Every list endpoint costs the same number of queries for 10 rows as for 100.

A list answers one page of rows in a fixed number of queries (authentication, the membership,
the parent named in the path, the count for a numbered page, the rows): a query per row (an
N+1) shows as a count that grows with the rows. Each list is measured with 10 rows, grown to
100 and measured again; both counts must match and stay under the ceiling.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.crm.models import NoteVersion
from apps.crm.tests.factories import (
    ClientFactory,
    MilestoneFactory,
    NoteFactory,
    ProjectFactory,
    TimeEntryFactory,
)
from apps.files.tests.factories import FileAssetFactory
from apps.notifications.tests.factories import NotificationFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import (
    InviteFactory,
    MembershipFactory,
    WorkspaceFactory,
    member_of,
)

from .conftest import content_of

# Page lists show every row at once, so a per-row query could not hide on a later page.
PAGE = {"perPage": 100}
CURSOR = {"limit": 100}


def clients(world, count):
    ClientFactory.create_batch(count, workspace=world.workspace)


def projects(world, count):
    ProjectFactory.create_batch(count, client=world.client)


def client_notes(world, count):
    NoteFactory.create_batch(count, project=None, client=world.client, author=world.member)


def project_notes(world, count):
    NoteFactory.create_batch(count, project=world.project, author=world.member)


def client_files(world, count):
    FileAssetFactory.create_batch(count, client=world.client, uploaded_by=world.member)


def project_files(world, count):
    FileAssetFactory.create_batch(
        count, client=None, project=world.project, uploaded_by=world.member
    )


def milestones(world, count):
    MilestoneFactory.create_batch(count, project=world.project)


def note_versions(world, count):
    note = world.project_note
    start = note.versions.count() + note.version + 1
    NoteVersion.objects.bulk_create(
        NoteVersion(note=note, version=start + n, body=f"<p>v{n}</p>", edited_by=world.member)
        for n in range(count)
    )


def time_entries(world, count):
    started = timezone.now() - timedelta(days=30)
    for n in range(count):
        TimeEntryFactory(
            project=world.project,
            user=world.member,
            started_at=started + timedelta(hours=n),
            ended_at=started + timedelta(hours=n, minutes=30),
            duration_seconds=1800,
        )


def events_on(attr: str) -> Callable:
    def grow(world, count):
        for _ in range(count):
            record_activity(
                workspace_id=world.workspace.pk,
                actor=world.member,
                verb=Verb.PROJECT_UPDATED,
                target=getattr(world, attr),
                changes={"status": ["active", "on_hold"]},
            )

    return grow


def teams(world, count):
    for workspace in WorkspaceFactory.create_batch(count):
        MembershipFactory(workspace=workspace, user=world.owner, role=Role.ADMIN)
        MembershipFactory(workspace=workspace, user=world.member, role=Role.MEMBER)


def members(world, count):
    for _ in range(count):
        member_of(world.workspace, Role.MEMBER)


def invites(world, count):
    InviteFactory.create_batch(count, workspace=world.workspace, invited_by=world.admin)


def search_hits(world, count):
    for n in range(count):
        ClientFactory(workspace=world.workspace, name=f"Globex Branch {n}", company="")


def your_notifications(world, count):
    NotificationFactory.create_batch(count, user=world.owner)


@dataclass(frozen=True)
class Listing:
    id: str
    url_name: str
    grow: Callable
    query: dict
    ceiling: int
    kwargs: Callable = lambda world: {}
    header: bool = True


def of(attr: str, kwarg: str) -> Callable:
    return lambda world: {kwarg: getattr(world, attr).pk}


def team(world) -> dict:
    return {"pk": world.workspace.pk}


# Ceilings: authentication 1 + membership 1 (+ the parent in the path 1) + count 1 + rows 1.
LISTINGS = [
    Listing("clients", "clients", clients, PAGE, 4),
    Listing("projects", "projects", projects, PAGE, 4),
    Listing("client-projects", "client-projects", projects, PAGE, 5, of("client", "client_pk")),
    Listing("client-notes", "client-notes", client_notes, PAGE, 5, of("client", "client_pk")),
    Listing("project-notes", "project-notes", project_notes, PAGE, 5, of("project", "project_pk")),
    # Not paginated: no count.
    Listing(
        "project-milestones", "project-milestones", milestones, {}, 4, of("project", "project_pk")
    ),
    Listing("note-versions", "note-versions", note_versions, PAGE, 5, of("project_note", "pk")),
    Listing("time-entries", "time-entries", time_entries, PAGE, 4),
    Listing("client-files", "client-files", client_files, PAGE, 5, of("client", "client_pk")),
    Listing("project-files", "project-files", project_files, PAGE, 5, of("project", "project_pk")),
    # Cursor pages: no count.
    Listing("activity", "activity", events_on("project"), CURSOR, 3),
    Listing(
        "client-activity",
        "client-activity",
        events_on("client"),
        CURSOR,
        4,
        of("client", "client_pk"),
    ),
    Listing(
        "project-activity",
        "project-activity",
        events_on("project"),
        CURSOR,
        4,
        of("project", "project_pk"),
    ),
    Listing("audit-logs", "audit-logs", events_on("client"), CURSOR, 3),
    # The workspace itself: authentication, membership, rows.
    Listing("teams", "teams", teams, {}, 2, header=False),
    Listing("team-members", "team-members", members, {}, 3, team, header=False),
    Listing("team-invites", "team-invites", invites, {}, 3, team, header=False),
    # The caller's own: authentication, count, rows, the unread count.
    Listing("notifications", "notifications", your_notifications, PAGE, 4, header=False),
    # Search: one statement on PostgreSQL; one query per kind on SQLite (four kinds).
    Listing("search", "search", search_hits, {"q": "Globex", "perPage": 100}, 6),
]


def measure(api, url, query, headers) -> tuple[int, int, str]:
    """Answer (queries, rows shown, the SQL) of one GET."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, query, **headers)
        content = content_of(response)
    assert response.status_code == 200, content[:500]
    data = orjson.loads(content)["data"]
    rows = len(data["milestones"] if isinstance(data, dict) else data)
    return len(queries), rows, "\n".join(query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("listing", [pytest.param(listing, id=listing.id) for listing in LISTINGS])
def test_a_list_costs_the_same_queries_for_10_rows_as_for_100(listing, world, client_for):
    api = client_for(world.owner)
    url = reverse(listing.url_name, kwargs=listing.kwargs(world))
    headers = world.header if listing.header else {}
    listing.grow(world, 10)
    few, few_rows, _ = measure(api, url, listing.query, headers)

    listing.grow(world, 90)
    many, many_rows, sql = measure(api, url, listing.query, headers)

    assert 10 <= few_rows < many_rows and many_rows >= 100
    assert many == few, sql
    assert many <= listing.ceiling, sql


def test_a_project_costs_the_same_queries_with_10_milestones_as_with_100(world, client_for):
    api = client_for(world.owner)
    url = reverse("project", kwargs={"pk": world.project.pk})
    milestones(world, 10)
    few, few_rows, _ = measure(api, url, {}, world.header)

    milestones(world, 90)
    many, many_rows, sql = measure(api, url, {}, world.header)

    assert (few_rows, many_rows) == (11, 101)
    assert many == few, sql
    # Authentication, membership, the project, its milestones.
    assert many <= 4, sql
