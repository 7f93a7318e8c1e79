"""Teams end to end over HTTP: the personal workspace, teams, members and roles, ownership,
and what account deletion does to the workspaces a user belongs to."""

import uuid

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from apps.activity.models import ActivityEvent
from apps.crm.models import Client
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.models import Membership, Workspace
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False, body
    return body["error"]


def data_of(response):
    body = response.json()
    assert body["success"] is True, body
    return body["data"]


def team_owned_by(user, name="Acme") -> Workspace:
    workspace = WorkspaceFactory(name=name)
    MembershipFactory(workspace=workspace, user=user, role=Role.OWNER)
    return workspace


def role_of(user, workspace) -> str | None:
    membership = Membership.objects.filter(user=user, workspace=workspace).first()
    return membership.role if membership else None


@pytest.fixture
def team(user):
    return team_owned_by(user)


@pytest.fixture
def client_of(login):
    def _client_of(user):
        return login(user)[0]

    return _client_of


# --- The personal workspace -------------------------------------------------------------------


def test_signup_gives_the_new_account_a_personal_workspace_it_owns(api_client):
    response = api_client.post(
        "/api/v1/auth/signup",
        {"email": "grace@example.com", "password": "cobol-compiler-1959", "name": "Grace"},
        format="json",
    )
    assert response.status_code == 201

    user = User.objects.get(email="grace@example.com")
    workspace = Workspace.objects.get(personal_for=user)
    assert role_of(user, workspace) == Role.OWNER
    assert list(Membership.objects.filter(workspace=workspace).values_list("user", flat=True)) == [
        user.pk
    ]

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {data_of(response)['accessToken']}")
    teams = data_of(api_client.get("/api/v1/teams"))
    assert [(t["id"], t["role"], t["personal"]) for t in teams] == [
        (str(workspace.pk), "owner", True)
    ]


def test_a_factory_made_user_has_a_personal_workspace_too():
    user = UserFactory()
    assert user.personal_workspace.memberships.get().user == user
    assert role_of(user, user.personal_workspace) == Role.OWNER


def test_createsuperuser_gives_the_admin_a_personal_workspace():
    call_command("createsuperuser", interactive=False, email="root@example.com", verbosity=0)
    root = User.objects.get(email="root@example.com")
    assert role_of(root, Workspace.objects.get(personal_for=root)) == Role.OWNER


def test_team_list_shows_the_personal_workspace_first(user, user_client):
    # Named to sort before the personal workspace alphabetically.
    team_owned_by(user, name="AAA first by name")
    other = WorkspaceFactory(name="Beta")
    MembershipFactory(workspace=other, user=user, role=Role.VIEWER)
    member_of(other, Role.OWNER)
    WorkspaceFactory(name="Not mine")

    teams = data_of(user_client.get("/api/v1/teams"))

    assert [(t["name"], t["role"], t["personal"], t["memberCount"]) for t in teams] == [
        (user.personal_workspace.name, "owner", True, 1),
        ("AAA first by name", "owner", False, 1),
        ("Beta", "viewer", False, 2),
    ]


def test_team_list_puts_your_own_personal_workspace_before_someone_elses(user, user_client):
    # The highest possible id, so any ordering by the owner's id puts this one first.
    friend = UserFactory(id=uuid.UUID(int=2**128 - 1))
    MembershipFactory(workspace=friend.personal_workspace, user=user, role=Role.MEMBER)

    teams = data_of(user_client.get("/api/v1/teams"))

    assert [(t["id"], t["personal"]) for t in teams] == [
        (str(user.personal_workspace.pk), True),
        (str(friend.personal_workspace.pk), True),
    ]


def test_team_list_needs_a_signed_in_user(api_client):
    assert api_client.get("/api/v1/teams").status_code == 401


# --- Teams ------------------------------------------------------------------------------------


