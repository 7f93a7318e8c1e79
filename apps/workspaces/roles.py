"""The role table: which role in a workspace may do what. The only place roles are compared."""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Perm(StrEnum):
    # The workspace itself
    WORKSPACE_VIEW = "workspace.view"
    WORKSPACE_UPDATE = "workspace.update"
    WORKSPACE_DELETE = "workspace.delete"
    OWNERSHIP_TRANSFER = "workspace.transfer_ownership"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    OWNERS_MANAGE = "owners.manage"
    INVITES_MANAGE = "invites.manage"
    # Workspace data (CRM, time tracking, and later files, AI, exports)
    CRM_VIEW = "crm.view"
    CRM_EDIT = "crm.edit"
    TIME_TRACK = "time.track"
    TIME_MANAGE_ALL = "time.manage_all"
    ACTIVITY_VIEW = "activity.view"
    AUDIT_VIEW = "audit.view"
    # Billing and credentials
    BILLING_VIEW = "billing.view"
    BILLING_MANAGE = "billing.manage"
    API_KEYS_MANAGE = "api_keys.manage"
    # AI summaries spend the plan's quota
    AI_SUMMARIZE = "ai.summarize"


_EVERYONE = frozenset(Role)
_CONTRIBUTORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
_OWNERS = frozenset({Role.OWNER})

PERMISSIONS: dict[Perm, frozenset[Role]] = {
    Perm.WORKSPACE_VIEW: _EVERYONE,
    Perm.WORKSPACE_UPDATE: _MANAGERS,
    Perm.WORKSPACE_DELETE: _OWNERS,
    Perm.OWNERSHIP_TRANSFER: _OWNERS,
    Perm.MEMBERS_VIEW: _EVERYONE,
    # Admins manage members, admins and viewers; only owners touch owners.
    Perm.MEMBERS_MANAGE: _MANAGERS,
    Perm.OWNERS_MANAGE: _OWNERS,
    Perm.INVITES_MANAGE: _MANAGERS,
    Perm.CRM_VIEW: _EVERYONE,
    Perm.CRM_EDIT: _CONTRIBUTORS,
    Perm.TIME_TRACK: _CONTRIBUTORS,
    Perm.TIME_MANAGE_ALL: _MANAGERS,
    Perm.ACTIVITY_VIEW: _EVERYONE,
    Perm.AUDIT_VIEW: _MANAGERS,
    # Everyone sees the plan and its usage; only owners and admins pay, refund or change it.
    Perm.BILLING_VIEW: _EVERYONE,
    Perm.BILLING_MANAGE: _MANAGERS,
    Perm.API_KEYS_MANAGE: _MANAGERS,
    Perm.AI_SUMMARIZE: _CONTRIBUTORS,
}


def role_can(role: str, perm: Perm) -> bool:
    return role in PERMISSIONS[perm]


def roles_with(perm: Perm) -> list[str]:
    return [role.value for role in Role if role in PERMISSIONS[perm]]
