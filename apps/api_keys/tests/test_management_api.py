"""Managing keys over the API: create (the key shown once), list, read, revoke, rotate; who may."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.api_keys.keys import hash_secret, split_key
from apps.api_keys.models import ApiKey
from apps.billing.tests.factories import SubscriptionFactory
from apps.core.testing import data_of, error_of
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

from .factories import ApiKeyFactory

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/api-keys"
LISTED = {
    "id", "name", "prefix", "scopes", "status", "expiresAt", "lastUsedAt", "revokedAt",
    "rotatedFromId", "createdBy", "createdAt",
}  # fmt: skip


@pytest.fixture
def team():
    """A team on a plan that includes API keys."""
    return SubscriptionFactory(workspace=WorkspaceFactory(name="Acme")).workspace


@pytest.fixture
def admin(team):
    return member_of(team, Role.ADMIN)


@pytest.fixture
def admin_api(admin, login):
    return login(admin)[0]


def in_(workspace) -> dict:
    return {"HTTP_X_WORKSPACE_ID": str(workspace.pk)}


def create(api, team, **body):
    body = {"name": "CI sync", "scopes": ["clients:read"], **body}
    return api.post(KEYS, body, format="json", **in_(team))


def test_create_answers_the_key_once_and_the_list_shows_only_its_prefix(admin_api, admin, team):
    created = data_of(create(admin_api, team, scopes=["clients:write", "clients:read"]), 201)

    prefix, secret = split_key(created["key"])
    assert created["prefix"] == prefix
    assert created["scopes"] == ["clients:read", "clients:write"]
    assert created["status"] == "active"
    assert created["createdBy"] == {"id": str(admin.pk), "name": admin.name}
    listed = data_of(admin_api.get(KEYS, **in_(team)))
    assert [row["id"] for row in listed] == [created["id"]]
    assert set(listed[0]) == LISTED
    detail = data_of(admin_api.get(f"{KEYS}/{created['id']}", **in_(team)))
    assert set(detail) == LISTED
    for answer in (listed, detail):
        assert secret not in str(answer)


def test_the_stored_row_holds_a_hash_of_the_secret_never_the_secret(admin_api, team):
    created = data_of(create(admin_api, team), 201)

    _, secret = split_key(created["key"])
    row = ApiKey.objects.get(pk=created["id"])
    assert row.secret_hash == hash_secret(secret)
    assert secret not in str(list(ApiKey.objects.filter(pk=row.pk).values()))


def test_a_key_can_carry_an_expiry_in_the_future(admin_api, team):
    expires = timezone.now() + timedelta(days=30)

    created = data_of(create(admin_api, team, expiresAt=expires.isoformat()), 201)

    assert ApiKey.objects.get(pk=created["id"]).expires_at == expires


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["clients:read", "clients:delete"]}, "scopes"),
        ({"scopes": ["payroll:read"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "clients:read"}, "scopes"),
        ({"name": ""}, "name"),
        ({"expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"),
    ],
)
def test_invalid_input_is_a_validation_error_on_its_field(admin_api, team, body, field):
    response = create(admin_api, team, **body)

    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not ApiKey.objects.exists()


def test_a_plan_without_api_keys_cannot_create_or_rotate_them(login):
    free_team = WorkspaceFactory()
    api = login(member_of(free_team, Role.OWNER))[0]
    key = ApiKeyFactory(workspace=free_team)  # made while the plan still included keys

    error_of(create(api, free_team), 402, "PLAN_FEATURE_UNAVAILABLE")
    error_of(api.post(f"{KEYS}/{key.pk}/rotate", **in_(free_team)), 402, "PLAN_FEATURE_UNAVAILABLE")
    assert ApiKey.objects.count() == 1
    # Revoking stays possible: nobody should be stuck with a key they cannot stop.
    assert api.delete(f"{KEYS}/{key.pk}", **in_(free_team)).status_code == 204


def test_revoking_keeps_the_row_stops_the_key_and_a_second_revoke_is_409(admin_api, team):
    key = ApiKeyFactory(workspace=team)

    response = admin_api.delete(f"{KEYS}/{key.pk}", **in_(team))

    assert response.status_code == 204
    key.refresh_from_db()
    assert key.revoked_at is not None
    listed = data_of(admin_api.get(KEYS, **in_(team)))
    assert [(row["id"], row["status"]) for row in listed] == [(str(key.pk), "revoked")]
    again = admin_api.delete(f"{KEYS}/{key.pk}", **in_(team))
    error_of(again, 409, "ALREADY_REVOKED")


def test_rotating_answers_a_new_key_once_and_revokes_the_old_at_once(admin_api, admin, team):
    expires = timezone.now() + timedelta(days=10)
    old = ApiKeyFactory(
        workspace=team, name="Nightly export", scopes=["notes:read"], expires_at=expires
    )

    rotated = data_of(admin_api.post(f"{KEYS}/{old.pk}/rotate", **in_(team)), 201)

    new = ApiKey.objects.get(pk=rotated["id"])
    assert split_key(rotated["key"])[0] == new.prefix != old.prefix
    assert (new.name, new.scopes, new.expires_at) == ("Nightly export", ["notes:read"], expires)
    assert new.rotated_from == old
    assert rotated["rotatedFromId"] == str(old.pk)
    # The person who rotated holds the new secret, so the key acts as them.
    assert new.created_by == admin
    old.refresh_from_db()
    assert old.revoked_at is not None
    error_of(admin_api.post(f"{KEYS}/{old.pk}/rotate", **in_(team)), 409, "ALREADY_REVOKED")


def test_an_expired_key_cannot_be_rotated(admin_api, team):
    key = ApiKeyFactory(workspace=team, expires_at=timezone.now() - timedelta(minutes=1))

    error_of(admin_api.post(f"{KEYS}/{key.pk}/rotate", **in_(team)), 409, "API_KEY_EXPIRED")
    assert ApiKey.objects.count() == 1


def test_create_rotate_and_revoke_each_write_their_event(admin_api, admin, team):
    created = data_of(create(admin_api, team, scopes=["projects:read"]), 201)
    rotated = data_of(admin_api.post(f"{KEYS}/{created['id']}/rotate", **in_(team)), 201)
    assert admin_api.delete(f"{KEYS}/{rotated['id']}", **in_(team)).status_code == 204

    events = list(ActivityEvent.objects.filter(workspace=team).order_by("seq"))
    assert [(e.verb, str(e.target_id)) for e in events] == [
        (Verb.API_KEY_CREATED, created["id"]),
        (Verb.API_KEY_ROTATED, rotated["id"]),
        (Verb.API_KEY_REVOKED, rotated["id"]),
    ]
    assert all(event.actor == admin and event.target_type == "api_key" for event in events)
    assert events[0].changes["scopes"] == [None, ["projects:read"]]
    assert events[1].changes["rotated_from"] == [None, created["id"]]
    for key in (created["key"], rotated["key"]):
        secret = split_key(key)[1]
        assert not ActivityEvent.objects.filter(changes__icontains=secret).exists()


def test_owners_and_admins_manage_keys_members_and_viewers_get_403(team, login):
    ApiKeyFactory(workspace=team)
    for role, status in (
        (Role.OWNER, 200),
        (Role.ADMIN, 200),
        (Role.MEMBER, 403),
        (Role.VIEWER, 403),
    ):
        api = login(member_of(team, role))[0]
        response = api.get(KEYS, **in_(team))
        assert response.status_code == status, role
        posted = create(api, team)
        assert posted.status_code == {200: 201, 403: 403}[status], role
    error = error_of(posted, 403, "FORBIDDEN")
    assert "api_keys.manage" in error["details"][0]["message"]


def test_an_outsider_gets_404_for_a_key_and_for_the_workspace(team, user_client):
    key = ApiKeyFactory(workspace=team)

    error_of(user_client.get(f"{KEYS}/{key.pk}", **in_(team)), 404, "NOT_FOUND")
    error_of(user_client.delete(f"{KEYS}/{key.pk}", **in_(team)), 404, "NOT_FOUND")
    # In their own workspace the key does not exist either.
    error_of(user_client.post(f"{KEYS}/{key.pk}/rotate"), 404, "NOT_FOUND")
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_key_management_needs_a_signed_in_user(api_client, team):
    error_of(api_client.get(KEYS, **in_(team)), 401, "UNAUTHORIZED")


def test_the_list_costs_the_same_queries_for_3_keys_as_for_30(admin_api, team):
    ApiKeyFactory.create_batch(3, workspace=team)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_api.get(KEYS, {"perPage": 100}, **in_(team))
        assert response.status_code == 200
        return len(captured)

    with_three = queries()
    ApiKeyFactory.create_batch(27, workspace=team)
    assert queries() == with_three
