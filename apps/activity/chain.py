"""The hash chain over a workspace's events: each event's hash covers its content and the
previous event's hash, so an edited, inserted or deleted row breaks every link after it."""

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_digest(event) -> str:
    """The hash of one event: its content plus the hash before it. Never the actor's FK, which
    goes NULL when the account is deleted; the label recorded at the time stands in for it."""
    content = {
        "workspace": str(event.workspace_id),
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": event.created_at.isoformat(),
        "actor": event.actor_label,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": str(event.target_id) if event.target_id else None,
        "target_label": event.target_label,
        "client": str(event.client_id) if event.client_id else None,
        "project": str(event.project_id) if event.project_id else None,
        "changes": event.changes,
        "ip": event.ip_address,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
    }
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    workspace_id: str
    seq: int
    event_id: str | None
    reason: str

    def __str__(self):
        where = f"event #{self.seq}" + (f" ({self.event_id})" if self.event_id else "")
        return f"workspace {self.workspace_id}: {where}: {self.reason}"


def verify_workspace_chain(workspace_id) -> tuple[int, BrokenLink | None]:
    """Walk one workspace's chain in order; answer how many events held and the first break."""
    from .models import ActivityChainHead, ActivityEvent

    head = ActivityChainHead.objects.filter(workspace_id=workspace_id).first()
    # Events before the anchor were removed by retention; the anchor keeps their last hash.
    expected_prev = head.pruned_through_hash if head and head.pruned_through_seq else GENESIS
    expected_seq = (head.pruned_through_seq if head else 0) + 1
    checked = 0
    events = ActivityEvent.objects.filter(workspace_id=workspace_id).order_by("seq").iterator(2000)
    for event in events:
        if event.seq != expected_seq:
            reason = (
                f"event #{expected_seq} is missing (deleted?)"
                if event.seq > expected_seq
                else "its position repeats an earlier one"
            )
            return checked, BrokenLink(str(workspace_id), event.seq, str(event.id), reason)
        if event.prev_hash != expected_prev:
            return checked, BrokenLink(
                str(workspace_id),
                event.seq,
                str(event.id),
                "its previous-hash does not match the event before it (an event before it "
                "was replaced)",
            )
        if event_digest(event) != event.hash:
            return checked, BrokenLink(
                str(workspace_id),
                event.seq,
                str(event.id),
                "its content does not match its hash (the row was edited)",
            )
        checked += 1
        expected_prev = event.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is not None and (
        head.seq != last_seq or (last_seq > head.pruned_through_seq and head.hash != expected_prev)
    ):
        return checked, BrokenLink(
            str(workspace_id),
            head.seq,
            None,
            f"the chain ends at #{last_seq} but its head records #{head.seq} "
            "(events were deleted from the end)",
        )
    return checked, None
