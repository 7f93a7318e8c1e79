"""Time tracking: timers, manual entries, who may change what, totals, and stale timers."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.core.testing import data_of, error_of
from apps.crm import services, tasks
from apps.crm.models import TimeEntry
from apps.crm.tests.factories import (
    ClientFactory,
    MilestoneFactory,
    ProjectFactory,
    TimeEntryFactory,
)
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
ENTRIES = f"{API}/time-entries"
NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
ENTRY_KEYS = {
    "id", "projectId", "milestoneId", "userId", "description", "startedAt", "endedAt", "running",
    "durationSeconds", "billable", "hourlyRate", "amount", "autoStopped", "createdAt",
}  # fmt: skip
MISSING = "00000000-0000-4000-8000-000000000000"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def z(moment: datetime) -> str:
    """How the API writes a whole-second UTC moment."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ids(response) -> set[str]:
    return {row["id"] for row in data_of(response)}


@pytest.fixture
def frozen():
    """The clock stands still at NOW, so durations and amounts are exact."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def workspace(user):
    return user.personal_workspace


@pytest.fixture
def project(workspace):
    return ProjectFactory(
        client=ClientFactory(workspace=workspace, name="Ada"),
        name="Engine",
        hourly_rate=Decimal("80.00"),
    )


@pytest.fixture
def api(frozen, user_client):
    return user_client


# --- Timers ---------------------------------------------------------------------------------


def test_starting_a_timer_answers_201_with_a_running_entry(api, user, project):
    response = api.post(
        f"{ENTRIES}/start", {"projectId": str(project.pk), "description": "Gears"}, format="json"
    )
    data = data_of(response, 201)
    assert set(data) == ENTRY_KEYS
    assert data["running"] is True
    assert data["endedAt"] is None
    assert data["startedAt"] == z(NOW)
    assert data["durationSeconds"] == 0
    assert (data["projectId"], data["milestoneId"], data["userId"]) == (
        str(project.pk),
        None,
        str(user.pk),
    )
    assert (data["description"], data["billable"], data["autoStopped"]) == ("Gears", True, False)
    assert data["hourlyRate"] == "80.00"
    assert data["amount"] == "0.00"
    entry = TimeEntry.objects.get(pk=data["id"])
    assert entry.is_running and entry.user == user
    assert ActivityEvent.objects.filter(verb="time_entry.started", target_id=entry.pk).exists()


def test_a_timer_can_be_started_on_a_milestone_and_unbillable(api, project):
    milestone = MilestoneFactory(project=project)
    response = api.post(
        f"{ENTRIES}/start",
        {"projectId": str(project.pk), "milestoneId": str(milestone.pk), "billable": False},
        format="json",
    )
    data = data_of(response, 201)
    assert data["milestoneId"] == str(milestone.pk)
    assert data["billable"] is False
    assert data["amount"] is None


def test_a_second_timer_while_one_runs_is_a_409(api, user, project):
    data_of(api.post(f"{ENTRIES}/start", {"projectId": str(project.pk)}, format="json"), 201)
    other = ProjectFactory(client=project.client)
    response = api.post(f"{ENTRIES}/start", {"projectId": str(other.pk)}, format="json")
    error_of(response, 409, "TIMER_RUNNING")
    assert TimeEntry.objects.filter(user=user).count() == 1


def test_a_timer_running_in_another_workspace_also_blocks_a_new_one(api, user, project):
    team = WorkspaceFactory()
    MembershipFactory(workspace=team, user=user, role=Role.MEMBER)
    team_project = ProjectFactory(client=ClientFactory(workspace=team))
    response = api.post(
        f"{ENTRIES}/start",
        {"projectId": str(team_project.pk)},
        format="json",
        HTTP_X_WORKSPACE_ID=str(team.pk),
    )
    data_of(response, 201)
    response = api.post(f"{ENTRIES}/start", {"projectId": str(project.pk)}, format="json")
    error_of(response, 409, "TIMER_RUNNING")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "projectId"),
        ({"projectId": "not-a-uuid"}, "projectId"),
        ({"projectId": MISSING}, "projectId"),
        ({"projectId": "{project}", "milestoneId": MISSING}, "milestoneId"),
        ({"projectId": "{project}", "description": 5}, "description"),
        ({"projectId": "{project}", "billable": "perhaps"}, "billable"),
    ],
)
def test_invalid_timer_starts_are_a_400(api, project, body, field):
    body = {
        key: value.format(project=project.pk) if isinstance(value, str) else value
        for key, value in body.items()
    }
    response = api.post(f"{ENTRIES}/start", body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not TimeEntry.objects.exists()


def test_a_timer_on_a_milestone_of_another_project_is_a_400(api, project):
    elsewhere = MilestoneFactory(project=ProjectFactory(client=project.client))
    response = api.post(
        f"{ENTRIES}/start",
        {"projectId": str(project.pk), "milestoneId": str(elsewhere.pk)},
        format="json",
    )
    error_of(response, 400, "VALIDATION_ERROR", field="milestoneId")
    assert not TimeEntry.objects.exists()


def test_a_project_of_another_workspace_reads_as_missing(api, project):
    foreign = ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory()))

    for_foreign = api.post(f"{ENTRIES}/start", {"projectId": str(foreign.pk)}, format="json")
    for_missing = api.post(f"{ENTRIES}/start", {"projectId": MISSING}, format="json")

    error_of(for_foreign, 400, "VALIDATION_ERROR", field="projectId")
    assert for_foreign.json() == for_missing.json()
    assert not TimeEntry.objects.exists()


def test_current_is_null_without_a_running_timer(api, user, project):
    TimeEntryFactory(project=project, user=user)
    assert data_of(api.get(f"{ENTRIES}/current")) is None


def test_current_answers_my_running_timer_only(api, login, user, project):
    mine = TimeEntryFactory(
        project=project,
        user=user,
        started_at=NOW - timedelta(minutes=30),
        ended_at=None,
        duration_seconds=None,
    )
    TimeEntryFactory(project=project, ended_at=None, duration_seconds=None)
    data = data_of(api.get(f"{ENTRIES}/current"))
    assert set(data) == ENTRY_KEYS
    assert data["id"] == str(mine.pk)
    assert data["running"] is True
    assert data["durationSeconds"] == 1800
    assert data["amount"] is None  # the factory sets no rate


def test_stopping_a_timer_sets_the_duration_and_the_amount(api, user, project):
    started = data_of(
        api.post(f"{ENTRIES}/start", {"projectId": str(project.pk)}, format="json"), 201
    )
    TimeEntry.objects.filter(pk=started["id"]).update(started_at=NOW - timedelta(minutes=90))

    data = data_of(api.post(f"{ENTRIES}/{started['id']}/stop"))

    assert set(data) == ENTRY_KEYS
    assert data["running"] is False
    assert data["endedAt"] == z(NOW)
    assert data["durationSeconds"] == 5400
    assert data["amount"] == "120.00"
    entry = TimeEntry.objects.get(pk=started["id"])
    assert (entry.ended_at, entry.duration_seconds) == (NOW, 5400)
    event = ActivityEvent.objects.get(verb="time_entry.stopped", target_id=entry.pk)
    assert event.actor == user
    assert event.changes == {"duration_seconds": [None, 5400]}
    assert data_of(api.get(f"{ENTRIES}/current")) is None


def test_stopping_a_stopped_timer_is_a_409(api, user, project):
    entry = TimeEntryFactory(project=project, user=user)
    before = (entry.ended_at, entry.duration_seconds)
    error_of(api.post(f"{ENTRIES}/{entry.pk}/stop"), 409, "TIMER_NOT_RUNNING")
    entry.refresh_from_db()
    assert (entry.ended_at, entry.duration_seconds) == before


def test_after_stopping_a_new_timer_can_start(api, project):
    first = data_of(
        api.post(f"{ENTRIES}/start", {"projectId": str(project.pk)}, format="json"), 201
    )
    data_of(api.post(f"{ENTRIES}/{first['id']}/stop"))
    data_of(api.post(f"{ENTRIES}/start", {"projectId": str(project.pk)}, format="json"), 201)


# --- Manual entries -------------------------------------------------------------------------


def test_a_manual_entry_with_a_start_and_an_end(api, user, project):
    start = NOW - timedelta(hours=3)
    response = api.post(
        ENTRIES,
        {
            "projectId": str(project.pk),
            "startedAt": iso(start),
            "endedAt": iso(start + timedelta(minutes=45)),
            "description": "Review",
        },
        format="json",
    )
    data = data_of(response, 201)
    assert set(data) == ENTRY_KEYS
    assert data["running"] is False
    assert (data["startedAt"], data["endedAt"]) == (z(start), z(start + timedelta(minutes=45)))
    assert data["durationSeconds"] == 2700
    assert data["hourlyRate"] == "80.00"
    assert data["amount"] == "60.00"
    assert data["userId"] == str(user.pk)
    event = ActivityEvent.objects.get(verb="time_entry.created", target_id=data["id"])
    assert event.changes == {"duration_seconds": [None, 2700]}


def test_a_manual_entry_with_a_start_and_a_duration(api, project):
    start = NOW - timedelta(hours=3)
    response = api.post(
        ENTRIES,
        {"projectId": str(project.pk), "startedAt": iso(start), "durationSeconds": 600},
        format="json",
    )
    data = data_of(response, 201)
    assert data["endedAt"] == z(start + timedelta(minutes=10))
    assert data["durationSeconds"] == 600
    assert data["amount"] == "13.33"


def test_the_amount_is_rate_times_hours_rounded_to_cents(api, project):
    response = api.post(
        ENTRIES,
        {
            "projectId": str(project.pk),
            "startedAt": iso(NOW - timedelta(hours=1)),
            "durationSeconds": 1000,
            "hourlyRate": "100.00",
        },
        format="json",
    )
    data = data_of(response, 201)
    assert data["hourlyRate"] == "100.00"
    assert data["amount"] == "27.78"  # 100 x 1000 / 3600 = 27.777...


def test_the_hourly_rate_defaults_from_the_project(api, project):
    project.hourly_rate = Decimal("42.50")
    project.save()
    start = NOW - timedelta(hours=2)
    data = data_of(
        api.post(
            ENTRIES,
            {"projectId": str(project.pk), "startedAt": iso(start), "durationSeconds": 3600},
            format="json",
        ),
        201,
    )
    assert (data["hourlyRate"], data["amount"]) == ("42.50", "42.50")


def test_a_project_without_a_rate_gives_entries_without_an_amount(api, project):
    project.hourly_rate = None
    project.save()
    data = data_of(
        api.post(
            ENTRIES,
            {
                "projectId": str(project.pk),
                "startedAt": iso(NOW - timedelta(hours=2)),
                "durationSeconds": 60,
            },
            format="json",
        ),
        201,
    )
    assert (data["hourlyRate"], data["amount"]) == (None, None)


def test_unbillable_time_has_no_amount(api, project):
    data = data_of(
        api.post(
            ENTRIES,
            {
                "projectId": str(project.pk),
                "startedAt": iso(NOW - timedelta(hours=2)),
                "durationSeconds": 3600,
                "billable": False,
            },
            format="json",
        ),
        201,
    )
    assert (data["billable"], data["hourlyRate"], data["amount"]) == (False, "80.00", None)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"endedAt": NOW - timedelta(hours=1), "durationSeconds": 60}, "durationSeconds"),
        ({"endedAt": NOW - timedelta(hours=3)}, "endedAt"),
        ({"endedAt": NOW + timedelta(hours=1)}, "endedAt"),
        ({"durationSeconds": 3 * 3600}, "endedAt"),
        ({}, "endedAt"),
        ({"durationSeconds": 0}, "durationSeconds"),
        ({"durationSeconds": "long"}, "durationSeconds"),
        ({"hourlyRate": "-1"}, "hourlyRate"),
        ({"endedAt": "yesterday"}, "endedAt"),
    ],
)
def test_invalid_manual_entries_are_a_400(api, project, extra, field):
    body = {"projectId": str(project.pk), "startedAt": iso(NOW - timedelta(hours=2))}
    body |= {
        key: iso(value) if isinstance(value, datetime) else value for key, value in extra.items()
    }
    response = api.post(ENTRIES, body, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not TimeEntry.objects.exists()


def test_a_manual_entry_needs_a_project(api):
    body = {"startedAt": iso(NOW - timedelta(hours=2)), "durationSeconds": 60}
    error_of(api.post(ENTRIES, body, format="json"), 400, "VALIDATION_ERROR", field="projectId")


def test_a_manual_entry_needs_a_start(api, project):
    body = {"projectId": str(project.pk), "durationSeconds": 60}
    error_of(api.post(ENTRIES, body, format="json"), 400, "VALIDATION_ERROR", field="startedAt")
    assert not TimeEntry.objects.exists()


def test_a_manual_entry_on_a_milestone_of_another_project_is_a_400(api, project):
    elsewhere = MilestoneFactory(project=ProjectFactory(client=project.client))
    response = api.post(
        ENTRIES,
        {
            "projectId": str(project.pk),
            "milestoneId": str(elsewhere.pk),
            "startedAt": iso(NOW - timedelta(hours=2)),
            "durationSeconds": 60,
        },
        format="json",
    )
    error_of(response, 400, "VALIDATION_ERROR", field="milestoneId")
    assert not TimeEntry.objects.exists()


def test_a_manual_entry_on_another_workspaces_project_reads_as_missing(api):
    foreign = ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory()))
    body = {"startedAt": iso(NOW - timedelta(hours=2)), "durationSeconds": 60}
    for_foreign = api.post(ENTRIES, {**body, "projectId": str(foreign.pk)}, format="json")
    for_missing = api.post(ENTRIES, {**body, "projectId": MISSING}, format="json")
    error_of(for_foreign, 400, "VALIDATION_ERROR", field="projectId")
    assert for_foreign.json() == for_missing.json()
    assert not TimeEntry.objects.exists()


def test_malformed_json_for_an_entry_is_a_400(api):
    error_of(api.post(ENTRIES, "[", content_type="application/json"), 400, "MALFORMED_REQUEST")


# --- Edit and delete ------------------------------------------------------------------------


@pytest.fixture
def entry(user, project):
    start = NOW - timedelta(hours=4)
    return TimeEntryFactory(
        project=project,
        user=user,
        started_at=start,
        ended_at=start + timedelta(hours=1),
        duration_seconds=3600,
        hourly_rate=Decimal("80.00"),
        description="Old",
    )


def test_patch_changes_description_and_billable(api, entry):
    response = api.patch(
        f"{ENTRIES}/{entry.pk}", {"description": "New", "billable": False}, format="json"
    )
    data = data_of(response)
    assert set(data) == ENTRY_KEYS
    assert (data["description"], data["billable"], data["amount"]) == ("New", False, None)
    assert data["durationSeconds"] == 3600
    event = ActivityEvent.objects.get(verb="time_entry.updated", target_id=entry.pk)
    assert set(event.changes) == {"description", "billable"}


def test_moving_the_start_recomputes_the_duration(api, entry):
    earlier = entry.started_at - timedelta(minutes=30)
    data = data_of(api.patch(f"{ENTRIES}/{entry.pk}", {"startedAt": iso(earlier)}, format="json"))
    assert data["startedAt"] == z(earlier)
    assert data["durationSeconds"] == 5400
    assert data["amount"] == "120.00"
    entry.refresh_from_db()
    assert entry.duration_seconds == 5400


def test_moving_the_end_recomputes_the_duration(api, entry):
    later = entry.ended_at + timedelta(minutes=15)
    data = data_of(api.patch(f"{ENTRIES}/{entry.pk}", {"endedAt": iso(later)}, format="json"))
    assert (data["endedAt"], data["durationSeconds"]) == (z(later), 4500)
    event = ActivityEvent.objects.get(verb="time_entry.updated", target_id=entry.pk)
    assert event.changes["duration_seconds"] == [3600, 4500]


@pytest.mark.parametrize(
    ("field", "moment"),
    [("endedAt", NOW - timedelta(hours=5)), ("endedAt", NOW + timedelta(hours=1))],
)
def test_a_patch_giving_a_bad_span_is_a_400_and_changes_nothing(api, entry, field, moment):
    response = api.patch(f"{ENTRIES}/{entry.pk}", {field: iso(moment)}, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field="endedAt")
    entry.refresh_from_db()
    assert (entry.ended_at, entry.duration_seconds) == (NOW - timedelta(hours=3), 3600)


def test_a_start_moved_after_the_end_is_a_400(api, entry):
    response = api.patch(
        f"{ENTRIES}/{entry.pk}", {"startedAt": iso(NOW - timedelta(hours=2))}, format="json"
    )
    error_of(response, 400, "VALIDATION_ERROR", field="endedAt")
    entry.refresh_from_db()
    assert entry.started_at == NOW - timedelta(hours=4)


def test_a_running_timer_cannot_be_ended_by_a_patch(api, user, project):
    running = TimeEntryFactory(
        project=project,
        user=user,
        started_at=NOW - timedelta(hours=1),
        ended_at=None,
        duration_seconds=None,
    )
    response = api.patch(f"{ENTRIES}/{running.pk}", {"endedAt": iso(NOW)}, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field="endedAt")
    running.refresh_from_db()
    assert running.is_running


def test_a_running_timers_start_cannot_move_into_the_future(api, user, project):
    running = TimeEntryFactory(
        project=project,
        user=user,
        started_at=NOW - timedelta(hours=1),
        ended_at=None,
        duration_seconds=None,
    )
    response = api.patch(
        f"{ENTRIES}/{running.pk}", {"startedAt": iso(NOW + timedelta(hours=3))}, format="json"
    )
    error_of(response, 400, "VALIDATION_ERROR", field="startedAt")
    running.refresh_from_db()
    assert running.started_at == NOW - timedelta(hours=1)


def test_a_running_timers_start_can_move_earlier(api, user, project):
    running = TimeEntryFactory(
        project=project,
        user=user,
        started_at=NOW - timedelta(hours=1),
        ended_at=None,
        duration_seconds=None,
    )
    response = api.patch(
        f"{ENTRIES}/{running.pk}", {"startedAt": iso(NOW - timedelta(hours=2))}, format="json"
    )
    data = data_of(response)
    assert (data["running"], data["durationSeconds"]) == (True, 7200)


def test_a_patch_to_a_milestone_of_another_project_is_a_400(api, entry):
    elsewhere = MilestoneFactory(project=ProjectFactory(client=entry.project.client))
    response = api.patch(f"{ENTRIES}/{entry.pk}", {"milestoneId": str(elsewhere.pk)}, format="json")
    error_of(response, 400, "VALIDATION_ERROR", field="milestoneId")
    entry.refresh_from_db()
    assert entry.milestone_id is None


def test_a_patch_can_set_and_clear_the_milestone(api, entry):
    milestone = MilestoneFactory(project=entry.project)
    url = f"{ENTRIES}/{entry.pk}"
    assert data_of(api.patch(url, {"milestoneId": str(milestone.pk)}, format="json"))[
        "milestoneId"
    ] == str(milestone.pk)
    assert data_of(api.patch(url, {"milestoneId": None}, format="json"))["milestoneId"] is None


def test_deleting_an_entry(api, entry):
    response = api.delete(f"{ENTRIES}/{entry.pk}")
    assert response.status_code == 204
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()
    assert ActivityEvent.objects.filter(verb="time_entry.deleted", target_id=entry.pk).exists()


def test_retrieving_an_entry(api, entry):
    data = data_of(api.get(f"{ENTRIES}/{entry.pk}"))
    assert set(data) == ENTRY_KEYS
    assert (data["id"], data["durationSeconds"], data["amount"]) == (str(entry.pk), 3600, "80.00")


# --- Who may change whose time --------------------------------------------------------------


@pytest.fixture
def team(frozen):
    return WorkspaceFactory()


@pytest.fixture
def team_project(team):
    return ProjectFactory(client=ClientFactory(workspace=team))


def in_team(login, user, team):
    """A client signed in as `user`, acting in `team` on every request."""
    api, _, _ = login(user)
    api.defaults["HTTP_X_WORKSPACE_ID"] = str(team.pk)
    return api


@pytest.fixture
def colleagues_entries(team, team_project):
    colleague = member_of(team, Role.MEMBER)
    finished = TimeEntryFactory(project=team_project, user=colleague, description="Theirs")
    running = TimeEntryFactory(
        project=team_project,
        user=colleague,
        started_at=NOW - timedelta(minutes=5),
        ended_at=None,
        duration_seconds=None,
    )
    return finished, running


@pytest.mark.parametrize(
    ("method", "suffix", "which"),
    [("patch", "", 0), ("delete", "", 0), ("post", "/stop", 1)],
)
def test_a_member_cannot_change_a_colleagues_time(
    login, team, colleagues_entries, method, suffix, which
):
    api = in_team(login, member_of(team, Role.MEMBER), team)
    target = colleagues_entries[which]
    response = getattr(api, method)(
        f"{ENTRIES}/{target.pk}{suffix}", {"description": "Mine"}, format="json"
    )
    error_of(response, 403, "FORBIDDEN")
    target.refresh_from_db()
    assert target.description != "Mine"
    assert TimeEntry.objects.filter(pk=target.pk, ended_at=target.ended_at).exists()


def test_a_member_can_see_a_colleagues_time(login, team, colleagues_entries):
    api = in_team(login, member_of(team, Role.MEMBER), team)
    finished, running = colleagues_entries
    assert ids(api.get(ENTRIES)) == {str(finished.pk), str(running.pk)}
    assert data_of(api.get(f"{ENTRIES}/{finished.pk}"))["description"] == "Theirs"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_an_admin_can_change_stop_and_delete_a_colleagues_time(
    login, team, colleagues_entries, role
):
    api = in_team(login, member_of(team, role), team)
    finished, running = colleagues_entries
    data = data_of(api.patch(f"{ENTRIES}/{finished.pk}", {"description": "Fixed"}, format="json"))
    assert data["description"] == "Fixed"
    stopped = data_of(api.post(f"{ENTRIES}/{running.pk}/stop"))
    assert (stopped["running"], stopped["durationSeconds"]) == (False, 300)
    assert api.delete(f"{ENTRIES}/{finished.pk}").status_code == 204
    assert not TimeEntry.objects.filter(pk=finished.pk).exists()


def test_a_member_tracks_their_own_time_in_a_team(login, team, team_project):
    member = member_of(team, Role.MEMBER)
    api = in_team(login, member, team)
    started = data_of(
        api.post(f"{ENTRIES}/start", {"projectId": str(team_project.pk)}, format="json"), 201
    )
    stopped = data_of(api.post(f"{ENTRIES}/{started['id']}/stop"))
    assert stopped["running"] is False
    assert api.delete(f"{ENTRIES}/{started['id']}").status_code == 204


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/start"), ("post", "")],
)
def test_a_viewer_cannot_track_time(login, team, team_project, method, path):
    api = in_team(login, member_of(team, Role.VIEWER), team)
    body = {"projectId": str(team_project.pk), "startedAt": iso(NOW - timedelta(hours=1))}
    response = getattr(api, method)(ENTRIES + path, {**body, "durationSeconds": 60}, format="json")
    error_of(response, 403, "FORBIDDEN")
    assert not TimeEntry.objects.exists()


def test_a_viewer_can_read_the_time_list(login, team, colleagues_entries):
    api = in_team(login, member_of(team, Role.VIEWER), team)
    assert len(ids(api.get(ENTRIES))) == 2


def test_a_viewer_asking_for_their_timer_gets_none(login, team, colleagues_entries):
    api = in_team(login, member_of(team, Role.VIEWER), team)
    assert data_of(api.get(f"{ENTRIES}/current")) is None


# --- Anonymous and outsiders ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "/current"),
        ("post", "/start"),
        ("get", "/{id}"),
        ("patch", "/{id}"),
        ("delete", "/{id}"),
        ("post", "/{id}/stop"),
    ],
)
def test_anonymous_requests_are_a_401(api_client, frozen, user, project, method, path):
    running = TimeEntryFactory(project=project, user=user, ended_at=None, duration_seconds=None)
    url = ENTRIES + path.format(id=running.pk)
    response = getattr(api_client, method)(url, {"projectId": str(project.pk)}, format="json")
    error_of(response, 401, "UNAUTHORIZED")
    assert TimeEntry.objects.get().is_running


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("patch", ""), ("delete", ""), ("post", "/stop")]
)
def test_outsider_gets_404_for_another_workspaces_entry(api, method, suffix):
    foreign = TimeEntryFactory(
        project=ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory())),
        ended_at=None,
        duration_seconds=None,
        description="Theirs",
    )
    response = getattr(api, method)(
        f"{ENTRIES}/{foreign.pk}{suffix}", {"description": "Mine"}, format="json"
    )
    error_of(response, 404, "NOT_FOUND")
    foreign.refresh_from_db()
    assert (foreign.description, foreign.is_running) == ("Theirs", True)


def test_another_workspaces_entries_are_not_listed(api, entry):
    TimeEntryFactory(project=ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory())))
    assert ids(api.get(ENTRIES)) == {str(entry.pk)}


# --- List filters ---------------------------------------------------------------------------


@pytest.fixture
def ledger(workspace, user, project):
    """Entries across two projects of two clients, two people, billable or not, one running."""
    other_project = ProjectFactory(client=ClientFactory(workspace=workspace, name="Grace"))
    colleague = member_of(workspace, Role.MEMBER)
    day = timedelta(days=1)
    rows = {
        "old": TimeEntryFactory(project=project, user=user, started_at=NOW - 5 * day),
        "unbillable": TimeEntryFactory(
            project=project, user=colleague, started_at=NOW - 3 * day, billable=False
        ),
        "other": TimeEntryFactory(project=other_project, user=user, started_at=NOW - 2 * day),
        "running": TimeEntryFactory(
            project=other_project,
            user=colleague,
            started_at=NOW - timedelta(hours=1),
            ended_at=None,
            duration_seconds=None,
        ),
    }
    return {"project": project, "other_project": other_project, "colleague": colleague, **rows}


def test_the_list_is_newest_first_with_page_meta(api, ledger):
    response = api.get(ENTRIES)
    order = [row["id"] for row in data_of(response)]
    expected = [ledger[key].pk for key in ("running", "other", "unbillable", "old")]
    assert order == [str(pk) for pk in expected]
    assert response.json()["meta"] == {"total": 4, "page": 1, "perPage": 20, "totalPages": 1}


FILTER_CASE_IDS = [
    "project", "client", "user", "unbillable", "billable", "running", "finished", "since", "until",
    "since-and-until", "project-and-billable",
]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda led: {"projectId": led["project"].pk}, {"old", "unbillable"}),
        (lambda led: {"clientId": led["other_project"].client_id}, {"other", "running"}),
        (lambda led: {"userId": led["colleague"].pk}, {"unbillable", "running"}),
        (lambda led: {"billable": "false"}, {"unbillable"}),
        (lambda led: {"billable": "true"}, {"old", "other", "running"}),
        (lambda led: {"running": "true"}, {"running"}),
        (lambda led: {"running": "false"}, {"old", "unbillable", "other"}),
        (lambda led: {"since": iso(NOW - timedelta(days=4))}, {"unbillable", "other", "running"}),
        (lambda led: {"until": iso(NOW - timedelta(days=3))}, {"old"}),
        (
            lambda led: {
                "since": iso(NOW - timedelta(days=4)),
                "until": iso(NOW - timedelta(days=1)),
            },
            {"unbillable", "other"},
        ),
        (lambda led: {"projectId": led["project"].pk, "billable": "true"}, {"old"}),
    ],
    ids=FILTER_CASE_IDS,
)
def test_the_time_list_filters(api, ledger, params, expected):
    assert ids(api.get(ENTRIES, params(ledger))) == {str(ledger[key].pk) for key in expected}


def test_the_time_list_costs_the_same_queries_for_one_entry_or_thirty(api, user, project):
    TimeEntryFactory(project=project, user=user)
    with CaptureQueriesContext(connection) as one:
        data_of(api.get(ENTRIES))
    TimeEntryFactory.create_batch(29, project=project, user=user)
    with CaptureQueriesContext(connection) as thirty:
        assert len(data_of(api.get(ENTRIES, {"perPage": 30}))) == 30
    assert len(thirty) == len(one)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"projectId": "x"}, "projectId"),
        ({"clientId": "x"}, "clientId"),
        ({"userId": "x"}, "userId"),
        ({"billable": "sometimes"}, "billable"),
        ({"since": "last week"}, "since"),
    ],
)
def test_bad_time_filters_are_a_400(api, params, field):
    error_of(api.get(ENTRIES, params), 400, "VALIDATION_ERROR", field=field)


# --- Totals ---------------------------------------------------------------------------------


@pytest.fixture
def worked(workspace, user, project):
    colleague = member_of(workspace, Role.MEMBER)
    TimeEntryFactory(project=project, user=user, duration_seconds=3600, hourly_rate=Decimal("80"))
    TimeEntryFactory(project=project, user=user, duration_seconds=900, hourly_rate=Decimal("100"))
    TimeEntryFactory(
        project=project,
        user=colleague,
        duration_seconds=1800,
        billable=False,
        hourly_rate=Decimal("80"),
    )
    TimeEntryFactory(
        project=project,
        user=colleague,
        ended_at=None,
        duration_seconds=None,
        hourly_rate=Decimal("80"),
    )
    sibling = ProjectFactory(client=project.client)
    TimeEntryFactory(
        project=sibling, user=colleague, duration_seconds=7200, hourly_rate=Decimal("50")
    )
    TimeEntryFactory(
        project=ProjectFactory(client=ClientFactory(workspace=workspace)),
        user=user,
        duration_seconds=99999,
    )
    return colleague


def test_project_time_summary_totals(api, user, project, worked):
    data = data_of(api.get(f"{API}/projects/{project.pk}/time-summary"))
    assert data == {
        "totalSeconds": 6300,
        "billableSeconds": 4500,
        "billableAmount": "105.00",
        "runningTimers": 1,
        "byUser": [
            {"userId": str(user.pk), "name": user.name, "seconds": 4500},
            {"userId": str(worked.pk), "name": worked.name, "seconds": 1800},
        ],
    }


def test_client_time_summary_adds_up_its_projects(api, user, project, worked):
    data = data_of(api.get(f"{API}/clients/{project.client_id}/time-summary"))
    assert data == {
        "totalSeconds": 13500,
        "billableSeconds": 11700,
        "billableAmount": "205.00",
        "runningTimers": 1,
        "byUser": [
            {"userId": str(worked.pk), "name": worked.name, "seconds": 9000},
            {"userId": str(user.pk), "name": user.name, "seconds": 4500},
        ],
    }


def test_a_project_without_time_sums_to_zero(api, project):
    assert data_of(api.get(f"{API}/projects/{project.pk}/time-summary")) == {
        "totalSeconds": 0,
        "billableSeconds": 0,
        "billableAmount": "0.00",
        "runningTimers": 0,
        "byUser": [],
    }


def test_summaries_of_another_workspace_are_a_404(api):
    foreign = ProjectFactory(client=ClientFactory(workspace=WorkspaceFactory()))
    error_of(api.get(f"{API}/projects/{foreign.pk}/time-summary"), 404, "NOT_FOUND")
    error_of(api.get(f"{API}/clients/{foreign.client_id}/time-summary"), 404, "NOT_FOUND")


# --- Stale timers ---------------------------------------------------------------------------


def start_at(moment: datetime, *, user, project):
    with time_machine.travel(moment, tick=False):
        return services.start_timer(actor=user, project=project)


@pytest.fixture
def sleepy(db):
    """Someone else with a timer of their own (a person runs one timer at a time)."""
    return UserFactory()


def test_a_timer_running_past_the_limit_is_stopped_at_the_limit(user, project, sleepy):
    forgotten = start_at(NOW - timedelta(hours=13), user=user, project=project)
    fresh = start_at(NOW - timedelta(hours=1), user=sleepy, project=project)

    with time_machine.travel(NOW, tick=False):
        stopped = services.stop_stale_timers()

    assert stopped == 1
    forgotten.refresh_from_db()
    assert forgotten.ended_at == NOW - timedelta(hours=1)
    assert forgotten.duration_seconds == 12 * 3600
    assert forgotten.auto_stopped is True
    fresh.refresh_from_db()
    assert fresh.is_running and fresh.auto_stopped is False
    event = ActivityEvent.objects.get(verb="time_entry.auto_stopped")
    assert event.target_id == forgotten.pk
    assert event.actor is None
    assert event.changes == {"duration_seconds": [None, 43200]}


def test_the_limit_comes_from_settings(settings, user, project, sleepy):
    settings.TIMER_MAX_RUNNING_HOURS = 2
    forgotten = start_at(NOW - timedelta(hours=3), user=user, project=project)
    fresh = start_at(NOW - timedelta(hours=1), user=sleepy, project=project)

    with time_machine.travel(NOW, tick=False):
        assert services.stop_stale_timers() == 1

    forgotten.refresh_from_db()
    assert (forgotten.ended_at, forgotten.duration_seconds) == (NOW - timedelta(hours=1), 7200)
    assert forgotten.auto_stopped is True
    fresh.refresh_from_db()
    assert fresh.is_running


def test_stopping_stale_timers_twice_stops_nothing_more(user, project):
    forgotten = start_at(NOW - timedelta(hours=13), user=user, project=project)
    with time_machine.travel(NOW, tick=False):
        assert services.stop_stale_timers() == 1
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        assert services.stop_stale_timers() == 0
    forgotten.refresh_from_db()
    assert forgotten.ended_at == NOW - timedelta(hours=1)
    assert ActivityEvent.objects.filter(verb="time_entry.auto_stopped").count() == 1


def test_the_scheduled_task_stops_stale_timers(user, project, sleepy):
    forgotten = start_at(NOW - timedelta(hours=13), user=user, project=project)
    fresh = start_at(NOW - timedelta(hours=1), user=sleepy, project=project)

    with time_machine.travel(NOW, tick=False):
        assert tasks.stop_stale_timers.delay().get() == 1

    forgotten.refresh_from_db()
    assert (forgotten.auto_stopped, forgotten.duration_seconds) == (True, 43200)
    fresh.refresh_from_db()
    assert fresh.is_running
    event = ActivityEvent.objects.get(verb="time_entry.auto_stopped")
    assert event.actor is None


def test_an_auto_stopped_timer_shows_as_such_and_frees_its_owner(user, project, login):
    start_at(NOW - timedelta(hours=13), user=user, project=project)
    with time_machine.travel(NOW, tick=False):
        services.stop_stale_timers()
        api, _, _ = login(user)
        [row] = data_of(api.get(ENTRIES))
        assert (row["autoStopped"], row["running"], row["durationSeconds"]) == (True, False, 43200)
        assert data_of(api.get(f"{ENTRIES}/current")) is None
        data_of(api.post(f"{ENTRIES}/start", {"projectId": str(project.pk)}, format="json"), 201)


def test_the_limit_is_measured_from_the_start_not_from_now(user, project):
    start_at(NOW - timedelta(hours=30), user=user, project=project)
    with time_machine.travel(NOW, tick=False):
        services.stop_stale_timers()
    entry = TimeEntry.objects.get()
    assert entry.ended_at == NOW - timedelta(hours=18)
    assert entry.duration_seconds == 12 * 3600
    assert entry.amount == Decimal("960.00")