def test_creating_a_team_makes_the_creator_its_owner(user, user_client):
    response = user_client.post("/api/v1/teams", {"name": "  Acme  "}, format="json")

    assert response.status_code == 201
    team = data_of(response)
    assert (team["name"], team["role"], team["personal"], team["memberCount"]) == (
        "Acme",
        "owner",
        False,
        1,
    )
    workspace = Workspace.objects.get(pk=team["id"])
    assert role_of(user, workspace) == Role.OWNER
    assert ActivityEvent.objects.filter(workspace=workspace, verb="workspace.created").exists()


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": 42}, {"name": "x" * 121}])
def test_creating_a_team_rejects_a_bad_name(user_client, payload):
    response = user_client.post("/api/v1/teams", payload, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"
    assert {d["field"] for d in error_of(response)["details"]} == {"name"}


def test_creating_a_team_needs_a_signed_in_user(api_client):
    response = api_client.post("/api/v1/teams", {"name": "Acme"}, format="json")
    assert response.status_code == 401
    assert not Workspace.objects.filter(name="Acme").exists()


def test_a_member_sees_the_team_with_its_members(team, user, client_of):
    viewer = member_of(team, Role.VIEWER)

    response = client_of(viewer).get(f"/api/v1/teams/{team.pk}")

    assert response.status_code == 200
    body = data_of(response)
    assert (body["name"], body["role"], body["memberCount"]) == ("Acme", "viewer", 2)
    assert {(m["user"]["id"], m["role"]) for m in body["members"]} == {
        (str(user.pk), "owner"),
        (str(viewer.pk), "viewer"),
    }


def test_outsider_gets_404_for_a_team(team, client_of):
    response = client_of(UserFactory()).get(f"/api/v1/teams/{team.pk}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"


def test_unknown_team_is_404(user_client):
    assert user_client.get(f"/api/v1/teams/{uuid.uuid4()}").status_code == 404


def test_team_detail_needs_a_signed_in_user(api_client, team):
    assert api_client.get(f"/api/v1/teams/{team.pk}").status_code == 401


def test_an_admin_renames_the_team(team, client_of):
    admin = member_of(team, Role.ADMIN)

    response = client_of(admin).put(f"/api/v1/teams/{team.pk}", {"name": "Acme Ltd"}, format="json")

    assert response.status_code == 200
    assert data_of(response)["name"] == "Acme Ltd"
    team.refresh_from_db()
    assert team.name == "Acme Ltd"
    event = ActivityEvent.objects.get(workspace=team, verb="workspace.updated")
    assert event.changes == {"name": ["Acme", "Acme Ltd"]}


def test_renaming_a_team_rejects_a_blank_name(team, user_client):
    response = user_client.put(f"/api/v1/teams/{team.pk}", {"name": ""}, format="json")
    assert response.status_code == 400
    team.refresh_from_db()
    assert team.name == "Acme"


def test_a_member_cannot_rename_the_team(team, client_of):
    response = client_of(member_of(team, Role.MEMBER)).put(
        f"/api/v1/teams/{team.pk}", {"name": "Mine now"}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "FORBIDDEN"


def test_outsider_gets_404_renaming_a_team(team, client_of):
    response = client_of(UserFactory()).put(
        f"/api/v1/teams/{team.pk}", {"name": "Mine now"}, format="json"
    )
    assert response.status_code == 404
    team.refresh_from_db()
    assert team.name == "Acme"


def test_renaming_needs_a_signed_in_user(api_client, team):
    response = api_client.put(f"/api/v1/teams/{team.pk}", {"name": "X"}, format="json")
    assert response.status_code == 401


def test_deleting_a_team_deletes_its_clients(team, user_client):
    ClientFactory.create_batch(2, workspace=team)
    kept = ClientFactory()

    response = user_client.delete(f"/api/v1/teams/{team.pk}")

    assert response.status_code == 204
    assert not Workspace.objects.filter(pk=team.pk).exists()
    assert list(Client.objects.all()) == [kept]


def test_an_admin_cannot_delete_the_team(team, client_of):
    response = client_of(member_of(team, Role.ADMIN)).delete(f"/api/v1/teams/{team.pk}")
    assert response.status_code == 403
    assert Workspace.objects.filter(pk=team.pk).exists()


def test_the_personal_workspace_cannot_be_deleted(user, user_client):
    response = user_client.delete(f"/api/v1/teams/{user.personal_workspace.pk}")

    assert response.status_code == 409
    assert error_of(response)["code"] == "PERSONAL_WORKSPACE"
    assert Workspace.objects.filter(personal_for=user).exists()


def test_outsider_gets_404_deleting_a_team(team, client_of):
    response = client_of(UserFactory()).delete(f"/api/v1/teams/{team.pk}")
    assert response.status_code == 404
    assert Workspace.objects.filter(pk=team.pk).exists()


def test_deleting_a_team_needs_a_signed_in_user(api_client, team):
    assert api_client.delete(f"/api/v1/teams/{team.pk}").status_code == 401
    assert Workspace.objects.filter(pk=team.pk).exists()


# --- Members ----------------------------------------------------------------------------------


def test_every_role_lists_the_members(team, user, client_of):
    viewer = member_of(team, Role.VIEWER)

    response = client_of(viewer).get(f"/api/v1/teams/{team.pk}/members")

    assert response.status_code == 200
    assert [(m["user"]["email"], m["role"]) for m in data_of(response)] == [
        (user.email, "owner"),
        (viewer.email, "viewer"),
    ]


def test_outsider_gets_404_listing_members(team, client_of):
    assert client_of(UserFactory()).get(f"/api/v1/teams/{team.pk}/members").status_code == 404


def test_listing_members_needs_a_signed_in_user(api_client, team):
    assert api_client.get(f"/api/v1/teams/{team.pk}/members").status_code == 401


def put_role(client, team, member, role):
    return client.put(f"/api/v1/teams/{team.pk}/members/{member.pk}", {"role": role}, format="json")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Role.MEMBER, Role.VIEWER),
        (Role.VIEWER, Role.MEMBER),
        (Role.MEMBER, Role.ADMIN),
        (Role.ADMIN, Role.VIEWER),
    ],
)
def test_an_admin_changes_roles_below_owner(team, client_of, before, after):
    admin = member_of(team, Role.ADMIN)
    someone = member_of(team, before)

    response = put_role(client_of(admin), team, someone, after)

    assert response.status_code == 200
    assert data_of(response)["role"] == after
    assert role_of(someone, team) == after
    event = ActivityEvent.objects.get(workspace=team, verb="member.role_changed")
    assert event.changes == {"role": [before, after]}


