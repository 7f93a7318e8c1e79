"""What an API key may touch: `<resource>:read` and `<resource>:write` for each resource below.

A resource is the `api_resource` a WorkspaceViewSet declares; only such views accept a key at
all. Safe methods (GET, HEAD, OPTIONS) need `:read`, every other method `:write`; `write` does
not imply `read`, so a key that only pushes data cannot read it back.
"""

from rest_framework import status

from apps.core.errors import ApplicationError, ErrorCode

# The one list of resources a key can be scoped to. A viewset naming anything else is a bug.
RESOURCES = (
    "clients",
    "projects",
    "milestones",
    "notes",
    "time-entries",
    "activity",
    "audit-logs",
    "billing",
    "files",
    "search",
    "ai",
)
READ, WRITE = "read", "write"
SCOPES = tuple(f"{resource}:{access}" for resource in RESOURCES for access in (READ, WRITE))
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scope_for(resource: str, method: str) -> str:
    return f"{resource}:{READ if method.upper() in SAFE_METHODS else WRITE}"


def require_scope(scopes, *, resource: str, method: str) -> None:
    """403 FORBIDDEN naming the missing scope, unless the key holds it."""
    needed = scope_for(resource, method)
    if needed not in scopes:
        raise ApplicationError(
            "This API key's scopes do not allow this.",
            code=ErrorCode.FORBIDDEN,
            status_code=status.HTTP_403_FORBIDDEN,
            details=[{"field": None, "message": f"Needs the `{needed}` scope."}],
        )
