"""The fast-path rows, the serializers that document them, and the API answer the same shape.

`representations.py` builds what the API sends; `serializers.py` describes it for the OpenAPI
schema. These tests keep the two from drifting, and check that one object looks the same in a
list, in its detail, and in the answer to the request that created or changed it.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import orjson
import pytest
import time_machine

from apps.accounts.tests.factories import UserFactory
from apps.core.renderers import EnvelopeJSONRenderer, camelize
from apps.core.testing import data_of
from apps.crm import representations as rep
from apps.crm import selectors
from apps.crm.models import Client, Milestone, Note, NoteVersion, Project, TimeEntry
from apps.crm.serializers import (
    ClientSerializer,
    MilestoneSerializer,
    NoteSerializer,
    NoteVersionSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    RefSerializer,
    TimeEntrySerializer,
    TimeSummarySerializer,
    UserSecondsSerializer,
)
from apps.crm.tests.factories import (
    ClientFactory,
    MilestoneFactory,
    NoteFactory,
    ProjectFactory,
    TimeEntryFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOW = datetime(2025, 3, 10, 15, 0, 0, 123456, tzinfo=UTC)


def full_client():
    return ClientFactory(phone="+1 555 0100", status="paused", archived_at=NOW)


def full_project():
    return ProjectFactory(
        description="Gears",
        start_date=date(2025, 1, 1),
        due_date=date(2025, 6, 30),
        budget=Decimal("1500.00"),
        hourly_rate=Decimal("85.50"),
    )


def full_milestone():
    return MilestoneFactory(due_date=date(2025, 2, 1), done=True, completed_at=NOW)


def full_note():
    return NoteFactory(title="Call", author=UserFactory())


def full_note_version():
    return NoteVersion.objects.create(
        note=NoteFactory(), version=1, title="Call", body="<p>Before</p>", edited_by=UserFactory()
    )


def full_time_entry():
    project = ProjectFactory(hourly_rate=Decimal("80.00"))
    return TimeEntryFactory(
        project=project,
        milestone=MilestoneFactory(project=project),
        description="Gears",
        hourly_rate=Decimal("80.00"),
        auto_stopped=True,
    )


def bare_note():
    return NoteFactory(project=None, client=ClientFactory(), author=None)


def bare_note_version():
    return NoteVersion.objects.create(note=NoteFactory(), version=1, body="<p>x</p>")


def running_time_entry():
    return TimeEntryFactory(ended_at=None, duration_seconds=None)


# (name, model, columns, row function, output serializer, full maker, bare maker)
SHAPES = [
    (
        "client", Client, rep.CLIENT_COLUMNS, rep.client_row, ClientSerializer,
        full_client, ClientFactory,
    ),
    (
        "project", Project, rep.PROJECT_COLUMNS, rep.project_row, ProjectSerializer,
        full_project, ProjectFactory,
    ),
    (
        "milestone", Milestone, rep.MILESTONE_COLUMNS, rep.milestone_row, MilestoneSerializer,
        full_milestone, MilestoneFactory,
    ),
    (
        "note", Note, rep.NOTE_COLUMNS, rep.note_row, NoteSerializer,
        full_note, bare_note,
    ),
    (
        "note_version", NoteVersion, rep.NOTE_VERSION_COLUMNS, rep.note_version_row,
        NoteVersionSerializer, full_note_version, bare_note_version,
    ),
    (
        "time_entry", TimeEntry, rep.TIME_ENTRY_COLUMNS, rep.time_entry_row, TimeEntrySerializer,
        full_time_entry, running_time_entry,
    ),
]  # fmt: skip
SHAPE_IDS = [shape[0] for shape in SHAPES]


def fresh(model, obj):
    """The row read back from the database, as a list or a detail view would see it."""
    return model.objects.get(pk=obj.pk)


def documented(serializer_class, row: dict) -> dict:
    """What the schema says the API sends for this row: the serializer's output, camelCased."""
    return camelize(serializer_class(row).data)


def rendered(row: dict) -> dict:
    """The row as the API's renderer writes it, read back as JSON."""
    return orjson.loads(EnvelopeJSONRenderer().render(row))["data"]


def field_names(serializer_class) -> set[str]:
    return set(serializer_class().fields)


# --- The row functions and the serializers name the same fields ------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("maker", ["full", "bare"])
def test_each_row_has_exactly_the_fields_of_its_serializer(shape, maker):
    _, model, columns, to_row, serializer_class, full, bare = shape
    obj = fresh(model, (full if maker == "full" else bare)())
    assert set(to_row(rep.from_instance(obj, columns))) == field_names(serializer_class)


