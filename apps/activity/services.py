"""Writing events. Every service that changes workspace data calls `record_activity` inside its
own transaction, so the change and its event commit or roll back together."""

import ipaddress
import json
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.context import current_request_context

from .chain import GENESIS, event_digest
from .models import ActivityChainHead, ActivityEvent
from .verbs import Verb


def _plain(value):
    """A JSON-native copy, so the hash computed now matches the row read back later."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _normal_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _label_of(actor) -> str:
    if actor is None:
        return "system"
    return actor.email


def _type_of(target) -> str:
    if target is None:
        return ""
    return getattr(target, "activity_type", None) or target._meta.model_name


def _label(target) -> str:
    if target is None:
        return ""
    return getattr(target, "activity_label", None) or str(target)


def _scope_of(target) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    scope = getattr(target, "activity_scope", None)
    return scope() if scope else (None, None)


def _locked_head(workspace_id) -> ActivityChainHead:
    try:
        with transaction.atomic():
            return ActivityChainHead.objects.select_for_update().get_or_create(
                workspace_id=workspace_id
            )[0]
    except IntegrityError:
        # Two first events raced to create the head; the loser locks the winner's row.
        return ActivityChainHead.objects.select_for_update().get(workspace_id=workspace_id)


def record_activity(
    *,
    workspace_id,
    actor,
    verb: Verb,
    target=None,
    changes: dict | None = None,
    target_label: str | None = None,
) -> ActivityEvent:
    """Append one event to the workspace's chain, with who, what, and from where."""
    context = current_request_context()
    client_id, project_id = _scope_of(target)
    with transaction.atomic():
        head = _locked_head(workspace_id)
        event = ActivityEvent(
            workspace_id=workspace_id,
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor=actor,
            actor_label=_label_of(actor),
            verb=verb,
            target_type=_type_of(target),
            target_id=getattr(target, "pk", None),
            target_label=(target_label if target_label is not None else _label(target))[:255],
            client_id=client_id,
            project_id=project_id,
            changes=_plain(changes or {}),
            ip_address=_normal_ip(context.ip) if context else None,
            user_agent=context.user_agent if context else "",
            request_id=context.request_id if context else "",
            prev_hash=head.hash if head.seq else GENESIS,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def _loggable(value):
    if isinstance(value, (datetime, date, Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "_meta"):
        return str(value.pk)
    return value


def apply_changes(instance, data: dict, fields: Iterable[str] | None = None) -> dict:
    """Set `data` on the instance; answer `{field: [old, new]}` for what really changed."""
    changes = {}
    for field, new in data.items():
        if fields is not None and field not in fields:
            continue
        old = getattr(instance, field)
        if old != new:
            changes[field] = [_loggable(old), _loggable(new)]
            setattr(instance, field, new)
    return changes


@transaction.atomic
def purge_events_before(*, workspace_id, cutoff) -> int:
    """Delete the workspace's events older than `cutoff` (its plan's retention). The chain
    head keeps the last deleted event's position and hash, so the rest still verifies and a
    deletion from the middle or the end is still caught."""
    head = _locked_head(workspace_id)
    last = (
        ActivityEvent.objects.filter(workspace_id=workspace_id, created_at__lt=cutoff)
        .order_by("-seq")
        .values("seq", "hash")
        .first()
    )
    if last is None:
        return 0
    deleted, _ = ActivityEvent.objects.filter(
        workspace_id=workspace_id, seq__lte=last["seq"]
    ).delete()
    head.pruned_through_seq, head.pruned_through_hash = last["seq"], last["hash"]
    head.save(update_fields=["pruned_through_seq", "pruned_through_hash"])
    return deleted
