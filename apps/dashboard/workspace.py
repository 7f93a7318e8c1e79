"""The workspace a dashboard page acts in, and the decorator that scopes every page to it.

Pages follow the API's tenancy rule with the browser session in place of the header: the
workspace id stored under `SESSION_KEY`, else the personal workspace. A stored id that no
longer names one of the user's workspaces (they left, or were removed) falls back to personal.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from rest_framework.exceptions import NotFound

from apps.core.errors import ApplicationError
from apps.workspaces.models import Membership, Workspace
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import resolve_membership

SESSION_KEY = "workspace_id"


def current_membership(request) -> Membership:
    """The signed-in user's membership in the page's workspace (memoized on the request)."""
    cached = getattr(request, "membership", None)
    if cached is not None:
        return cached
    try:
        membership = resolve_membership(request.user, request.session.get(SESSION_KEY))
    except (NotFound, ApplicationError):
        request.session.pop(SESSION_KEY, None)
        membership = resolve_membership(request.user, None)
    request.membership = membership
    request.workspace = membership.workspace
    return membership


def switch_workspace(request, workspace: Workspace) -> None:
    """Make `workspace` the one the following pages act in (the caller checked membership)."""
    request.session[SESSION_KEY] = str(workspace.pk)
    _drop_memo(request)


def forget_workspace(request) -> None:
    """Go back to the personal workspace, e.g. after leaving the current one."""
    request.session.pop(SESSION_KEY, None)
    _drop_memo(request)


def _drop_memo(request) -> None:
    request.__dict__.pop("membership", None)
    request.__dict__.pop("workspace", None)


def require(request, perm: Perm) -> None:
    """Refuse (403 page) unless the user's role in the page's workspace allows `perm`."""
    if not current_membership(request).can(perm):
        raise PermissionDenied(perm)


def forbidden(request, perm=None):
    return render(request, "dashboard/forbidden.html", {"perm": perm}, status=403)


def workspace_page(perm: Perm = Perm.WORKSPACE_VIEW):
    """Sign-in required; set `request.membership` and `request.workspace`; check `perm`.

    Views fetch URL objects from inside `request.workspace` first (404 for anything else) and
    call `require()` for stronger permissions after, so a foreign id is never a 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                require(request, perm)
                return view(request, *args, **kwargs)
            except PermissionDenied as denied:
                return forbidden(request, denied.args[0] if denied.args else None)

        return login_required(wrapper)

    return decorator
