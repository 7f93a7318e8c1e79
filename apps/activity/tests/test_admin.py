"""The activity admin: staff read the audit log and the chain heads, and can change nothing."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityChainHead, ActivityEvent
from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def recorded(count: int) -> list[ActivityEvent]:
    """Events in several workspaces, by several people, about several clients."""
    actor = UserFactory()
    events = []
    for _ in range(count):
        client = ClientFactory()
        events.append(
            record_activity(
                workspace_id=client.workspace_id,
                actor=actor,
                verb=Verb.CLIENT_CREATED,
                target=client,
                changes={"name": [None, client.name]},
            )
        )
    return events


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", [ActivityEvent, ActivityChainHead], ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(staff_client, model):
    url = reverse(f"admin:activity_{model._meta.model_name}_changelist")
    recorded(10)
    with_ten = _queries(staff_client, url)
    recorded(40)
    assert _queries(staff_client, url) == with_ten


def test_event_list_searches_and_filters(staff_client):
    workspace = WorkspaceFactory()
    actor = UserFactory(email="ann@acme.example")
    client = ClientFactory(workspace=workspace, name="Northwind")
    record_activity(workspace_id=workspace.pk, actor=actor, verb=Verb.CLIENT_CREATED, target=client)
    record_activity(
        workspace_id=workspace.pk, actor=actor, verb=Verb.CLIENT_ARCHIVED, target=ClientFactory()
    )
    url = reverse("admin:activity_activityevent_changelist")

    found = staff_client.get(url, {"q": "Northwind"})
    assert list(found.context["cl"].result_list) == [
        ActivityEvent.objects.get(target_label="Northwind")
    ]
    archived = staff_client.get(url, {"verb__exact": Verb.CLIENT_ARCHIVED})
    assert [event.verb for event in archived.context["cl"].result_list] == [Verb.CLIENT_ARCHIVED]


def test_event_page_renders_with_the_hash_chain(staff_client):
    event = recorded(1)[0]
    page = staff_client.get(reverse("admin:activity_activityevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert event.hash.encode() in page.content


def test_events_cannot_be_added_changed_or_deleted(staff_client):
    event = recorded(1)[0]
    change_url = reverse("admin:activity_activityevent_change", args=[event.pk])
    delete_url = reverse("admin:activity_activityevent_delete", args=[event.pk])

    assert staff_client.get(reverse("admin:activity_activityevent_add")).status_code == 403
    assert staff_client.post(change_url, {"target_label": "forged"}).status_code == 403
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    staff_client.post(
        reverse("admin:activity_activityevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    stored = ActivityEvent.objects.get(pk=event.pk)
    assert stored.target_label == event.target_label
    page = staff_client.get(change_url)
    assert b'name="_save"' not in page.content


def test_chain_heads_are_read_only(staff_client):
    event = recorded(1)[0]
    head = ActivityChainHead.objects.get(workspace_id=event.workspace_id)
    url = reverse("admin:activity_activitychainhead_change", args=[head.pk])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"seq": "0"}).status_code == 403
    assert staff_client.get(reverse("admin:activity_activitychainhead_add")).status_code == 403
    head.refresh_from_db()
    assert head.seq == 1


def test_verify_action_reports_intact_and_broken_chains(staff_client):
    intact, tampered = recorded(2)
    ActivityEvent.objects.filter(pk=tampered.pk).update(target_label="forged")

    response = staff_client.post(
        reverse("admin:activity_activitychainhead_changelist"),
        {
            "action": "verify_chains",
            "_selected_action": [intact.workspace_id, tampered.workspace_id],
        },
        follow=True,
    )

    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert "1 chain(s) intact (1 events checked)." in shown
    assert any("BROKEN" in message and "was edited" in message for message in shown)
