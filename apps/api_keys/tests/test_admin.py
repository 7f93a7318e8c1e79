"""The API key admin: staff find keys and revoke them (through the service); nobody adds one
there or sees more than the hash."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.api_keys.models import ApiKey
from apps.workspaces.tests.factories import WorkspaceFactory

from .factories import ApiKeyFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:api_keys_apikey_changelist")


def listed(response) -> set:
    assert response.status_code == 200
    return {api_key.pk for api_key in response.context["cl"].result_list}


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


def test_changelist_shows_prefix_name_workspace_creator_and_scopes(staff_client):
    key = ApiKeyFactory(name="Zapier sync", scopes=["clients:read", "notes:write"])

    html = staff_client.get(CHANGELIST).content.decode()

    for text in (key.prefix, "Zapier sync", key.workspace.name, key.created_by.email):
        assert text in html
    assert "clients:read, notes:write" in html
    assert key.secret_hash not in html


def test_changelist_queries_do_not_grow_with_rows(staff_client):
    ApiKeyFactory.create_batch(3)
    with_three = _queries(staff_client)
    ApiKeyFactory.create_batch(12)
    assert _queries(staff_client) == with_three


def test_search_and_filters(staff_client):
    acme = WorkspaceFactory(name="Acme")
    active = ApiKeyFactory(workspace=acme, name="Billing export", scopes=["billing:read"])
    revoked = ApiKeyFactory(workspace=acme, revoked_at=timezone.now())
    expired = ApiKeyFactory(expires_at=timezone.now() - timedelta(days=1))

    assert listed(staff_client.get(CHANGELIST, {"q": "Billing export"})) == {active.pk}
    assert listed(staff_client.get(CHANGELIST, {"q": active.prefix})) == {active.pk}
    assert listed(staff_client.get(CHANGELIST, {"q": "Acme"})) == {active.pk, revoked.pk}
    assert listed(staff_client.get(CHANGELIST, {"status": "active"})) == {active.pk}
    assert listed(staff_client.get(CHANGELIST, {"status": "revoked"})) == {revoked.pk}
    assert listed(staff_client.get(CHANGELIST, {"status": "expired"})) == {expired.pk}
    assert listed(staff_client.get(CHANGELIST, {"resource": "billing"})) == {active.pk}


def test_the_revoke_action_goes_through_the_service(staff_client, staff):
    active = ApiKeyFactory()
    already = ApiKeyFactory(revoked_at=timezone.now())

    response = staff_client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [active.pk, already.pk]}
    )

    assert response.status_code == 302
    active.refresh_from_db()
    assert active.revoked_at is not None
    event = ActivityEvent.objects.get(verb=Verb.API_KEY_REVOKED)
    assert (event.target_id, event.actor, event.workspace_id) == (
        active.pk,
        staff,
        active.workspace_id,
    )


def test_keys_are_not_added_here_and_the_hash_is_read_only(staff_client):
    key = ApiKeyFactory()

    assert staff_client.get(reverse("admin:api_keys_apikey_add")).status_code == 403
    page = staff_client.get(reverse("admin:api_keys_apikey_change", args=[key.pk]))
    assert page.status_code == 200
    assert 'name="secret_hash"' not in page.content.decode()
    assert ApiKey.objects.count() == 1