@pytest.mark.parametrize(
    ("shape_name", "key", "nested"),
    [("project", "client", RefSerializer), ("note", "author", RefSerializer)],
)
def test_nested_refs_have_exactly_the_fields_of_their_serializer(shape_name, key, nested):
    _, model, columns, to_row, serializer_class, full, _ = next(
        shape for shape in SHAPES if shape[0] == shape_name
    )
    row = to_row(rep.from_instance(fresh(model, full()), columns))
    assert set(row[key]) == field_names(nested)
    assert isinstance(serializer_class().fields[key], nested)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_a_field_that_can_be_null_is_declared_nullable(shape):
    _, model, columns, to_row, serializer_class, _, bare = shape
    row = to_row(rep.from_instance(fresh(model, bare()), columns))
    fields = serializer_class().fields
    nulls = {key for key, value in row.items() if value is None}
    assert nulls, "the bare object should exercise at least one nullable field"
    assert {key for key in nulls if not fields[key].allow_null} == set()


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("maker", ["full", "bare"])
def test_a_values_row_and_an_instance_row_are_the_same(shape, maker):
    _, model, columns, to_row, _, full, bare = shape
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        obj = (full if maker == "full" else bare)()
        from_values = model.objects.filter(pk=obj.pk).values(*columns).get()
        assert to_row(from_values) == to_row(rep.from_instance(fresh(model, obj), columns))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("maker", ["full", "bare"])
def test_the_serializer_renders_each_value_as_the_api_does(shape, maker):
    """Types as well as names: a decimal stays a two-place string, a moment an ISO string."""
    _, model, columns, to_row, serializer_class, full, bare = shape
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        row = to_row(
            rep.from_instance(fresh(model, (full if maker == "full" else bare)()), columns)
        )
    assert rendered(row) == documented(serializer_class, row)


def test_project_detail_adds_milestones_and_progress_to_the_project_fields():
    extra = field_names(ProjectDetailSerializer) - field_names(ProjectSerializer)
    assert extra == {"milestones", "progress"}


def test_time_totals_have_exactly_the_fields_of_the_summary_serializer():
    entry = TimeEntryFactory(hourly_rate=Decimal("60.00"))
    totals = selectors.time_totals(TimeEntry.objects.filter(pk=entry.pk))
    assert set(totals) == field_names(TimeSummarySerializer)
    assert set(totals["by_user"][0]) == field_names(UserSecondsSerializer)
    assert rendered(totals) == documented(TimeSummarySerializer, totals)
    assert rendered(totals)["billableAmount"] == "60.00"


# --- One object, one JSON: create, detail, list and change answers agree ----------------------


def row_in(response, object_id: str) -> dict:
    [row] = [row for row in data_of(response) if row["id"] == object_id]
    return row


@pytest.fixture
def api(user, login):
    """Signed in with the clock stopped, so a running timer reads the same from every view."""
    with time_machine.travel(NOW, tick=False):
        client, _, _ = login(user)
        yield client


@pytest.fixture
def workspace(user):
    return user.personal_workspace


def test_a_client_looks_the_same_everywhere(api):
    created = data_of(
        api.post(
            f"{API}/clients",
            {
                "name": "Ada",
                "company": "AE",
                "email": "ADA@AE.IO",
                "phone": "1",
                "status": "paused",
            },
            format="json",
        ),
        201,
    )
    url = f"{API}/clients/{created['id']}"
    assert data_of(api.get(url)) == created
    assert row_in(api.get(f"{API}/clients"), created["id"]) == created
    assert created == documented(
        ClientSerializer,
        rep.client_row(rep.from_instance(Client.objects.get(pk=created["id"]), rep.CLIENT_COLUMNS)),
    )

    archived = data_of(api.patch(f"{url}/archive"))
    assert data_of(api.get(url)) == archived
    assert row_in(api.get(f"{API}/clients", {"archived": "true"}), created["id"]) == archived

    patched = data_of(api.patch(url, {"company": "Engines"}, format="json"))
    assert data_of(api.get(url)) == patched
    assert row_in(api.get(f"{API}/clients", {"archived": "all"}), created["id"]) == patched


