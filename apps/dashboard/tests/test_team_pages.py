"""The team page: members and roles, invites, leaving, and creating a team."""

import pytest
from django.core import mail

from apps.activity.models import ActivityEvent
from apps.workspaces.models import Invite, Membership, Workspace
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import InviteFactory, WorkspaceFactory, member_of

from .helpers import shown_messages, text, verbs

pytestmark = pytest.mark.django_db


@pytest.fixture
def mia(team):
    return member_of(team, Role.MEMBER, name="Mia Member", email="mia@example.com")


def membership_of(user, workspace) -> Membership:
    return Membership.objects.get(user=user, workspace=workspace)


def test_the_team_page_lists_the_members_with_their_roles(web, team, owner, mia):
    elsewhere = WorkspaceFactory()
    member_of(elsewhere, Role.ADMIN, name="Outside Oscar")

    page = text(web.get("/dashboard/team/"))

    assert "Olive Owner" in page and "Mia Member" in page
    assert "mia@example.com" in page
    assert "Outside Oscar" not in page


def test_a_member_sees_the_team_without_management_controls(browse, team, owner, mia):
    page = text(browse(mia, team).get("/dashboard/team/"))

    assert "Olive Owner" in page
    assert "/dashboard/team/members/" not in page
    assert "Send invite" not in page
    assert "Leave workspace" in page


def test_an_owner_changes_a_members_role_and_it_is_recorded(web, team, owner, mia):
    target = membership_of(mia, team)

    response = web.post(
        f"/dashboard/team/members/{target.pk}/role", {"role": Role.ADMIN}, follow=True
    )

    target.refresh_from_db()
    assert target.role == Role.ADMIN
    assert "Mia Member is now Admin." in shown_messages(response)
    event = ActivityEvent.objects.get(workspace=team, verb="member.role_changed")
    assert (event.actor, event.changes) == (owner, {"role": ["member", "admin"]})


def test_an_admin_is_not_offered_the_owner_role_and_cannot_post_it(browse, team, mia):
    admin = member_of(team, Role.ADMIN)
    web = browse(admin, team)
    target = membership_of(mia, team)
    assert '<option value="owner"' not in text(web.get("/dashboard/team/"))

    response = web.post(
        f"/dashboard/team/members/{target.pk}/role", {"role": Role.OWNER}, follow=True
    )

    target.refresh_from_db()
    assert target.role == Role.MEMBER
    assert response.status_code == 200
    assert any("Select a valid choice." in m for m in shown_messages(response))


def test_an_admin_sees_no_controls_for_an_owner_and_is_refused_with_a_message(browse, team, owner):
    admin = member_of(team, Role.ADMIN)
    web = browse(admin, team)
    owner_membership = membership_of(owner, team)
    assert f"/dashboard/team/members/{owner_membership.pk}/" not in text(
        web.get("/dashboard/team/")
    )

    response = web.post(f"/dashboard/team/members/{owner_membership.pk}/remove", follow=True)

    assert response.status_code == 200
    assert "Your role in this workspace does not allow this." in shown_messages(response)
    assert Membership.objects.filter(pk=owner_membership.pk).exists()


def test_a_member_cannot_change_roles(browse, team, owner, mia):
    target = membership_of(owner, team)

    response = browse(mia, team).post(
        f"/dashboard/team/members/{target.pk}/role", {"role": Role.VIEWER}
    )

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.OWNER


def test_an_owner_removes_a_member_and_it_is_recorded(web, team, mia):
    target = membership_of(mia, team)

    response = web.post(f"/dashboard/team/members/{target.pk}/remove", follow=True)

    assert not Membership.objects.filter(pk=target.pk).exists()
    assert "Removed Mia Member from the workspace." in shown_messages(response)
    assert ActivityEvent.objects.get(workspace=team, verb="member.removed").target_id == mia.pk


def test_a_member_of_another_workspace_answers_404(web):
    stranger = member_of(WorkspaceFactory(), Role.MEMBER)
    target = Membership.objects.get(user=stranger, workspace__personal_for__isnull=True)

    response = web.post(f"/dashboard/team/members/{target.pk}/remove")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


def test_removing_the_last_owner_shows_a_message_not_an_error(web, team, owner):
    own = membership_of(owner, team)

    response = web.post(f"/dashboard/team/members/{own.pk}/remove", follow=True)

    assert response.status_code == 200
    assert "The last owner cannot leave or be removed: transfer ownership first." in shown_messages(
        response
    )
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_last_owner_stepping_down_shows_a_message_not_an_error(web, team, owner):
    own = membership_of(owner, team)

    response = web.post(f"/dashboard/team/members/{own.pk}/role", {"role": "member"}, follow=True)

    assert response.status_code == 200
    assert "A workspace needs an owner: make someone else an owner first." in shown_messages(
        response
    )
    own.refresh_from_db()
    assert own.role == Role.OWNER


def test_the_last_owner_cannot_leave(web, team, owner):
    response = web.post("/dashboard/team/leave", follow=True)

    assert response.redirect_chain[-1][0] == "/dashboard/team/"
    assert "The last owner cannot leave or be removed: transfer ownership first." in shown_messages(
        response
    )
    assert Membership.objects.filter(user=owner, workspace=team).exists()


