"""The invitee's side: the page the invite email links to, and its Accept / Decline buttons.

Not scoped to the current workspace: the invite names its own, and the token is the secret.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError
from apps.workspaces import services

from ..workspace import switch_workspace
from .common import Refusal, report


def _invalid(request):
    return render(request, "dashboard/invites/invalid.html", status=404)


@login_required
def invite(request, token):
    try:
        invite = services.invite_from_token(token)
    except ApplicationError:
        return _invalid(request)
    context = {
        "invite": invite,
        "token": token,
        "for_someone_else": invite.email.lower() != request.user.email.lower(),
    }
    return render(request, "dashboard/invites/detail.html", context)


@login_required
@require_POST
def invite_accept(request, token):
    try:
        membership = services.accept_invite(token=token, user=request.user)
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-invite", token)
    switch_workspace(request, membership.workspace)
    messages.success(request, f"Welcome to {membership.workspace.name}.")
    return redirect("dashboard")


@login_required
@require_POST
def invite_decline(request, token):
    try:
        invite = services.decline_invite(token=token, user=request.user)
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-invite", token)
    messages.info(request, f"You declined the invite to {invite.workspace.name}.")
    return redirect("dashboard")
