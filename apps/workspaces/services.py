"""Writes about workspaces: creation, members and roles, ownership, invites."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.billing.entitlements import Quota, spend
from apps.core.errors import ApplicationError, ErrorCode

from .emails import queue_invite_email, withdraw_invite_emails
from .models import Invite, Membership, Workspace
from .roles import Perm, Role
from .tenancy import forbid

INVITE_TOKEN_SALT = "workspaces.invite"


def _conflict(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=status.HTTP_409_CONFLICT)


def _require(membership: Membership, perm: Perm) -> None:
    if not membership.can(perm):
        raise forbid(perm)


def _other_owners(workspace: Workspace, *, excluding: Membership) -> bool:
    return (
        Membership.objects.filter(workspace=workspace, role=Role.OWNER)
        .exclude(pk=excluding.pk)
        .exists()
    )


def _lock_memberships(workspace: Workspace) -> None:
    """Serialize role changes in one workspace so two owners cannot demote each other at once
    and leave it ownerless."""
    list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))


def _reread_roles(*memberships: Membership) -> None:
    """Roles as they are now that the lock is held: a request that waited may have been
    demoted or removed meanwhile."""
    for membership in memberships:
        try:
            membership.refresh_from_db(fields=["role"])
        except Membership.DoesNotExist:
            raise ApplicationError(
                "This membership no longer exists.", code=ErrorCode.NOT_FOUND, status_code=404
            ) from None


# --- Workspaces -------------------------------------------------------------------------------


@transaction.atomic
def create_workspace(*, actor, name: str) -> Workspace:
    workspace = Workspace.objects.create(name=name.strip(), created_by=actor)
    Membership.objects.create(workspace=workspace, user=actor, role=Role.OWNER)
    record_activity(
        workspace_id=workspace.pk, actor=actor, verb=Verb.WORKSPACE_CREATED, target=workspace
    )
    return workspace


def personal_workspace_name(user) -> str:
    return f"{(user.name or user.email.split('@')[0]).strip()}'s workspace"[:120]


def create_personal_workspace(*, user) -> Membership:
    """Give the user the workspace every account has; a no-op when it already exists."""
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(
                name=personal_workspace_name(user), personal_for=user, created_by=user
            )
            membership = Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
            record_activity(
                workspace_id=workspace.pk,
                actor=user,
                verb=Verb.WORKSPACE_CREATED,
                target=workspace,
            )
            return membership
    except IntegrityError:
        return Membership.objects.select_related("workspace").get(
            user=user, workspace__personal_for=user
        )


@transaction.atomic
def update_workspace(
    *, workspace: Workspace, actor, name: str, membership: Membership | None = None
) -> Workspace:
    """Rename a workspace. `membership` is the acting member's (its role is checked); staff
    in the admin act without one."""
    if membership is not None:
        _require(membership, Perm.WORKSPACE_UPDATE)
    name = name.strip()
    if name != workspace.name:
        changes = {"name": [workspace.name, name]}
        workspace.name = name
        workspace.save(update_fields=["name", "updated_at"])
        record_activity(
            workspace_id=workspace.pk,
            actor=actor,
            verb=Verb.WORKSPACE_UPDATED,
            target=workspace,
            changes=changes,
        )
    return workspace


@transaction.atomic
def delete_workspace(*, membership: Membership) -> None:
    """Delete a team and everything it owns. A personal workspace goes only with its account."""
    _require(membership, Perm.WORKSPACE_DELETE)
    if membership.workspace.is_personal:
        raise _conflict(
            "A personal workspace cannot be deleted; it goes with the account.",
            "PERSONAL_WORKSPACE",
        )
    workspace = membership.workspace
    # The team's own log goes with it, so the deletion is recorded where the deleter keeps
    # theirs: in their personal workspace.
    personal = Workspace.objects.filter(personal_for=membership.user_id).first()
    if personal is not None:
        record_activity(
            workspace_id=personal.pk,
            actor=membership.user,
            verb=Verb.WORKSPACE_DELETED,
            target=workspace,
            changes={"members": [workspace.memberships.count(), 0]},
        )
    workspace.delete()


# --- Members ----------------------------------------------------------------------------------


@transaction.atomic
def change_member_role(*, membership: Membership, target: Membership, role: str) -> Membership:
    _lock_memberships(target.workspace)
    _reread_roles(membership, target)
    _require(membership, Perm.MEMBERS_MANAGE)
    if role == Role.OWNER or target.role == Role.OWNER:
        _require(membership, Perm.OWNERS_MANAGE)
    if role == target.role:
        return target
    if target.role == Role.OWNER and not _other_owners(target.workspace, excluding=target):
        raise _conflict(
            "A workspace needs an owner: make someone else an owner first.", "LAST_OWNER"
        )
    changes = {"role": [target.role, role]}
    target.role = role
    target.save(update_fields=["role", "updated_at"])
    record_activity(
        workspace_id=target.workspace_id,
        actor=membership.user,
        verb=Verb.MEMBER_ROLE_CHANGED,
        target=target.user,
        target_label=target.user.email,
        changes=changes,
    )
    return target


@transaction.atomic
def remove_member(*, membership: Membership, target: Membership) -> None:
    """Remove someone from the workspace, or leave it when the target is yourself."""
    workspace = target.workspace
    _lock_memberships(workspace)
    _reread_roles(membership, target)
    leaving = target.pk == membership.pk
    if not leaving:
        _require(membership, Perm.MEMBERS_MANAGE)
        if target.role == Role.OWNER:
            _require(membership, Perm.OWNERS_MANAGE)
    if workspace.personal_for_id == target.user_id:
        raise _conflict(
            "The account's own personal workspace cannot be left.", "PERSONAL_WORKSPACE"
        )
    if target.role == Role.OWNER and not _other_owners(workspace, excluding=target):
        raise _conflict(
            "The last owner cannot leave or be removed: transfer ownership first.",
            "LAST_OWNER",
        )
    user = target.user
    target.delete()
    record_activity(
        workspace_id=workspace.pk,
        actor=membership.user,
        verb=Verb.MEMBER_LEFT if leaving else Verb.MEMBER_REMOVED,
        target=user,
        target_label=user.email,
    )


@transaction.atomic
def transfer_ownership(*, membership: Membership, target: Membership) -> Membership:
    """Make `target` an owner and step the current owner down to admin."""
    _require(membership, Perm.OWNERSHIP_TRANSFER)
    if membership.workspace.is_personal:
        raise _conflict(
            "A personal workspace stays with its account; create a team to hand over.",
            "PERSONAL_WORKSPACE",
        )
    if target.pk == membership.pk:
        raise ApplicationError("You already own this workspace.", code="ALREADY_OWNER")
    _lock_memberships(membership.workspace)
    _reread_roles(membership, target)
    _require(membership, Perm.OWNERSHIP_TRANSFER)
    target.role = Role.OWNER
    target.save(update_fields=["role", "updated_at"])
    membership.role = Role.ADMIN
    membership.save(update_fields=["role", "updated_at"])
    record_activity(
        workspace_id=membership.workspace_id,
        actor=membership.user,
        verb=Verb.WORKSPACE_OWNERSHIP_TRANSFERRED,
        target=target.user,
        target_label=target.user.email,
        changes={"owner": [membership.user.email, target.user.email]},
    )
    return target


# --- Invites ----------------------------------------------------------------------------------


def invite_token(invite: Invite) -> str:
    """The secret in the invite link: the invite's id signed with the site key. Nothing
    secret is stored; any link made for the invite stays valid until the invite closes."""
    return signing.dumps(str(invite.pk), salt=INVITE_TOKEN_SALT)


def invite_from_token(token: str) -> Invite:
    try:
        invite_id = signing.loads(token, salt=INVITE_TOKEN_SALT)
        return Invite.objects.select_related("workspace").get(pk=invite_id)
    except (signing.BadSignature, Invite.DoesNotExist, ValueError, TypeError):
        raise ApplicationError(
            "This invite link is not valid.",
            code=ErrorCode.NOT_FOUND,
            status_code=status.HTTP_404_NOT_FOUND,
        ) from None


def _send_invite(invite: Invite) -> None:
    """Number this send and queue its email in the caller's transaction; it leaves after the
    commit. The number comes from the row, so two resends racing get two numbers (two keys)."""
    Invite.objects.filter(pk=invite.pk).update(
        sent_count=F("sent_count") + 1, last_sent_at=timezone.now()
    )
    invite.refresh_from_db(fields=["sent_count", "last_sent_at"])
    queue_invite_email(invite=invite, token=invite_token(invite), send_number=invite.sent_count)


@transaction.atomic
def create_invite(*, membership: Membership, email: str, role: str) -> Invite:
    _require(membership, Perm.INVITES_MANAGE)
    if role == Role.OWNER:
        _require(membership, Perm.OWNERS_MANAGE)
    workspace = membership.workspace
    email = email.strip().lower()
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise _conflict("This person is already a member of the workspace.", "ALREADY_MEMBER")
    # A pending invite past its expiry no longer holds the address.
    Invite.objects.filter(
        workspace=workspace,
        email__iexact=email,
        status=Invite.Status.PENDING,
        expires_at__lte=timezone.now(),
    ).update(status=Invite.Status.EXPIRED, updated_at=timezone.now())
    try:
        with transaction.atomic():
            spend(workspace=workspace, quota=Quota.SEATS, actor=membership.user)
            invite = Invite.objects.create(
                workspace=workspace,
                email=email,
                role=role,
                invited_by=membership.user,
                expires_at=timezone.now() + timedelta(days=settings.INVITE_TTL_DAYS),
            )
    except IntegrityError:
        raise _conflict(
            "An invite to this address is pending already; resend it instead.",
            ErrorCode.DUPLICATE_RESOURCE,
        ) from None
    record_activity(
        workspace_id=workspace.pk,
        actor=membership.user,
        verb=Verb.INVITE_CREATED,
        target=invite,
        changes={"role": [None, role]},
    )
    _send_invite(invite)
    return invite


def _require_pending(invite: Invite) -> None:
    if invite.status != Invite.Status.PENDING:
        raise _conflict(f"This invite is {invite.status} already.", "INVITE_CLOSED")
    if invite.is_expired:
        raise ApplicationError(
            "This invite has expired; ask for a new one.",
            code="INVITE_EXPIRED",
            status_code=status.HTTP_410_GONE,
        )


@transaction.atomic
def resend_invite(*, invite: Invite, actor, membership: Membership | None = None) -> Invite:
    """Send the email again and give the invite a fresh expiry. `membership` is the acting
    member's (its role is checked); staff in the admin act without one."""
    if membership is not None:
        _require(membership, Perm.INVITES_MANAGE)
    if invite.status != Invite.Status.PENDING:
        raise _conflict(f"This invite is {invite.status} already.", "INVITE_CLOSED")
    if invite.expires_at <= timezone.now():
        # An expired invite gave its seat back; reviving it takes one again.
        spend(workspace=invite.workspace, quota=Quota.SEATS, actor=actor)
    invite.expires_at = timezone.now() + timedelta(days=settings.INVITE_TTL_DAYS)
    invite.save(update_fields=["expires_at", "updated_at"])
    record_activity(
        workspace_id=invite.workspace_id,
        actor=actor,
        verb=Verb.INVITE_RESENT,
        target=invite,
    )
    _send_invite(invite)
    return invite


