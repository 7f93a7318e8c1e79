"""Races on PostgreSQL with real transactions: one key, two people acting on it at once."""

import pytest

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.api_keys.models import ApiKey
from apps.billing.tests.factories import SubscriptionFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of
from apps.workspaces.tests.test_concurrency import run_together, statuses

from .factories import ApiKeyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    return SubscriptionFactory(workspace=WorkspaceFactory()).workspace


def test_two_rotations_at_once_make_one_successor(team, login):
    key = ApiKeyFactory(workspace=team)
    headers = {"HTTP_X_WORKSPACE_ID": str(team.pk)}
    clients = [login(member_of(team, Role.ADMIN))[0] for _ in range(2)]

    responses = run_together(
        *[lambda c=c: c.post(f"/api/v1/api-keys/{key.pk}/rotate", **headers) for c in clients]
    )

    assert statuses(responses) == [201, 409]
    assert ApiKey.objects.filter(rotated_from=key).count() == 1
    assert ActivityEvent.objects.filter(verb=Verb.API_KEY_ROTATED).count() == 1


def test_a_rotation_racing_a_revocation_leaves_no_usable_old_key(team, login):
    key = ApiKeyFactory(workspace=team)
    headers = {"HTTP_X_WORKSPACE_ID": str(team.pk)}
    rotator, revoker = (login(member_of(team, Role.ADMIN))[0] for _ in range(2))

    responses = run_together(
        lambda: rotator.post(f"/api/v1/api-keys/{key.pk}/rotate", **headers),
        lambda: revoker.delete(f"/api/v1/api-keys/{key.pk}", **headers),
    )

    key.refresh_from_db()
    assert key.revoked_at is not None
    # Exactly one of them changed the key; the other found it revoked.
    assert statuses(responses) in ([201, 409], [204, 409])
    assert ActivityEvent.objects.filter(verb__startswith="api_key.").count() == 1
