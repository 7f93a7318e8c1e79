"""The workspace admin: lists without N+1, members shown read-only (they change through the
team API and pages), renames and the invite actions through the services, and user deletion
that keeps teams from losing their last owner."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.core.testing import form_data, messages_of
from apps.crm import services as crm
from apps.workspaces.models import Invite, Membership, Workspace
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import (
    InviteFactory,
    MembershipFactory,
    WorkspaceFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the invite emails) inside the test's transaction."""

    def _run(send):
        with django_capture_on_commit_callbacks(execute=True):
            return send()

    return _run


def inline_index(data: dict, prefix: str, pk) -> int:
    return next(
        int(name.split("-")[1])
        for name, value in data.items()
        if name.startswith(f"{prefix}-") and name.endswith("-id") and value == str(pk)
    )


# --- Lists and pages -------------------------------------------------------------------------


def _team_with_people(_):
    workspace = WorkspaceFactory()
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    MembershipFactory(workspace=workspace)
    return workspace


ROWS = {
    Workspace: _team_with_people,
    Membership: lambda inviter: MembershipFactory(),
    Invite: lambda inviter: InviteFactory(invited_by=inviter),
}


def _changelist_queries(client, model) -> int:
    url = reverse(f"admin:workspaces_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ROWS, ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows(staff_client, model):
    inviter = UserFactory()
    for _ in range(10):
        ROWS[model](inviter)
    with_ten = _changelist_queries(staff_client, model)
    for _ in range(40):
        ROWS[model](inviter)
    assert _changelist_queries(staff_client, model) == with_ten


@pytest.mark.parametrize("model", ROWS, ids=lambda model: model.__name__)
def test_change_page_renders(staff_client, model):
    row = ROWS[model](UserFactory())
    url = reverse(f"admin:workspaces_{model._meta.model_name}_change", args=[row.pk])
    assert staff_client.get(url).status_code == 200


def test_workspace_page_shows_members_and_invites(staff_client):
    team = WorkspaceFactory()
    member_of(team, Role.OWNER, email="owner@acme.example")
    InviteFactory(workspace=team, email="newcomer@acme.example")
    page = staff_client.get(reverse("admin:workspaces_workspace_change", args=[team.pk]))
    assert b"owner@acme.example" in page.content
    assert b"newcomer@acme.example" in page.content


def test_workspace_search_by_member_email_counts_members_once(staff_client):
    team = WorkspaceFactory(name="Acme")
    member_of(team, Role.OWNER, email="ann@acme.example")
    member_of(team, email="bob@acme.example")
    member_of(team, email="cy@elsewhere.example")
    WorkspaceFactory(name="Other team")

    page = staff_client.get(
        reverse("admin:workspaces_workspace_changelist"), {"q": "acme.example", "kind": "team"}
    )

    assert b"Other team" not in page.content
    rows = list(page.context["cl"].result_list)
    assert [(row.name, row.member_count) for row in rows] == [("Acme", 3)]


def test_workspace_list_filters_personal_and_team(staff_client):
    person = UserFactory(name="Pat Person")
    WorkspaceFactory(name="Acme team")
    url = reverse("admin:workspaces_workspace_changelist")
    personal = staff_client.get(url, {"kind": "personal"})
    assert b"Pat Person&#x27;s workspace" in personal.content
    assert b"Acme team" not in personal.content
    teams = staff_client.get(url, {"kind": "team"})
    assert b"Acme team" in teams.content
    assert person.personal_workspace.name.encode() not in teams.content


def test_membership_list_filters_by_role(staff_client):
    team = WorkspaceFactory()
    member_of(team, Role.OWNER, email="boss@acme.example")
    member_of(team, Role.VIEWER, email="looker@acme.example")
    page = staff_client.get(reverse("admin:workspaces_membership_changelist"), {"role": "viewer"})
    assert b"looker@acme.example" in page.content
    assert b"boss@acme.example" not in page.content


def test_invite_list_filters_by_status(staff_client):
    InviteFactory(email="open@acme.example")
    InviteFactory(email="closed@acme.example", status=Invite.Status.REVOKED)
    page = staff_client.get(
        reverse("admin:workspaces_invite_changelist"), {"status__exact": "revoked"}
    )
    assert b"closed@acme.example" in page.content
    assert b"open@acme.example" not in page.content


# --- Members and renames ----------------------------------------------------------------------


def test_members_are_shown_but_not_edited_on_the_workspace_page(staff_client):
    team = WorkspaceFactory()
    owner = member_of(team, Role.OWNER)
    newcomer = UserFactory()
    url = reverse("admin:workspaces_workspace_change", args=[team.pk])
    page = staff_client.get(url)
    assert owner.email.encode() in page.content
    data = form_data(page)
    assert "memberships-0-role" not in data
    data |= {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-user": str(newcomer.pk),
        "memberships-0-role": Role.VIEWER,
    }
    staff_client.post(url, data)
    assert not Membership.objects.filter(workspace=team, user=newcomer).exists()
    assert Membership.objects.get(workspace=team, user=owner).role == Role.OWNER


def test_renaming_a_workspace_goes_through_the_service_and_is_recorded(staff_client, staff):
    team = WorkspaceFactory(name="Old name")
    member_of(team, Role.OWNER)
    url = reverse("admin:workspaces_workspace_change", args=[team.pk])
    data = form_data(staff_client.get(url)) | {"name": "New name"}

    response = staff_client.post(url, data)

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "New name"
    event = ActivityEvent.objects.get(workspace=team, verb=Verb.WORKSPACE_UPDATED)
    assert event.actor == staff
    assert event.changes == {"name": ["Old name", "New name"]}


def test_workspaces_are_not_added_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:workspaces_workspace_add")).status_code == 403


def test_deleting_the_only_owner_of_a_shared_team_is_refused(staff_client):
    team = WorkspaceFactory()
    owner = member_of(team, Role.OWNER)
    member_of(team, Role.MEMBER)
    url = reverse("admin:accounts_user_delete", args=[owner.pk])

    response = staff_client.post(url, {"post": "yes"}, follow=True)

    assert any("only owner" in str(message) for message in get_messages(response.wsgi_request))
    assert type(owner).objects.filter(pk=owner.pk).exists()


def test_deleting_a_user_in_the_admin_takes_their_personal_workspace(staff_client):
    person = UserFactory()
    personal = person.personal_workspace
    crm.create_client(workspace=personal, actor=person, name="Theirs")
    url = reverse("admin:accounts_user_delete", args=[person.pk])

    response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not type(person).objects.filter(pk=person.pk).exists()
    assert not Workspace.objects.filter(pk=personal.pk).exists()


def test_memberships_are_read_only_on_their_own_list(staff_client):
    membership = MembershipFactory()
    url = reverse("admin:workspaces_membership_change", args=[membership.pk])
    assert staff_client.post(url, {"role": Role.OWNER}).status_code == 403
    assert staff_client.get(reverse("admin:workspaces_membership_add")).status_code == 403


def test_deleting_a_team_takes_its_data_and_events(staff_client, staff):
    team = WorkspaceFactory()
    owner = member_of(team, Role.OWNER)
    crm.create_client(workspace=team, actor=owner, name="Northwind")
    url = reverse("admin:workspaces_workspace_delete", args=[team.pk])

    confirm = staff_client.get(url)
    assert b"Are you sure" in confirm.content

    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not Workspace.objects.filter(pk=team.pk).exists()
    assert not ActivityEvent.objects.filter(workspace_id=team.pk).exists()


def test_a_personal_workspace_is_not_deleted_on_its_own(staff_client):
    person = UserFactory()
    workspace = person.personal_workspace
    url = reverse("admin:workspaces_workspace_delete", args=[workspace.pk])

    response = staff_client.post(url, {"post": "yes"}, follow=True)
    assert any("goes with its account" in message for message in messages_of(response))

    team = WorkspaceFactory()
    staff_client.post(
        reverse("admin:workspaces_workspace_changelist"),
        {"action": "delete_selected", "_selected_action": [workspace.pk, team.pk], "post": "yes"},
    )
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Workspace.objects.filter(pk=team.pk).exists()


# --- Invite actions --------------------------------------------------------------------------


def _act(staff_client, run_on_commit, action, *invites):
    return run_on_commit(
        lambda: staff_client.post(
            reverse("admin:workspaces_invite_changelist"),
            {"action": action, "_selected_action": [invite.pk for invite in invites]},
            follow=True,
        )
    )


def test_resend_action_emails_again_with_a_fresh_expiry(staff_client, staff, run_on_commit):
    soon = timezone.now() + timedelta(hours=1)
    invite = InviteFactory(email="dana@example.com", expires_at=soon)

    response = _act(staff_client, run_on_commit, "resend", invite)

    assert "Resent 1 invite(s)." in messages_of(response)
    assert [message.to for message in mail.outbox] == [["dana@example.com"]]
    invite.refresh_from_db()
    assert invite.expires_at > soon + timedelta(days=1)
    assert invite.sent_count == 1
    assert ActivityEvent.objects.filter(
        verb=Verb.INVITE_RESENT, target_id=invite.pk, actor=staff
    ).exists()


def test_resend_action_skips_closed_invites(staff_client, run_on_commit):
    revoked = InviteFactory(email="gone@example.com", status=Invite.Status.REVOKED)
    expired = InviteFactory(
        email="late@example.com", expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = _act(staff_client, run_on_commit, "resend", revoked, expired)

    shown = messages_of(response)
    assert "Not resent: gone@example.com: This invite is revoked already." in shown
    assert "Resent 1 invite(s)." in shown  # an expired invite comes back to life
    assert [message.to for message in mail.outbox] == [["late@example.com"]]


def test_revoke_action_closes_pending_invites(staff_client, staff, run_on_commit):
    invite = InviteFactory()
    closed = InviteFactory(status=Invite.Status.ACCEPTED)

    response = _act(staff_client, run_on_commit, "revoke", invite, closed)

    shown = messages_of(response)
    assert "Revoked 1 invite(s)." in shown
    assert f"Not revoked: {closed.email}: This invite is accepted already." in shown
    invite.refresh_from_db()
    assert invite.status == Invite.Status.REVOKED
    assert ActivityEvent.objects.filter(
        verb=Verb.INVITE_REVOKED, target_id=invite.pk, actor=staff
    ).exists()
    assert mail.outbox == []


def test_invite_actions_need_the_change_permission(client, run_on_commit):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_invite"))
    client.force_login(viewer)
    invite = InviteFactory()

    page = client.get(reverse("admin:workspaces_invite_changelist"))
    assert page.status_code == 200
    assert b"Revoke invite" not in page.content
    _act(client, run_on_commit, "revoke", invite)
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_invites_are_read_only_otherwise(staff_client):
    invite = InviteFactory()
    url = reverse("admin:workspaces_invite_change", args=[invite.pk])
    assert staff_client.post(url, {"role": Role.OWNER}).status_code == 403
    assert staff_client.get(reverse("admin:workspaces_invite_add")).status_code == 403
