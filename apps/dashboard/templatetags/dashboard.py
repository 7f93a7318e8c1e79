"""The workspace switcher in the header, and helpers for asking the role table in templates."""

from django import template

from apps.workspaces.roles import Perm

from ..selectors import user_memberships
from ..workspace import current_membership

register = template.Library()

# Verbs whose `<resource>.<action>` does not read well as "<action> <resource>".
_PHRASES = {
    "member.role_changed": "changed the role of",
    "workspace.ownership_transferred": "transferred ownership to",
    "time_entry.started": "started a timer on",
    "time_entry.stopped": "stopped a timer on",
    "time_entry.auto_stopped": "auto-stopped a timer on",
    "audit_log.exported": "exported the audit log",
}


@register.inclusion_tag("dashboard/_switcher.html", takes_context=True)
def workspace_switcher(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"memberships": []}
    return {
        "current": current_membership(request),
        "memberships": user_memberships(request.user),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if membership|can:"crm.edit" %}`: an unknown permission name is an error."""
    return membership is not None and membership.can(Perm(perm))


@register.filter
def verb_phrase(verb: str) -> str:
    """`client.archived` -> `archived client`, for the activity timeline."""
    if verb in _PHRASES:
        return _PHRASES[verb]
    resource, _, action = verb.partition(".")
    return f"{action.replace('_', ' ')} {resource.replace('_', ' ')}".strip()