def test_leaving_a_team_goes_back_to_the_personal_workspace(browse, team, mia):
    web = browse(mia, team)

    response = web.post("/dashboard/team/leave", follow=True)

    assert not Membership.objects.filter(user=mia, workspace=team).exists()
    assert "You left Harbour Studio." in shown_messages(response)
    assert "workspace_id" not in web.session
    assert ActivityEvent.objects.get(workspace=team, verb="member.left").actor == mia


def test_there_is_no_leave_button_in_your_personal_workspace(browse, owner):
    web = browse(owner)

    assert "Leave workspace" not in text(web.get("/dashboard/team/"))
    response = web.post("/dashboard/team/leave", follow=True)
    assert "The account's own personal workspace cannot be left." in shown_messages(response)


def test_an_owner_invites_someone_and_the_email_links_to_the_invite_page(
    web, team, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            "/dashboard/team/invites", {"email": "New.Person@Example.com", "role": "viewer"}
        )

    invite = Invite.objects.get(workspace=team)
    assert (invite.email, invite.role, invite.invited_by) == (
        "new.person@example.com",
        "viewer",
        owner,
    )
    page = web.get(response["Location"])
    assert "Invited new.person@example.com as Viewer." in shown_messages(page)
    assert '<td data-label="Email">new.person@example.com</td>' in text(page)
    assert ActivityEvent.objects.get(workspace=team, verb="invite.created").actor == owner
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert "/dashboard/invites/" in mail.outbox[0].body


def test_inviting_a_member_shows_the_services_message(web, mia):
    response = web.post(
        "/dashboard/team/invites", {"email": "mia@example.com", "role": "member"}, follow=True
    )

    assert response.status_code == 200
    assert "This person is already a member of the workspace." in shown_messages(response)
    assert not Invite.objects.exists()


def test_inviting_the_same_address_twice_shows_a_message(web, team):
    web.post("/dashboard/team/invites", {"email": "twice@example.com", "role": "member"})

    response = web.post(
        "/dashboard/team/invites", {"email": "twice@example.com", "role": "member"}, follow=True
    )

    assert Invite.objects.filter(workspace=team).count() == 1
    assert "An invite to this address is pending already; resend it instead." in (
        shown_messages(response)
    )


def test_an_invalid_invite_form_shows_a_message(web):
    response = web.post("/dashboard/team/invites", {"email": "nope", "role": "member"}, follow=True)

    assert not Invite.objects.exists()
    assert any(m.startswith("No invite sent.") for m in shown_messages(response))


def test_a_member_cannot_invite(browse, team, mia):
    response = browse(mia, team).post(
        "/dashboard/team/invites", {"email": "x@example.com", "role": "member"}
    )

    assert response.status_code == 403
    assert not Invite.objects.exists()


def test_resending_an_invite_sends_the_email_again_and_records_it(
    web, team, owner, django_capture_on_commit_callbacks
):
    invite = InviteFactory(workspace=team, invited_by=owner, sent_count=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/dashboard/team/invites/{invite.pk}/resend", follow=True)

    assert f"Sent the invite to {invite.email} again." in shown_messages(response)
    assert [message.to for message in mail.outbox] == [[invite.email]]
    assert verbs(team)[-1] == "invite.resent"


def test_revoking_an_invite_closes_it_and_records_it(web, team, owner):
    invite = InviteFactory(workspace=team, invited_by=owner)

    response = web.post(f"/dashboard/team/invites/{invite.pk}/revoke", follow=True)

    invite.refresh_from_db()
    assert invite.status == Invite.Status.REVOKED
    assert f"Revoked the invite to {invite.email}." in shown_messages(response)
    assert f'<td data-label="Email">{invite.email}</td>' not in text(response)
    assert verbs(team)[-1] == "invite.revoked"


def test_revoking_a_revoked_invite_shows_a_message(web, team):
    invite = InviteFactory(workspace=team, status=Invite.Status.REVOKED)

    response = web.post(f"/dashboard/team/invites/{invite.pk}/revoke", follow=True)

    assert "This invite is revoked already." in shown_messages(response)


def test_another_workspaces_invite_answers_404(web):
    invite = InviteFactory()

    response = web.post(f"/dashboard/team/invites/{invite.pk}/revoke")

    assert response.status_code == 404
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_a_member_cannot_revoke_an_invite(browse, team, mia):
    invite = InviteFactory(workspace=team)

    response = browse(mia, team).post(f"/dashboard/team/invites/{invite.pk}/revoke")

    assert response.status_code == 403
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_creating_a_team_makes_you_its_owner_and_switches_to_it(browse, mia):
    web = browse(mia)

    response = web.post("/dashboard/team/new", {"name": "Night Shift"}, follow=True)

    workspace = Workspace.objects.get(name="Night Shift")
    assert membership_of(mia, workspace).role == Role.OWNER
    assert web.session["workspace_id"] == str(workspace.pk)
    assert "<h1>Night Shift</h1>" in text(response)
    assert verbs(workspace) == ["workspace.created"]


def test_a_team_needs_a_name(web):
    before = Workspace.objects.count()

    response = web.post("/dashboard/team/new", {"name": ""}, follow=True)

    assert Workspace.objects.count() == before
    assert any(m.startswith("No team created.") for m in shown_messages(response))
