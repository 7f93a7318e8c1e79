from django.db.models import Case, Count, Value, When
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from apps.core.validation import validated

from . import services
from .models import Invite, Membership, Workspace
from .roles import Perm
from .serializers import (
    InviteInputSerializer,
    InviteSerializer,
    InviteTokenSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    TeamDetailSerializer,
    TeamInputSerializer,
    TeamSerializer,
    TransferOwnershipSerializer,
)
from .tenancy import forbid

TAGS = ["teams"]


def _team(workspace: Workspace, role: str, member_count: int) -> dict:
    workspace.role = role
    workspace.member_count = member_count
    return TeamSerializer(workspace).data


class TeamViewSet(viewsets.ViewSet):
    """Workspaces (Maycole's teams). `teams/:id` names the workspace in the path; one you are
    not a member of answers 404. What each role may do is the table in `roles.py`."""

    perms = {
        "retrieve": Perm.WORKSPACE_VIEW,
        "update": Perm.WORKSPACE_UPDATE,
        "destroy": Perm.WORKSPACE_DELETE,
        "members": Perm.MEMBERS_VIEW,
        "add_member": Perm.INVITES_MANAGE,
        "update_member": Perm.MEMBERS_MANAGE,
        # Leaving is open to every role; removing someone else is checked by the service.
        "remove_member": Perm.WORKSPACE_VIEW,
        "transfer_ownership": Perm.OWNERSHIP_TRANSFER,
        "invites": Perm.INVITES_MANAGE,
        "create_invite": Perm.INVITES_MANAGE,
        "resend_invite": Perm.INVITES_MANAGE,
        "revoke_invite": Perm.INVITES_MANAGE,
    }

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if "pk" not in kwargs:
            return
        self.membership = (
            Membership.objects.select_related("workspace", "user")
            .filter(user=request.user, workspace_id=kwargs["pk"])
            .first()
        )
        if self.membership is None:
            raise exceptions.NotFound()
        perm = self.perms[self.action]
        if not self.membership.can(perm):
            raise forbid(perm)

    def _member(self, user_id) -> Membership:
        target = (
            Membership.objects.select_related("user", "workspace")
            .filter(workspace=self.membership.workspace, user_id=user_id)
            .first()
        )
        if target is None:
            raise exceptions.NotFound("This person is not a member of the workspace.")
        return target

    def _invite(self, invite_id) -> Invite:
        invite = (
            Invite.objects.select_related("workspace", "invited_by")
            .filter(workspace=self.membership.workspace, pk=invite_id)
            .first()
        )
        if invite is None:
            raise exceptions.NotFound()
        return invite

    def _members(self):
        return Membership.objects.filter(workspace=self.membership.workspace).select_related("user")

    @extend_schema(tags=TAGS, responses=TeamSerializer(many=True))
    def list(self, request):
        memberships = (
            Membership.objects.filter(user=request.user)
            .select_related("workspace")
            .annotate(member_count=Count("workspace__memberships"))
            .order_by(
                Case(When(workspace__personal_for=request.user, then=Value(0)), default=Value(1)),
                "workspace__name",
            )
        )
        return Response([_team(m.workspace, m.role, m.member_count) for m in memberships])

    @extend_schema(tags=TAGS, request=TeamInputSerializer, responses={201: TeamSerializer})
    def create(self, request):
        data = validated(TeamInputSerializer, request.data)
        workspace = services.create_workspace(actor=request.user, name=data["name"])
        return Response(_team(workspace, "owner", 1), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=TeamDetailSerializer)
    def retrieve(self, request, pk=None):
        members = list(self._members())
        workspace = self.membership.workspace
        workspace.role = self.membership.role
        workspace.member_count = len(members)
        workspace.members = members
        return Response(TeamDetailSerializer(workspace).data)

    @extend_schema(tags=TAGS, request=TeamInputSerializer, responses=TeamSerializer)
    def update(self, request, pk=None):
        data = validated(TeamInputSerializer, request.data)
        workspace = services.update_workspace(
            workspace=self.membership.workspace,
            actor=request.user,
            name=data["name"],
            membership=self.membership,
        )
        return Response(_team(workspace, self.membership.role, self._members().count()))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_workspace(membership=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=TAGS, responses=MemberSerializer(many=True))
    def members(self, request, pk=None):
        return Response(MemberSerializer(self._members(), many=True).data)

    @extend_schema(
        tags=TAGS,
        request=InviteInputSerializer,
        responses={201: InviteSerializer},
        description="Adds a member by inviting them: nobody joins a workspace without "
        "accepting. The same as `POST teams/:id/invites`.",
    )
    def add_member(self, request, pk=None):
        return self.create_invite(request, pk)

    @extend_schema(tags=TAGS, request=MemberRoleSerializer, responses=MemberSerializer)
    def update_member(self, request, pk=None, user_id=None):
        data = validated(MemberRoleSerializer, request.data)
        target = services.change_member_role(
            membership=self.membership, target=self._member(user_id), role=data["role"]
        )
        return Response(MemberSerializer(target).data)

    @extend_schema(
        tags=TAGS,
        responses={204: None},
        description="Remove a member (owners and admins), or leave when it is your own id.",
    )
    def remove_member(self, request, pk=None, user_id=None):
        services.remove_member(membership=self.membership, target=self._member(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=TAGS, request=TransferOwnershipSerializer, responses=MemberSerializer)
    def transfer_ownership(self, request, pk=None):
        data = validated(TransferOwnershipSerializer, request.data)
        target = services.transfer_ownership(
            membership=self.membership, target=self._member(data["user_id"])
        )
        return Response(MemberSerializer(target).data)

    @extend_schema(tags=TAGS, responses=InviteSerializer(many=True))
    def invites(self, request, pk=None):
        invites = Invite.objects.filter(workspace=self.membership.workspace).select_related(
            "workspace", "invited_by"
        )
        return Response(InviteSerializer(invites, many=True).data)

    @extend_schema(tags=TAGS, request=InviteInputSerializer, responses={201: InviteSerializer})
    def create_invite(self, request, pk=None):
        data = validated(InviteInputSerializer, request.data)
        invite = services.create_invite(
            membership=self.membership, email=data["email"], role=data["role"]
        )
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, request=None, responses=InviteSerializer)
    def resend_invite(self, request, pk=None, invite_id=None):
        invite = services.resend_invite(
            invite=self._invite(invite_id), actor=request.user, membership=self.membership
        )
        return Response(InviteSerializer(invite).data)

    @extend_schema(tags=TAGS, responses=InviteSerializer)
    def revoke_invite(self, request, pk=None, invite_id=None):
        invite = services.revoke_invite(
            invite=self._invite(invite_id), actor=request.user, membership=self.membership
        )
        return Response(InviteSerializer(invite).data)


class InviteResponseViewSet(viewsets.ViewSet):
    """The invitee's side: accept or decline with the token from the email. The signed-in
    account's email must be the one invited."""

    @extend_schema(tags=TAGS, request=InviteTokenSerializer, responses=MemberSerializer)
    def accept(self, request):
        data = validated(InviteTokenSerializer, request.data)
        membership = services.accept_invite(token=data["token"], user=request.user)
        body = MemberSerializer(membership).data
        body["workspace"] = {"id": membership.workspace_id, "name": membership.workspace.name}
        return Response(body)

    @extend_schema(tags=TAGS, request=InviteTokenSerializer, responses=InviteSerializer)
    def decline(self, request):
        data = validated(InviteTokenSerializer, request.data)
        invite = services.decline_invite(token=data["token"], user=request.user)
        return Response(InviteSerializer(invite).data)
