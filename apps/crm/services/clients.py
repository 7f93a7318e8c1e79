from django.db import transaction
from django.utils import timezone

from apps.activity.services import apply_changes, record_activity
from apps.activity.verbs import Verb
from apps.billing.entitlements import Quota, spend
from apps.core.errors import ApplicationError

from ..models import Client

CLIENT_FIELDS = ("name", "company", "email", "phone", "status")


@transaction.atomic
def create_client(*, workspace, actor, name: str, **fields) -> Client:
    spend(workspace=workspace, quota=Quota.CLIENTS, actor=actor)
    client = Client(workspace=workspace, created_by=actor, name=name)
    apply_changes(client, fields, CLIENT_FIELDS)
    client.full_clean(exclude=["workspace", "created_by"])
    client.save(force_insert=True)
    record_activity(
        workspace_id=workspace.pk,
        actor=actor,
        verb=Verb.CLIENT_CREATED,
        target=client,
        changes={field: [None, getattr(client, field)] for field in CLIENT_FIELDS},
    )
    return client


@transaction.atomic
def update_client(*, client: Client, actor, data: dict) -> Client:
    changes = apply_changes(client, data, CLIENT_FIELDS)
    if changes:
        client.full_clean(exclude=["workspace", "created_by"])
        client.save(update_fields=[*changes, "updated_at"])
        record_activity(
            workspace_id=client.workspace_id,
            actor=actor,
            verb=Verb.CLIENT_UPDATED,
            target=client,
            changes=changes,
        )
    return client


@transaction.atomic
def archive_client(*, client: Client, actor) -> Client:
    if client.archived_at:
        raise ApplicationError(
            "This client is already archived.", code="ALREADY_ARCHIVED", status_code=409
        )
    client.archived_at = timezone.now()
    client.save(update_fields=["archived_at", "updated_at"])
    record_activity(
        workspace_id=client.workspace_id, actor=actor, verb=Verb.CLIENT_ARCHIVED, target=client
    )
    return client


@transaction.atomic
def unarchive_client(*, client: Client, actor) -> Client:
    if not client.archived_at:
        raise ApplicationError("This client is not archived.", code="NOT_ARCHIVED", status_code=409)
    spend(workspace=client.workspace, quota=Quota.CLIENTS, actor=actor)
    client.archived_at = None
    client.save(update_fields=["archived_at", "updated_at"])
    record_activity(
        workspace_id=client.workspace_id, actor=actor, verb=Verb.CLIENT_UNARCHIVED, target=client
    )
    return client


@transaction.atomic
def delete_client(*, client: Client, actor) -> None:
    """Delete the client with its projects, milestones, notes and time. Its events stay."""
    record_activity(
        workspace_id=client.workspace_id, actor=actor, verb=Verb.CLIENT_DELETED, target=client
    )
    client.delete()
