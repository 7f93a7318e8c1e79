"""Issuing, rotating and revoking API keys. Each writes its activity event in its transaction.

The key text is answered once, by `create_api_key` and `rotate_api_key`, and never stored: the
row keeps the prefix and a hash of the secret (see keys.py).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from rest_framework import status

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.billing.entitlements import Feature, require_feature
from apps.core.errors import ApplicationError

from .keys import hash_secret, key_text, new_prefix, new_secret
from .models import ApiKey
from .scopes import RESOURCES, SCOPES


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, details=[{"field": field, "message": message}])


def _checked_scopes(scopes) -> list[str]:
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise _invalid(
            "scopes",
            f"Unknown scope {unknown[0]!r}; a scope is `<resource>:read` or `<resource>:write` "
            f"for one of: {', '.join(RESOURCES)}.",
        )
    if not scopes:
        raise _invalid("scopes", "Give the key at least one scope.")
    # One spelling of a set of scopes: the order of SCOPES, no repeats.
    return [scope for scope in SCOPES if scope in scopes]


def _issue(*, workspace_id, actor, name, scopes, expires_at, rotated_from=None):
    prefix, secret = new_prefix(), new_secret()
    key = ApiKey.objects.create(
        workspace_id=workspace_id,
        created_by=actor,
        name=name,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=scopes,
        expires_at=expires_at,
        rotated_from=rotated_from,
    )
    return key, key_text(prefix, secret)


def _conflict(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=status.HTTP_409_CONFLICT)


@transaction.atomic
def create_api_key(
    *, workspace, actor, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key acting as `actor` in `workspace`; answers the row and the key text."""
    require_feature(workspace=workspace, feature=Feature.API_KEYS)
    scopes = _checked_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise _invalid("expiresAt", "The expiry must be in the future.")
    key, text = _issue(
        workspace_id=workspace.pk, actor=actor, name=name, scopes=scopes, expires_at=expires_at
    )
    record_activity(
        workspace_id=workspace.pk,
        actor=actor,
        verb=Verb.API_KEY_CREATED,
        target=key,
        changes={
            "name": [None, name],
            "prefix": [None, key.prefix],
            "scopes": [None, scopes],
            "expires_at": [None, expires_at],
        },
    )
    return key, text


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey, actor) -> ApiKey:
    """Stop the key at once. The row stays, for the audit trail and the list."""
    now = timezone.now()
    # The conditional update is the lock: of two concurrent revocations one finds the row.
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    if not revoked:
        raise _conflict("This API key is already revoked.", "ALREADY_REVOKED")
    api_key.revoked_at = api_key.updated_at = now
    record_activity(
        workspace_id=api_key.workspace_id,
        actor=actor,
        verb=Verb.API_KEY_REVOKED,
        target=api_key,
        changes={"revoked_at": [None, now]},
    )
    return api_key


@transaction.atomic
def rotate_api_key(*, api_key: ApiKey, actor) -> tuple[ApiKey, str]:
    """Replace the key with a new secret: the old one stops at once, the new one keeps its
    name, scopes and expiry. It acts as `actor`, who is the one holding the new secret."""
    require_feature(workspace=api_key.workspace, feature=Feature.API_KEYS)
    if api_key.is_revoked:
        raise _conflict("This API key is revoked; create a new one.", "ALREADY_REVOKED")
    if api_key.is_expired:
        raise _conflict("This API key has expired; create a new one.", "API_KEY_EXPIRED")
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    if not revoked:  # revoked or rotated by someone else since we read it
        raise _conflict("This API key is revoked; create a new one.", "ALREADY_REVOKED")
    api_key.revoked_at = api_key.updated_at = now
    key, text = _issue(
        workspace_id=api_key.workspace_id,
        actor=actor,
        name=api_key.name,
        scopes=api_key.scopes,
        expires_at=api_key.expires_at,
        rotated_from=api_key,
    )
    record_activity(
        workspace_id=api_key.workspace_id,
        actor=actor,
        verb=Verb.API_KEY_ROTATED,
        target=key,
        changes={"rotated_from": [None, str(api_key.pk)], "prefix": [api_key.prefix, key.prefix]},
    )
    return key, text