@transaction.atomic
def revoke_invite(*, invite: Invite, actor, membership: Membership | None = None) -> Invite:
    """Close a pending invite. As for `resend_invite`, staff act without a membership."""
    if membership is not None:
        _require(membership, Perm.INVITES_MANAGE)
    if invite.status != Invite.Status.PENDING:
        raise _conflict(f"This invite is {invite.status} already.", "INVITE_CLOSED")
    invite.status = Invite.Status.REVOKED
    invite.responded_at = timezone.now()
    invite.save(update_fields=["status", "responded_at", "updated_at"])
    withdraw_invite_emails(invite=invite)
    record_activity(
        workspace_id=invite.workspace_id,
        actor=actor,
        verb=Verb.INVITE_REVOKED,
        target=invite,
    )
    return invite


def _lock_invite_for(token: str, user) -> Invite:
    invite = invite_from_token(token)
    invite = (
        Invite.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=invite.pk)
    )
    if invite.email.lower() != user.email.lower():
        raise ApplicationError(
            "This invite was sent to another email address.",
            code="INVITE_EMAIL_MISMATCH",
            status_code=status.HTTP_403_FORBIDDEN,
        )
    _require_pending(invite)
    return invite


@transaction.atomic
def accept_invite(*, token: str, user) -> Membership:
    invite = _lock_invite_for(token, user)
    membership, created = Membership.objects.select_related("workspace").get_or_create(
        workspace=invite.workspace, user=user, defaults={"role": invite.role}
    )
    invite.status = Invite.Status.ACCEPTED
    invite.responded_at = timezone.now()
    invite.save(update_fields=["status", "responded_at", "updated_at"])
    withdraw_invite_emails(invite=invite)
    record_activity(
        workspace_id=invite.workspace_id, actor=user, verb=Verb.INVITE_ACCEPTED, target=invite
    )
    if created:
        record_activity(
            workspace_id=invite.workspace_id,
            actor=user,
            verb=Verb.MEMBER_JOINED,
            target=user,
            target_label=user.email,
            changes={"role": [None, membership.role]},
        )
    return membership


