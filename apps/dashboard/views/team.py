from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.workspaces import services
from apps.workspaces.models import Invite, Membership
from apps.workspaces.roles import Perm

from ..forms import InviteForm, RoleForm, TeamForm
from ..selectors import members, open_invites
from ..workspace import forget_workspace, require, switch_workspace, workspace_page
from .common import Refusal, form_errors, report


def _member(request, member_id) -> Membership:
    return get_object_or_404(members(request.workspace), pk=member_id)


def _invite(request, invite_id) -> Invite:
    return get_object_or_404(Invite.objects.filter(workspace=request.workspace), pk=invite_id)


@workspace_page(Perm.MEMBERS_VIEW)
def team(request):
    membership = request.membership
    role_form = RoleForm(membership=membership)
    grantable = {value for value, _ in role_form.fields["role"].choices}
    may_manage = membership.can(Perm.MEMBERS_MANAGE)
    rows = [
        # You may change or remove someone whose role you could give (only owners touch owners).
        {"member": member, "manageable": may_manage and member.role in grantable}
        for member in members(request.workspace)
    ]
    context = {
        "rows": rows,
        "role_choices": role_form.fields["role"].choices,
        "may_leave": membership.workspace.personal_for_id != request.user.pk,
        "team_form": TeamForm(),
    }
    if membership.can(Perm.INVITES_MANAGE):
        context["invite_form"] = InviteForm(membership=membership)
        context["invites"] = open_invites(request.workspace)
    return render(request, "dashboard/team.html", context)


@workspace_page(Perm.MEMBERS_VIEW)
@require_POST
def member_role(request, member_id):
    target = _member(request, member_id)
    require(request, Perm.MEMBERS_MANAGE)
    form = RoleForm(request.POST, membership=request.membership)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("dashboard-team")
    try:
        services.change_member_role(
            membership=request.membership, target=target, role=form.cleaned_data["role"]
        )
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"{target.user.display_name} is now {target.get_role_display()}.")
    return redirect("dashboard-team")


@workspace_page(Perm.MEMBERS_VIEW)
@require_POST
def member_remove(request, member_id):
    target = _member(request, member_id)
    require(request, Perm.MEMBERS_MANAGE)
    try:
        services.remove_member(membership=request.membership, target=target)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"Removed {target.user.display_name} from the workspace.")
    return redirect("dashboard-team")


@workspace_page(Perm.WORKSPACE_VIEW)
@require_POST
def leave(request):
    membership = request.membership
    try:
        services.remove_member(membership=membership, target=membership)
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-team")
    forget_workspace(request)
    messages.success(request, f"You left {membership.workspace.name}.")
    return redirect("dashboard")


@workspace_page(Perm.INVITES_MANAGE)
@require_POST
def invite_create(request):
    form = InviteForm(request.POST, membership=request.membership)
    if not form.is_valid():
        messages.error(request, f"No invite sent. {form_errors(form)}")
        return redirect("dashboard-team")
    try:
        invite = services.create_invite(membership=request.membership, **form.cleaned_data)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"Invited {invite.email} as {invite.get_role_display()}.")
    return redirect("dashboard-team")


@workspace_page(Perm.MEMBERS_VIEW)
@require_POST
def invite_resend(request, invite_id):
    invite = _invite(request, invite_id)
    require(request, Perm.INVITES_MANAGE)
    try:
        services.resend_invite(invite=invite, actor=request.user, membership=request.membership)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"Sent the invite to {invite.email} again.")
    return redirect("dashboard-team")


@workspace_page(Perm.MEMBERS_VIEW)
@require_POST
def invite_revoke(request, invite_id):
    invite = _invite(request, invite_id)
    require(request, Perm.INVITES_MANAGE)
    try:
        services.revoke_invite(invite=invite, actor=request.user, membership=request.membership)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"Revoked the invite to {invite.email}.")
    return redirect("dashboard-team")


@workspace_page(Perm.WORKSPACE_VIEW)
@require_POST
def team_create(request):
    form = TeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"No team created. {form_errors(form)}")
        return redirect("dashboard-team")
    workspace = services.create_workspace(actor=request.user, name=form.cleaned_data["name"])
    switch_workspace(request, workspace)
    messages.success(request, f"Created {workspace.name}; you are its owner.")
    return redirect("dashboard-team")
