"""`Authorization: Api-Key <key>`: a key acts as its creator, in its workspace, within its scopes.

Only views that opt in accept a key: a `WorkspaceViewSet` that names its `api_resource`. Every
other endpoint that authenticates (sign-in sessions, the account, teams, invites, settings, the
key management itself) refuses one here with 403 `API_KEY_NOT_ALLOWED`, before its own
permission classes run, so no view can let a key in by forgetting to keep it out. The scope and
the workspace are checked by `WorkspaceViewSet` (apps.workspaces.tenancy), after the objects in
the URL are found, so what a key may not see is a 404 and what it may not do a 403.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.joined_rows import JoinedLookup
from apps.core.throttling import spend_api_key_request
from apps.workspaces.models import Membership, Workspace

from .keys import secret_matches, split_key
from .models import ApiKey
from .scopes import RESOURCES

KEYWORD = "Api-Key"
# How stale `last_used_at` may get before a request refreshes it: one write a minute at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# The key, the person it acts for, its workspace and their membership there, in one query.
# The membership is a LEFT JOIN so that a creator who left is told so, not "unknown key".
KEY_WITH_MEMBERSHIP = JoinedLookup(
    models=(ApiKey, User, Workspace, Membership),
    joins=(
        "{0} INNER JOIN {1} ON {0}.created_by_id = {1}.id "
        "INNER JOIN {2} ON {0}.workspace_id = {2}.id "
        "LEFT JOIN {3} ON {3}.workspace_id = {0}.workspace_id AND {3}.user_id = {0}.created_by_id"
    ),
    where="{0}.prefix = %s",
    param_fields=(ApiKey._meta.get_field("prefix"),),
)


class ApiKeyNotAllowed(ApplicationError, exceptions.APIException):
    """403 for a valid key on an endpoint that does not take keys.

    An APIException as well, so DRF leaves the request unauthenticated as it would for any
    failed authentication; an ApplicationError, so the error envelope carries our code.
    """

    def __init__(self):
        message = "This endpoint does not accept API keys; sign in to use it."
        ApplicationError.__init__(
            self, message, code="API_KEY_NOT_ALLOWED", status_code=status.HTTP_403_FORBIDDEN
        )
        self.detail = message


def view_accepts_api_keys(view_class) -> bool:
    """Whether requests to this view may authenticate with an API key."""
    # Imported here: DRF's views import this module (the default authentication classes).
    from apps.workspaces.tenancy import WorkspaceViewSet

    if not (isinstance(view_class, type) and issubclass(view_class, WorkspaceViewSet)):
        return False
    resource = view_class.api_resource
    if resource is None:
        return False
    if resource not in RESOURCES:
        raise ImproperlyConfigured(
            f"{view_class.__name__}.api_resource {resource!r} is not in api_keys.scopes.RESOURCES."
        )
    return True


def _failed(message: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(message, code="api_key_invalid")


class ApiKeyAuthentication(BaseAuthentication):
    """Answers (the key's creator, the key); `request.auth` is the ApiKey."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise _failed(f"Send the key as `Authorization: {KEYWORD} <key>`.")
        try:
            text = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise _failed("This API key is not valid.") from None
        key = self._usable_key(text)

        view = (request.parser_context or {}).get("view")
        spend_api_key_request(request, view, key_id=str(key.pk))
        if view is None or not view_accepts_api_keys(type(view)):
            raise ApiKeyNotAllowed()
        self._touch(key)
        return key.created_by, key

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'

    def _usable_key(self, text: str) -> ApiKey:
        unknown = _failed("This API key is not valid.")
        parts = split_key(text)
        if parts is None:
            raise unknown
        prefix, secret = parts
        found = KEY_WITH_MEMBERSHIP.fetch_one(prefix)
        if found is None:
            raise unknown
        key, user, workspace, membership = found
        if not secret_matches(secret, key.secret_hash):
            raise unknown
        if key.revoked_at is not None:
            raise _failed("This API key has been revoked (or replaced by rotation).")
        if key.expires_at is not None and key.expires_at <= timezone.now():
            raise _failed(f"This API key expired at {key.expires_at.isoformat()}.")
        if not user.is_active:
            raise _failed("The account this API key acts for is deactivated.")
        if membership.pk is None:
            raise _failed("The person this API key acts for is no longer in its workspace.")
        membership.user, membership.workspace = user, workspace
        key.created_by, key.workspace, key.membership = user, workspace, membership
        return key

    def _touch(self, key: ApiKey) -> None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
