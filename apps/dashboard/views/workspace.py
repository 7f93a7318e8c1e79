from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST
from rest_framework.exceptions import NotFound

from apps.workspaces.tenancy import resolve_membership

from ..forms import SwitchWorkspaceForm
from ..workspace import switch_workspace

# After a switch, the page you were on may name an object of the old workspace: go back to
# the list it belongs to instead.
_SECTIONS = (
    ("dashboard-client", "dashboard-clients"),
    ("dashboard-project", "dashboard-clients"),
    ("dashboard-api-key", "dashboard-api-keys"),
    ("dashboard-billing", "dashboard-billing"),
)
_STAYS = {
    "dashboard",
    "dashboard-clients",
    "dashboard-team",
    "dashboard-billing",
    "dashboard-api-keys",
    "dashboard-notifications",
    "dashboard-notification-preferences",
    "dashboard-search",
}


def _landing(next_path: str) -> str:
    try:
        name = resolve(next_path.split("?", 1)[0]).url_name or ""
    except Resolver404:
        return "dashboard"
    if name in _STAYS:
        return name
    return next((section for prefix, section in _SECTIONS if name.startswith(prefix)), "dashboard")


@login_required
@require_POST
def switch(request):
    form = SwitchWorkspaceForm(request.POST)
    if not form.is_valid():
        raise Http404("No such workspace.")
    try:
        membership = resolve_membership(request.user, form.cleaned_data["workspace"])
    except NotFound:
        raise Http404("No workspace with this id is visible to you.") from None
    switch_workspace(request, membership.workspace)
    messages.info(request, f"Now working in {membership.workspace.name}.")
    return redirect(_landing(form.cleaned_data["next"]))