def test_an_admin_cannot_make_an_owner(team, client_of):
    admin = member_of(team, Role.ADMIN)
    someone = member_of(team, Role.MEMBER)

    response = put_role(client_of(admin), team, someone, Role.OWNER)

    assert response.status_code == 403
    assert error_of(response)["code"] == "FORBIDDEN"
    assert role_of(someone, team) == Role.MEMBER


def test_an_admin_cannot_demote_an_owner(team, user, client_of):
    admin = member_of(team, Role.ADMIN)

    response = put_role(client_of(admin), team, user, Role.VIEWER)

    assert response.status_code == 403
    assert role_of(user, team) == Role.OWNER


def test_an_owner_makes_another_owner_and_is_then_free_to_step_down(team, user, user_client):
    someone = member_of(team, Role.MEMBER)

    assert put_role(user_client, team, someone, Role.OWNER).status_code == 200
    assert put_role(user_client, team, user, Role.ADMIN).status_code == 200

    assert role_of(someone, team) == Role.OWNER
    assert role_of(user, team) == Role.ADMIN


def test_the_last_owner_cannot_be_demoted(team, user, user_client):
    member_of(team, Role.ADMIN)

    response = put_role(user_client, team, user, Role.ADMIN)

    assert response.status_code == 409
    assert error_of(response)["code"] == "LAST_OWNER"
    assert role_of(user, team) == Role.OWNER


def test_a_member_cannot_change_roles(team, client_of):
    member = member_of(team, Role.MEMBER)
    viewer = member_of(team, Role.VIEWER)

    response = put_role(client_of(member), team, viewer, Role.MEMBER)

    assert response.status_code == 403
    assert role_of(viewer, team) == Role.VIEWER