@transaction.atomic
def decline_invite(*, token: str, user) -> Invite:
    invite = _lock_invite_for(token, user)
    invite.status = Invite.Status.DECLINED
    invite.responded_at = timezone.now()
    invite.save(update_fields=["status", "responded_at", "updated_at"])
    withdraw_invite_emails(invite=invite)
    record_activity(
        workspace_id=invite.workspace_id, actor=user, verb=Verb.INVITE_DECLINED, target=invite
    )
    return invite


# --- Accounts ---------------------------------------------------------------------------------


def workspaces_blocking_account_deletion(user) -> list[Workspace]:
    """Teams with other members where the user is the only owner: deleting the account would
    leave them ownerless."""
    owned = Workspace.objects.filter(
        memberships__user=user, memberships__role=Role.OWNER, personal_for__isnull=True
    )
    return [
        workspace
        for workspace in owned
        if not workspace.memberships.filter(role=Role.OWNER).exclude(user=user).exists()
        and workspace.memberships.exclude(user=user).exists()
    ]


def delete_workspaces_left_empty(user) -> None:
    """Delete the teams whose only member is the user (their data goes with them)."""
    for workspace in Workspace.objects.filter(memberships__user=user, personal_for__isnull=True):
        if not workspace.memberships.exclude(user=user).exists():
            workspace.delete()