def test_a_project_looks_the_same_everywhere(api, workspace):
    client = ClientFactory(workspace=workspace)
    created = data_of(
        api.post(
            f"{API}/clients/{client.pk}/projects",
            {
                "name": "Engine",
                "description": "Gears",
                "startDate": "2025-01-01",
                "dueDate": "2025-06-30",
                "budget": "1500.5",
                "hourlyRate": 85,
            },
            format="json",
        ),
        201,
    )
    assert (created["budget"], created["hourlyRate"]) == ("1500.50", "85.00")
    url = f"{API}/projects/{created['id']}"
    detail = data_of(api.get(url))
    assert {key: detail[key] for key in created} == created
    assert set(detail) - set(created) == {"milestones", "progress"}
    assert row_in(api.get(f"{API}/projects"), created["id"]) == created
    assert row_in(api.get(f"{API}/clients/{client.pk}/projects"), created["id"]) == created

    patched = data_of(api.patch(url, {"budget": 99, "status": "on_hold"}, format="json"))
    assert {key: value for key, value in data_of(api.get(url)).items() if key in patched} == patched
    assert row_in(api.get(f"{API}/projects"), created["id"]) == patched


def test_a_milestone_looks_the_same_everywhere(api, workspace):
    project = ProjectFactory(client=ClientFactory(workspace=workspace))
    base = f"{API}/projects/{project.pk}/milestones"
    created = data_of(
        api.post(base, {"title": "Design", "dueDate": "2025-02-01"}, format="json"), 201
    )
    url = f"{base}/{created['id']}"
    assert data_of(api.get(url)) == created
    assert row_in(api.get(base), created["id"]) == created
    assert data_of(api.get(f"{API}/projects/{project.pk}"))["milestones"] == [created]

    done = data_of(api.patch(url, {"done": True}, format="json"))
    assert done["completedAt"] is not None
    assert data_of(api.get(url)) == done
    assert row_in(api.get(base), created["id"]) == done
    assert data_of(api.get(f"{API}/projects/{project.pk}"))["milestones"] == [done]


@pytest.mark.parametrize("parent", ["client", "project"])
def test_a_note_looks_the_same_everywhere(api, workspace, parent):
    project = ProjectFactory(client=ClientFactory(workspace=workspace))
    owner = project if parent == "project" else project.client
    base = f"{API}/{parent}s/{owner.pk}/notes"
    created = data_of(
        api.post(
            base, {"title": "Call", "body": '<p>Hi <a href="https://x.io">x</a></p>'}, format="json"
        ),
        201,
    )
    url = f"{API}/notes/{created['id']}"
    assert data_of(api.get(url)) == created
    assert row_in(api.get(base), created["id"]) == created

    edited = data_of(api.patch(url, {"body": "<p>Bye</p>", "version": 1}, format="json"))
    assert data_of(api.get(url)) == edited
    assert row_in(api.get(base), created["id"]) == edited

    [version] = data_of(api.get(f"{url}/versions"))
    stored = NoteVersion.objects.get(pk=version["id"])
    assert version == documented(
        NoteVersionSerializer,
        rep.note_version_row(rep.from_instance(stored, rep.NOTE_VERSION_COLUMNS)),
    )
    assert (version["version"], version["body"]) == (1, created["body"])


def test_a_manual_time_entry_looks_the_same_everywhere(api, workspace):
    project = ProjectFactory(client=ClientFactory(workspace=workspace), hourly_rate=Decimal("80"))
    start = NOW - timedelta(hours=3)
    created = data_of(
        api.post(
            f"{API}/time-entries",
            {
                "projectId": str(project.pk),
                "startedAt": start.isoformat(),
                "durationSeconds": 1000,
                "description": "Gears",
            },
            format="json",
        ),
        201,
    )
    url = f"{API}/time-entries/{created['id']}"
    assert data_of(api.get(url)) == created
    assert row_in(api.get(f"{API}/time-entries"), created["id"]) == created

    patched = data_of(api.patch(url, {"hourlyRate": "100"}, format="json"))
    assert patched["amount"] == "27.78"
    assert data_of(api.get(url)) == patched
    assert row_in(api.get(f"{API}/time-entries"), created["id"]) == patched


def test_a_timer_looks_the_same_everywhere_while_it_runs_and_once_stopped(api, workspace):
    project = ProjectFactory(client=ClientFactory(workspace=workspace), hourly_rate=Decimal("80"))
    started = data_of(
        api.post(f"{API}/time-entries/start", {"projectId": str(project.pk)}, format="json"), 201
    )
    url = f"{API}/time-entries/{started['id']}"
    assert data_of(api.get(url)) == started
    assert data_of(api.get(f"{API}/time-entries/current")) == started
    assert row_in(api.get(f"{API}/time-entries"), started["id"]) == started

    stopped = data_of(api.post(f"{url}/stop"))
    assert stopped["running"] is False
    assert data_of(api.get(url)) == stopped
    assert row_in(api.get(f"{API}/time-entries"), started["id"]) == stopped
