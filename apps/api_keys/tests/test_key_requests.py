"""Requests made with a key: it acts as its creator in its workspace, within its scopes, until
it is revoked, rotated away, expired, or its creator leaves."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import User
from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.api_keys import services
from apps.api_keys.models import ApiKey
from apps.billing.tests.factories import SubscriptionFactory
from apps.core.testing import data_of, error_of
from apps.crm.models import Client
from apps.crm.tests.factories import ClientFactory, ProjectFactory
from apps.workspaces.models import Membership
from apps.workspaces.roles import Role
from apps.workspaces.services import change_member_role, remove_member
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory, member_of

from .factories import ApiKeyFactory, key_header

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients"


@pytest.fixture
def team():
    """A team on a plan that includes API keys."""
    return SubscriptionFactory(workspace=WorkspaceFactory(name="Acme")).workspace


@pytest.fixture
def owner(team):
    return member_of(team, Role.OWNER)


def names(response) -> list[str]:
    return sorted(row["name"] for row in data_of(response))


def test_a_key_reads_clients_of_its_workspace_only(api_client, team):
    ClientFactory(workspace=team, name="Globex")
    ClientFactory(name="Elsewhere Inc")
    key = ApiKeyFactory(workspace=team, scopes=["clients:read"])

    response = api_client.get(CLIENTS, **key_header(key))

    assert names(response) == ["Globex"]


def test_without_clients_write_a_post_is_403_naming_the_scope(api_client, team):
    key = ApiKeyFactory(workspace=team, scopes=["clients:read"])

    response = api_client.post(CLIENTS, {"name": "Hooli"}, format="json", **key_header(key))

    error = error_of(response, 403, "FORBIDDEN")
    assert "clients:write" in error["details"][0]["message"]
    assert not Client.objects.filter(name="Hooli").exists()


def test_with_clients_write_a_post_creates_as_the_creator_in_the_keys_workspace(api_client, team):
    key = ApiKeyFactory(workspace=team, scopes=["clients:write"])

    response = api_client.post(CLIENTS, {"name": "Hooli"}, format="json", **key_header(key))

    created = data_of(response, 201)
    client = Client.objects.get(pk=created["id"])
    assert (client.workspace, client.created_by) == (team, key.created_by)
    event = ActivityEvent.objects.get(verb=Verb.CLIENT_CREATED)
    assert event.actor == key.created_by
    # Write does not imply read.
    error_of(api_client.get(CLIENTS, **key_header(key)), 403, "FORBIDDEN")


def test_the_keys_rights_are_its_creators_role_and_its_scopes(api_client, team, owner):
    key = ApiKeyFactory(workspace=team, scopes=["clients:read", "clients:write"])
    creator = Membership.objects.get(workspace=team, user=key.created_by)
    owner_membership = Membership.objects.get(workspace=team, user=owner)

    change_member_role(membership=owner_membership, target=creator, role=Role.VIEWER)

    assert api_client.get(CLIENTS, **key_header(key)).status_code == 200
    response = api_client.post(CLIENTS, {"name": "Hooli"}, format="json", **key_header(key))
    error = error_of(response, 403, "FORBIDDEN")
    assert "crm.edit" in error["details"][0]["message"]


def test_another_workspace_in_the_header_is_404_even_one_the_creator_belongs_to(api_client, team):
    key = ApiKeyFactory(workspace=team)
    creators_other_team = WorkspaceFactory()
    MembershipFactory(workspace=creators_other_team, user=key.created_by, role=Role.OWNER)
    ClientFactory(workspace=creators_other_team, name="Other team client")

    for workspace in (creators_other_team, key.created_by.personal_workspace):
        response = api_client.get(CLIENTS, HTTP_X_WORKSPACE_ID=str(workspace.pk), **key_header(key))
        error_of(response, 404, "NOT_FOUND")
    same = api_client.get(CLIENTS, HTTP_X_WORKSPACE_ID=str(team.pk), **key_header(key))
    assert same.status_code == 200
    malformed = api_client.get(CLIENTS, HTTP_X_WORKSPACE_ID="not-an-id", **key_header(key))
    error_of(malformed, 400, "VALIDATION_ERROR", field="X-Workspace-ID")


def test_an_object_outside_the_workspace_is_404_before_any_scope_check(api_client, team):
    key = ApiKeyFactory(workspace=team, scopes=["projects:read"])
    foreign = ClientFactory()
    own = ClientFactory(workspace=team)

    error_of(api_client.get(f"{CLIENTS}/{foreign.pk}", **key_header(key)), 404, "NOT_FOUND")
    error_of(api_client.get(f"{CLIENTS}/{own.pk}", **key_header(key)), 403, "FORBIDDEN")


def test_each_resource_asks_for_its_own_scope(api_client, team):
    project = ProjectFactory(client=ClientFactory(workspace=team))
    key = ApiKeyFactory(workspace=team, scopes=["projects:read", "activity:read"])

    assert api_client.get("/api/v1/projects", **key_header(key)).status_code == 200
    assert api_client.get("/api/v1/activity", **key_header(key)).status_code == 200
    for path in (
        f"/api/v1/projects/{project.pk}/milestones",
        "/api/v1/time-entries",
        "/api/v1/audit-logs",
        f"/api/v1/projects/{project.pk}/notes",
    ):
        error = error_of(api_client.get(path, **key_header(key)), 403, "FORBIDDEN")
        assert ":read` scope" in error["details"][0]["message"], path


@pytest.mark.parametrize(
    ("make_unusable", "message"),
    [
        (lambda key: services.revoke_api_key(api_key=key, actor=key.created_by), "revoked"),
        (lambda key: services.rotate_api_key(api_key=key, actor=key.created_by), "revoked"),
        (
            lambda key: ApiKey.objects.filter(pk=key.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            ),
            "expired",
        ),
        (
            lambda key: User.objects.filter(pk=key.created_by_id).update(is_active=False),
            "deactivated",
        ),
    ],
    ids=["revoked", "rotated-away", "expired", "creator-deactivated"],
)
def test_a_key_that_no_longer_works_is_401_saying_why(api_client, team, make_unusable, message):
    key = ApiKeyFactory(workspace=team)
    assert api_client.get(CLIENTS, **key_header(key)).status_code == 200

    make_unusable(key)

    error = error_of(api_client.get(CLIENTS, **key_header(key)), 401, "UNAUTHORIZED")
    assert message in error["message"]


def test_a_key_stops_when_its_creator_leaves_the_workspace(api_client, team, owner):
    key = ApiKeyFactory(workspace=team)
    owner_membership = Membership.objects.get(workspace=team, user=owner)
    creator = Membership.objects.get(workspace=team, user=key.created_by)

    remove_member(membership=owner_membership, target=creator)

    error = error_of(api_client.get(CLIENTS, **key_header(key)), 401, "UNAUTHORIZED")
    assert "no longer in its workspace" in error["message"]


def test_the_rotated_key_works_where_the_old_one_did(api_client, team):
    old = ApiKeyFactory(workspace=team)
    _, text = services.rotate_api_key(api_key=old, actor=old.created_by)

    response = api_client.get(CLIENTS, HTTP_AUTHORIZATION=f"Api-Key {text}")

    assert response.status_code == 200
    assert api_client.get(CLIENTS, **key_header(old)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key",
        "Api-Key pk_0123456789abcdef_wrong-secret-of-enough-length",
        "Api-Key not-a-key-at-all",
        "Api-Key two words",
    ],
)
def test_an_unknown_or_malformed_key_is_401(api_client, team, header):
    ApiKeyFactory(workspace=team)

    response = api_client.get(CLIENTS, HTTP_AUTHORIZATION=header)

    error_of(response, 401, "UNAUTHORIZED")
    assert "X-RateLimit-Limit" not in response


def test_the_right_prefix_with_a_wrong_secret_is_401(api_client, team):
    key = ApiKeyFactory(workspace=team)
    forged = key.text[:-4] + ("AAAA" if not key.text.endswith("AAAA") else "BBBB")

    response = api_client.get(CLIENTS, HTTP_AUTHORIZATION=f"Api-Key {forged}")

    error_of(response, 401, "UNAUTHORIZED")


def test_last_used_is_recorded_and_refreshed_at_most_once_a_minute(api_client, team):
    key = ApiKeyFactory(workspace=team)
    assert key.last_used_at is None
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        api_client.get(CLIENTS, **key_header(key))
    key.refresh_from_db()
    assert key.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api_client.get(CLIENTS, **key_header(key))
    key.refresh_from_db()
    assert key.last_used_at == start

    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api_client.get(CLIENTS, **key_header(key))
    key.refresh_from_db()
    assert key.last_used_at == later


def test_a_key_request_costs_one_query_when_last_used_is_fresh(
    api_client, team, django_assert_num_queries
):
    key = ApiKeyFactory(workspace=team)
    api_client.get(CLIENTS, **key_header(key))  # records last_used

    # The key with its creator, workspace and membership; then the page's count.
    with django_assert_num_queries(2):
        response = api_client.get(CLIENTS, **key_header(key))
    assert response.status_code == 200
