from django.urls import path

from .views import InviteResponseViewSet, TeamViewSet

urlpatterns = [
    path("teams", TeamViewSet.as_view({"get": "list", "post": "create"}), name="teams"),
    path(
        "teams/<uuid:pk>",
        TeamViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "update", "delete": "destroy"}
        ),
        name="team",
    ),
    path(
        "teams/<uuid:pk>/members",
        TeamViewSet.as_view({"get": "members", "post": "add_member"}),
        name="team-members",
    ),
    path(
        "teams/<uuid:pk>/members/<uuid:user_id>",
        TeamViewSet.as_view(
            {"put": "update_member", "patch": "update_member", "delete": "remove_member"}
        ),
        name="team-member",
    ),
    path(
        "teams/<uuid:pk>/transfer-ownership",
        TeamViewSet.as_view({"post": "transfer_ownership"}),
        name="team-transfer-ownership",
    ),
    path(
        "teams/<uuid:pk>/invites",
        TeamViewSet.as_view({"get": "invites", "post": "create_invite"}),
        name="team-invites",
    ),
    path(
        "teams/<uuid:pk>/invites/<uuid:invite_id>",
        TeamViewSet.as_view({"delete": "revoke_invite"}),
        name="team-invite",
    ),
    path(
        "teams/<uuid:pk>/invites/<uuid:invite_id>/resend",
        TeamViewSet.as_view({"post": "resend_invite"}),
        name="team-invite-resend",
    ),
    path("invites/accept", InviteResponseViewSet.as_view({"post": "accept"}), name="invite-accept"),
    path(
        "invites/decline", InviteResponseViewSet.as_view({"post": "decline"}), name="invite-decline"
    ),
]