@pytest.mark.parametrize("payload", [{}, {"role": "superuser"}, {"role": None}])
def test_changing_a_role_rejects_an_unknown_role(team, user_client, payload):
    someone = member_of(team, Role.MEMBER)
    response = user_client.put(
        f"/api/v1/teams/{team.pk}/members/{someone.pk}", payload, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["details"][0]["field"] == "role"
    assert role_of(someone, team) == Role.MEMBER


def test_changing_the_role_of_a_non_member_is_404(team, user_client):
    stranger = UserFactory()
    assert put_role(user_client, team, stranger, Role.ADMIN).status_code == 404
    assert role_of(stranger, team) is None


def test_outsider_gets_404_changing_roles(team, user, client_of):
    response = put_role(client_of(UserFactory()), team, user, Role.VIEWER)
    assert response.status_code == 404
    assert role_of(user, team) == Role.OWNER


def test_changing_roles_needs_a_signed_in_user(api_client, team, user):
    assert put_role(api_client, team, user, Role.VIEWER).status_code == 401


def test_an_admin_removes_a_member_who_then_cannot_see_the_team_data(team, client_of):
    admin = member_of(team, Role.ADMIN)
    removed = member_of(team, Role.MEMBER)
    removed_client = client_of(removed)
    ClientFactory(workspace=team)
    assert removed_client.get("/api/v1/clients", HTTP_X_WORKSPACE_ID=str(team.pk)).status_code == (
        200
    )

    response = client_of(admin).delete(f"/api/v1/teams/{team.pk}/members/{removed.pk}")

    assert response.status_code == 204
    assert role_of(removed, team) is None
    assert ActivityEvent.objects.filter(
        workspace=team, verb="member.removed", target_id=removed.pk
    ).exists()
    after = removed_client.get("/api/v1/clients", HTTP_X_WORKSPACE_ID=str(team.pk))
    assert after.status_code == 404
    assert removed_client.get(f"/api/v1/teams/{team.pk}").status_code == 404


def test_a_member_leaves_by_removing_their_own_id(team, client_of):
    viewer = member_of(team, Role.VIEWER)

    response = client_of(viewer).delete(f"/api/v1/teams/{team.pk}/members/{viewer.pk}")

    assert response.status_code == 204
    assert role_of(viewer, team) is None
    assert ActivityEvent.objects.filter(workspace=team, verb="member.left").exists()


def test_an_owner_leaves_when_another_owner_remains(team, user, user_client):
    member_of(team, Role.OWNER)

    response = user_client.delete(f"/api/v1/teams/{team.pk}/members/{user.pk}")

    assert response.status_code == 204
    assert role_of(user, team) is None


def test_the_last_owner_cannot_leave(team, user, user_client):
    member_of(team, Role.MEMBER)

    response = user_client.delete(f"/api/v1/teams/{team.pk}/members/{user.pk}")

    assert response.status_code == 409
    assert error_of(response)["code"] == "LAST_OWNER"
    assert role_of(user, team) == Role.OWNER


def test_nobody_leaves_their_own_personal_workspace(user, user_client):
    workspace = user.personal_workspace

    response = user_client.delete(f"/api/v1/teams/{workspace.pk}/members/{user.pk}")

    assert response.status_code == 409
    assert error_of(response)["code"] == "PERSONAL_WORKSPACE"
    assert role_of(user, workspace) == Role.OWNER


def test_a_member_cannot_remove_someone_else(team, client_of):
    member = member_of(team, Role.MEMBER)
    viewer = member_of(team, Role.VIEWER)

    response = client_of(member).delete(f"/api/v1/teams/{team.pk}/members/{viewer.pk}")

    assert response.status_code == 403
    assert role_of(viewer, team) == Role.VIEWER


def test_an_admin_cannot_remove_an_owner(team, user, client_of):
    admin = member_of(team, Role.ADMIN)
    member_of(team, Role.OWNER)

    response = client_of(admin).delete(f"/api/v1/teams/{team.pk}/members/{user.pk}")

    assert response.status_code == 403
    assert role_of(user, team) == Role.OWNER


def test_removing_a_non_member_is_404(team, user_client):
    response = user_client.delete(f"/api/v1/teams/{team.pk}/members/{UserFactory().pk}")
    assert response.status_code == 404


def test_outsider_gets_404_removing_a_member(team, user, client_of):
    response = client_of(UserFactory()).delete(f"/api/v1/teams/{team.pk}/members/{user.pk}")
    assert response.status_code == 404
    assert role_of(user, team) == Role.OWNER


def test_removing_a_member_needs_a_signed_in_user(api_client, team, user):
    assert api_client.delete(f"/api/v1/teams/{team.pk}/members/{user.pk}").status_code == 401


# --- Ownership --------------------------------------------------------------------------------


def transfer(client, team, target_id):
    return client.post(
        f"/api/v1/teams/{team.pk}/transfer-ownership", {"userId": str(target_id)}, format="json"
    )


def test_an_owner_hands_the_team_over_and_becomes_admin(team, user, user_client):
    heir = member_of(team, Role.MEMBER)

    response = transfer(user_client, team, heir.pk)

    assert response.status_code == 200
    assert (data_of(response)["user"]["id"], data_of(response)["role"]) == (str(heir.pk), "owner")
    assert role_of(heir, team) == Role.OWNER
    assert role_of(user, team) == Role.ADMIN
    event = ActivityEvent.objects.get(workspace=team, verb="workspace.ownership_transferred")
    assert event.changes == {"owner": [user.email, heir.email]}


def test_an_admin_cannot_transfer_ownership(team, user, client_of):
    admin = member_of(team, Role.ADMIN)

    response = transfer(client_of(admin), team, admin.pk)

    assert response.status_code == 403
    assert role_of(user, team) == Role.OWNER
    assert role_of(admin, team) == Role.ADMIN


def test_ownership_goes_only_to_a_member(team, user, user_client):
    stranger = UserFactory()

    response = transfer(user_client, team, stranger.pk)

    assert response.status_code == 404
    assert role_of(user, team) == Role.OWNER
    assert role_of(stranger, team) is None


def test_a_personal_workspace_cannot_be_handed_over(user, user_client):
    workspace = user.personal_workspace
    guest = member_of(workspace, Role.MEMBER)

    response = transfer(user_client, workspace, guest.pk)

    assert response.status_code == 409
    assert error_of(response)["code"] == "PERSONAL_WORKSPACE"
    assert role_of(user, workspace) == Role.OWNER


@pytest.mark.parametrize("payload", [{}, {"userId": "not-an-id"}, {"userId": ""}, {"userId": [1]}])
def test_transfer_rejects_a_bad_user_id(team, user, user_client, payload):
    response = user_client.post(
        f"/api/v1/teams/{team.pk}/transfer-ownership", payload, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["details"][0]["field"] == "userId"
    assert role_of(user, team) == Role.OWNER


def test_outsider_gets_404_transferring_ownership(team, user, client_of):
    outsider = UserFactory()
    response = transfer(client_of(outsider), team, outsider.pk)
    assert response.status_code == 404
    assert role_of(user, team) == Role.OWNER


def test_transferring_needs_a_signed_in_user(api_client, team, user):
    assert transfer(api_client, team, user.pk).status_code == 401


# --- Account deletion -------------------------------------------------------------------------


def delete_account(client):
    return client.delete("/api/v1/users/account", {"password": DEFAULT_PASSWORD}, format="json")


def test_the_only_owner_of_a_team_with_others_cannot_delete_the_account(team, user, user_client):
    member_of(team, Role.ADMIN)

    response = delete_account(user_client)

    assert response.status_code == 409
    assert error_of(response)["code"] == "LAST_OWNER"
    assert "Acme" in error_of(response)["message"]
    assert User.objects.filter(pk=user.pk).exists()
    assert role_of(user, team) == Role.OWNER


def test_the_account_can_go_once_ownership_is_transferred(team, user, user_client):
    heir = member_of(team, Role.ADMIN)
    ClientFactory(workspace=team)
    assert transfer(user_client, team, heir.pk).status_code == 200

    response = delete_account(user_client)

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert role_of(heir, team) == Role.OWNER
    assert Client.objects.filter(workspace=team).count() == 1


def test_a_team_the_user_is_alone_in_goes_with_the_account(team, user, user_client):
    ClientFactory(workspace=team)
    shared = WorkspaceFactory()
    MembershipFactory(workspace=shared, user=user, role=Role.OWNER)
    co_owner = member_of(shared, Role.OWNER)

    response = delete_account(user_client)

    assert response.status_code == 204
    assert not Workspace.objects.filter(pk=team.pk).exists()
    assert not Client.objects.filter(workspace_id=team.pk).exists()
    assert role_of(co_owner, shared) == Role.OWNER
    assert list(shared.memberships.values_list("user", flat=True)) == [co_owner.pk]


def test_the_personal_workspace_goes_with_the_account(user, user_client):
    personal = user.personal_workspace
    ClientFactory(workspace=personal)

    assert delete_account(user_client).status_code == 204

    assert not Workspace.objects.filter(pk=personal.pk).exists()
    assert not Client.objects.filter(workspace_id=personal.pk).exists()
