"""Invites end to end: creating (and the email it sends), resending, revoking, and the
invitee's side, accepting or declining with the token from the email."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.notifications import emails as notification_emails
from apps.notifications import tasks as notification_tasks
from apps.notifications.models import EmailDelivery, Notification
from apps.notifications.services import update_preferences
from apps.workspaces import services
from apps.workspaces.models import Invite, Membership, Workspace
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import (
    InviteFactory,
    MembershipFactory,
    WorkspaceFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False, body
    return body["error"]


def data_of(response):
    body = response.json()
    assert body["success"] is True, body
    return body["data"]


def role_of(user, workspace) -> str | None:
    membership = Membership.objects.filter(user=user, workspace=workspace).first()
    return membership.role if membership else None


@pytest.fixture
def team(user):
    workspace = WorkspaceFactory(name="Acme")
    MembershipFactory(workspace=workspace, user=user, role=Role.OWNER)
    return workspace


@pytest.fixture
def client_of(login):
    def _client_of(user):
        return login(user)[0]

    return _client_of


@pytest.fixture
def invite_via_api(user_client, team, django_capture_on_commit_callbacks):
    """POST an invite as the team owner, running what waits for the commit (the email)."""

    def _invite(email="dana@example.com", role=Role.MEMBER, client=None, path="invites"):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or user_client).post(
                f"/api/v1/teams/{team.pk}/{path}", {"email": email, "role": role}, format="json"
            )

    return _invite


def accept(client, token):
    return client.post("/api/v1/invites/accept", {"token": token}, format="json")


def decline(client, token):
    return client.post("/api/v1/invites/decline", {"token": token}, format="json")


# --- Creating ---------------------------------------------------------------------------------


def test_an_invite_emails_an_accept_link_once_the_invite_is_saved(team, user, invite_via_api):
    # The token is signed with a timestamp: hold the clock so it can be rebuilt below.
    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        response = invite_via_api("Dana@Example.com", Role.ADMIN)
        invite = Invite.objects.get()
        token = services.invite_token(invite)

    assert response.status_code == 201
    body = data_of(response)
    assert (body["email"], body["role"], body["status"]) == ("dana@example.com", "admin", "pending")
    assert body["workspace"] == {"id": str(team.pk), "name": "Acme"}
    assert body["invitedBy"]["id"] == str(user.pk)
    assert body["id"] == str(invite.pk)
    assert invite.expires_at == now + timedelta(days=settings.INVITE_TTL_DAYS)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["dana@example.com"]
    assert "Acme" in email.subject
    assert token in email.body
    assert settings.SITE_URL.rstrip("/") in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert token in html
    assert ActivityEvent.objects.filter(
        workspace=team, verb="invite.created", target_id=invite.pk
    ).exists()


def test_no_email_leaves_before_the_invite_commits(team, user_client):
    response = user_client.post(
        f"/api/v1/teams/{team.pk}/invites", {"email": "dana@example.com"}, format="json"
    )
    assert response.status_code == 201
    assert data_of(response)["role"] == "member"
    assert mail.outbox == []


def test_adding_a_member_by_email_sends_an_invite(team, invite_via_api):
    response = invite_via_api("dana@example.com", Role.VIEWER, path="members")

    assert response.status_code == 201
    invite = Invite.objects.get(workspace=team)
    assert (invite.email, invite.role, invite.status) == ("dana@example.com", "viewer", "pending")
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]
    assert not Membership.objects.filter(workspace=team, user__email="dana@example.com").exists()


def test_an_admin_invites_but_cannot_invite_an_owner(team, client_of, invite_via_api):
    admin_client = client_of(member_of(team, Role.ADMIN))

    assert invite_via_api("a@example.com", Role.ADMIN, client=admin_client).status_code == 201
    response = invite_via_api("b@example.com", Role.OWNER, client=admin_client)

    assert response.status_code == 403
    assert error_of(response)["code"] == "FORBIDDEN"
    assert list(Invite.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_a_member_cannot_invite(team, client_of, invite_via_api):
    response = invite_via_api(client=client_of(member_of(team, Role.MEMBER)))
    assert response.status_code == 403
    assert not Invite.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": 12}, "email"),
        ({"email": "dana@example.com", "role": "boss"}, "role"),
    ],
)
def test_an_invite_needs_an_email_and_a_known_role(team, user_client, payload, field):
    response = user_client.post(f"/api/v1/teams/{team.pk}/invites", payload, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"
    assert error_of(response)["details"][0]["field"] == field
    assert not Invite.objects.exists()


def test_outsider_gets_404_inviting_to_a_team(team, client_of, invite_via_api):
    response = invite_via_api(client=client_of(UserFactory()))
    assert response.status_code == 404
    assert not Invite.objects.exists()


def test_inviting_needs_a_signed_in_user(api_client, team):
    response = api_client.post(
        f"/api/v1/teams/{team.pk}/invites", {"email": "dana@example.com"}, format="json"
    )
    assert response.status_code == 401


def test_a_second_pending_invite_to_the_same_address_is_a_conflict(team, invite_via_api):
    assert invite_via_api("dana@example.com").status_code == 201

    response = invite_via_api("DANA@example.com")

    assert response.status_code == 409
    assert error_of(response)["code"] == "DUPLICATE_RESOURCE"
    assert Invite.objects.count() == 1
    assert len(mail.outbox) == 1


def test_inviting_someone_already_in_the_team_is_a_conflict(team, invite_via_api):
    member_of(team, Role.VIEWER, email="dana@example.com")

    response = invite_via_api("Dana@example.com")

    assert response.status_code == 409
    assert error_of(response)["code"] == "ALREADY_MEMBER"
    assert not Invite.objects.exists()


def test_an_expired_invite_does_not_block_a_new_one(team, user, login, invite_via_api):
    assert invite_via_api("dana@example.com").status_code == 201
    old = Invite.objects.get()

    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITE_TTL_DAYS, hours=1)):
        response = invite_via_api("dana@example.com", client=login(user)[0])

    assert response.status_code == 201
    old.refresh_from_db()
    assert old.status == Invite.Status.EXPIRED
    assert Invite.objects.get(pk=data_of(response)["id"]).status == Invite.Status.PENDING
    assert len(mail.outbox) == 2


def test_managers_list_the_invites_and_expired_ones_read_as_expired(team, user_client):
    InviteFactory(workspace=team, email="late@example.com", expires_at=timezone.now())
    InviteFactory(workspace=team, email="fresh@example.com")
    InviteFactory(email="elsewhere@example.com")

    response = user_client.get(f"/api/v1/teams/{team.pk}/invites")

    assert response.status_code == 200
    assert {(i["email"], i["status"]) for i in data_of(response)} == {
        ("late@example.com", "expired"),
        ("fresh@example.com", "pending"),
    }


def test_a_member_cannot_list_the_invites(team, client_of):
    InviteFactory(workspace=team)
    response = client_of(member_of(team, Role.MEMBER)).get(f"/api/v1/teams/{team.pk}/invites")
    assert response.status_code == 403


def test_outsider_gets_404_listing_invites(team, client_of):
    assert client_of(UserFactory()).get(f"/api/v1/teams/{team.pk}/invites").status_code == 404


def test_listing_invites_needs_a_signed_in_user(api_client, team):
    assert api_client.get(f"/api/v1/teams/{team.pk}/invites").status_code == 401


# --- Resending and revoking -------------------------------------------------------------------


def test_resending_sends_a_second_email_and_extends_the_expiry(
    team, user, login, invite_via_api, django_capture_on_commit_callbacks
):
    invite_id = data_of(invite_via_api("dana@example.com"))["id"]
    first_expiry = Invite.objects.get(pk=invite_id).expires_at

    with (
        time_machine.travel(timezone.now() + timedelta(days=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = login(user)[0].post(f"/api/v1/teams/{team.pk}/invites/{invite_id}/resend")

    assert response.status_code == 200
    invite = Invite.objects.get(pk=invite_id)
    assert invite.expires_at > first_expiry + timedelta(days=2)
    assert data_of(response)["status"] == "pending"
    assert [m.to for m in mail.outbox] == [["dana@example.com"], ["dana@example.com"]]
    assert invite.sent_count == 2
    assert ActivityEvent.objects.filter(workspace=team, verb="invite.resent").count() == 1


def test_a_duplicate_delivery_of_the_email_task_sends_nothing(invite_via_api):
    invite_id = data_of(invite_via_api("dana@example.com"))["id"]
    delivery = EmailDelivery.objects.get(key=f"invite:{invite_id}:1")

    assert notification_tasks.send_email.delay(str(delivery.pk)).get() is False
    assert notification_tasks.send_email.apply(args=[str(delivery.pk)]).get() is False

    assert [m.to for m in mail.outbox] == [["dana@example.com"]]
    assert Invite.objects.get(pk=invite_id).sent_count == 1


def test_each_resend_is_a_new_email_under_its_own_key(
    team, user, user_client, invite_via_api, django_capture_on_commit_callbacks
):
    invite_id = data_of(invite_via_api("dana@example.com"))["id"]

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = user_client.post(f"/api/v1/teams/{team.pk}/invites/{invite_id}/resend")
        assert response.status_code == 200

    assert sorted(EmailDelivery.objects.values_list("key", "status")) == [
        (f"invite:{invite_id}:{number}", "sent") for number in (1, 2, 3)
    ]
    assert len(mail.outbox) == 3
    invite = Invite.objects.get(pk=invite_id)
    assert invite.sent_count == 3
    assert data_of(response)["lastSentAt"] is not None


def test_an_invite_to_an_account_reaches_it_in_the_app_and_by_email(team, invite_via_api):
    dana = UserFactory(email="dana@example.com")

    invite_id = data_of(invite_via_api("Dana@Example.com"))["id"]

    notification = Notification.objects.get(user=dana)
    assert (notification.kind, notification.key) == ("invite", f"invite:{invite_id}:1")
    assert "Acme" in notification.title
    assert notification.link.startswith("/dashboard/invites/")
    [email] = mail.outbox
    assert email.to == ["dana@example.com"]
    assert f"{settings.SITE_URL.rstrip('/')}{notification.link}" in email.body
    assert "Choose which emails you get" in email.body


def test_an_invite_to_an_account_follows_its_invite_preferences(team, invite_via_api):
    dana = UserFactory(email="dana@example.com")
    update_preferences(user=dana, kinds={"invite": {"email": False}})

    invite_via_api("dana@example.com")

    assert Notification.objects.filter(user=dana, kind="invite").count() == 1
    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_an_invite_to_a_new_address_says_why_it_came(invite_via_api):
    invite_via_api("dana@example.com")

    [email] = mail.outbox
    assert "invited dana@example.com" in email.body
    assert "Choose which emails you get" not in email.body
    assert not Notification.objects.exists()


def test_an_invite_closed_before_its_email_left_sends_nothing(
    team, user, django_capture_on_commit_callbacks
):
    """Revoked, or accepted, while its email waited for the commit (or a retry)."""
    membership = Membership.objects.get(workspace=team, user=user)
    dana = UserFactory(email="dana@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        revoked = services.create_invite(
            membership=membership, email="ed@example.com", role="member"
        )
        services.revoke_invite(invite=revoked, actor=user, membership=membership)
        accepted = services.create_invite(
            membership=membership, email="dana@example.com", role="member"
        )
        services.accept_invite(token=services.invite_token(accepted), user=dana)

    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_a_revoked_invite_is_not_emailed_again(team, user_client, invite_via_api):
    invite_id = data_of(invite_via_api("dana@example.com"))["id"]
    assert user_client.delete(f"/api/v1/teams/{team.pk}/invites/{invite_id}").status_code == 200

    response = user_client.post(f"/api/v1/teams/{team.pk}/invites/{invite_id}/resend")

    assert response.status_code == 409
    assert EmailDelivery.objects.get().status == "sent"
    assert len(mail.outbox) == 1


def test_resending_a_revoked_invite_is_a_conflict(team, user_client):
    invite = InviteFactory(workspace=team, status=Invite.Status.REVOKED)
    response = user_client.post(f"/api/v1/teams/{team.pk}/invites/{invite.pk}/resend")
    assert response.status_code == 409
    assert error_of(response)["code"] == "INVITE_CLOSED"


def test_resending_another_teams_invite_is_404(team, user_client):
    invite = InviteFactory()
    response = user_client.post(f"/api/v1/teams/{team.pk}/invites/{invite.pk}/resend")
    assert response.status_code == 404


def test_outsider_gets_404_resending(team, client_of):
    invite = InviteFactory(workspace=team)
    response = client_of(UserFactory()).post(f"/api/v1/teams/{team.pk}/invites/{invite.pk}/resend")
    assert response.status_code == 404


def test_resending_needs_a_signed_in_user(api_client, team):
    invite = InviteFactory(workspace=team)
    response = api_client.post(f"/api/v1/teams/{team.pk}/invites/{invite.pk}/resend")
    assert response.status_code == 401


def test_a_revoked_invite_cannot_be_accepted(team, user_client, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    dana = UserFactory(email="dana@example.com")

    response = user_client.delete(f"/api/v1/teams/{team.pk}/invites/{invite.pk}")

    assert response.status_code == 200
    assert data_of(response)["status"] == "revoked"
    assert ActivityEvent.objects.filter(workspace=team, verb="invite.revoked").exists()
    refused = accept(client_of(dana), services.invite_token(invite))
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "INVITE_CLOSED"
    assert role_of(dana, team) is None


def test_revoking_twice_is_a_conflict(team, user_client):
    invite = InviteFactory(workspace=team, status=Invite.Status.REVOKED)
    response = user_client.delete(f"/api/v1/teams/{team.pk}/invites/{invite.pk}")
    assert response.status_code == 409
    assert error_of(response)["code"] == "INVITE_CLOSED"


def test_a_member_cannot_revoke(team, client_of):
    invite = InviteFactory(workspace=team)
    response = client_of(member_of(team, Role.MEMBER)).delete(
        f"/api/v1/teams/{team.pk}/invites/{invite.pk}"
    )
    assert response.status_code == 403
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_revoking_another_teams_invite_is_404(team, user_client):
    invite = InviteFactory()
    assert user_client.delete(f"/api/v1/teams/{team.pk}/invites/{invite.pk}").status_code == 404
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_revoking_needs_a_signed_in_user(api_client, team):
    invite = InviteFactory(workspace=team)
    assert api_client.delete(f"/api/v1/teams/{team.pk}/invites/{invite.pk}").status_code == 401


# --- The invitee's side -----------------------------------------------------------------------


def test_the_invited_address_accepts_and_joins_with_the_invited_role(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com", role=Role.ADMIN)
    # The account's address differs only in case from the invited one.
    dana = UserFactory(email="Dana@Example.com")

    response = accept(client_of(dana), services.invite_token(invite))

    assert response.status_code == 200
    body = data_of(response)
    assert (body["user"]["id"], body["role"]) == (str(dana.pk), "admin")
    assert body["workspace"] == {"id": str(team.pk), "name": "Acme"}
    assert role_of(dana, team) == Role.ADMIN
    invite.refresh_from_db()
    assert invite.status == Invite.Status.ACCEPTED
    joined = ActivityEvent.objects.get(workspace=team, verb="member.joined")
    assert (joined.actor, joined.target_id, joined.changes) == (
        dana,
        dana.pk,
        {"role": [None, "admin"]},
    )
    assert client_of(dana).get(f"/api/v1/teams/{team.pk}").status_code == 200


def test_another_account_cannot_accept_someone_elses_invite(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    eve = UserFactory(email="eve@example.com")

    response = accept(client_of(eve), services.invite_token(invite))

    assert response.status_code == 403
    assert error_of(response)["code"] == "INVITE_EMAIL_MISMATCH"
    assert role_of(eve, team) is None
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_a_tampered_or_made_up_token_is_404(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    dana_client = client_of(UserFactory(email="dana@example.com"))
    token = services.invite_token(invite)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for bad in (tampered, "nonsense", str(invite.pk)):
        response = accept(dana_client, bad)
        assert response.status_code == 404, bad
        assert error_of(response)["code"] == "NOT_FOUND"
    assert not Membership.objects.filter(workspace=team, user__email="dana@example.com").exists()


def test_a_token_for_a_deleted_invite_is_404(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    token = services.invite_token(invite)
    invite.delete()
    assert accept(client_of(UserFactory(email="dana@example.com")), token).status_code == 404


@pytest.mark.parametrize("payload", [{}, {"token": ""}, {"token": 5}])
def test_accepting_needs_a_token(user_client, payload):
    response = user_client.post("/api/v1/invites/accept", payload, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"][0]["field"] == "token"


def test_accepting_needs_a_signed_in_user(api_client, team):
    invite = InviteFactory(workspace=team)
    assert accept(api_client, services.invite_token(invite)).status_code == 401
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_an_expired_invite_is_gone(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    dana = UserFactory(email="dana@example.com")
    token = services.invite_token(invite)

    with time_machine.travel(invite.expires_at + timedelta(minutes=1)):
        response = accept(client_of(dana), token)

    assert response.status_code == 410
    assert error_of(response)["code"] == "INVITE_EXPIRED"
    assert role_of(dana, team) is None


def test_an_invite_is_accepted_only_once(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    dana_client = client_of(UserFactory(email="dana@example.com"))
    token = services.invite_token(invite)
    assert accept(dana_client, token).status_code == 200

    response = accept(dana_client, token)

    assert response.status_code == 409
    assert error_of(response)["code"] == "INVITE_CLOSED"
    assert Membership.objects.filter(workspace=team).count() == 2
    assert ActivityEvent.objects.filter(workspace=team, verb="member.joined").count() == 1


def test_declining_closes_the_invite_without_joining(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    dana = UserFactory(email="dana@example.com")
    dana_client = client_of(dana)
    token = services.invite_token(invite)

    response = decline(dana_client, token)

    assert response.status_code == 200
    assert data_of(response)["status"] == "declined"
    assert role_of(dana, team) is None
    assert ActivityEvent.objects.filter(workspace=team, verb="invite.declined").exists()
    assert error_of(accept(dana_client, token))["code"] == "INVITE_CLOSED"


def test_another_account_cannot_decline_someone_elses_invite(team, client_of):
    invite = InviteFactory(workspace=team, email="dana@example.com")
    response = decline(client_of(UserFactory()), services.invite_token(invite))
    assert response.status_code == 403
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_declining_with_a_bad_token_is_404_and_without_one_400(user_client):
    assert decline(user_client, "nonsense").status_code == 404
    assert user_client.post("/api/v1/invites/decline", {}, format="json").status_code == 400


def test_declining_needs_a_signed_in_user(api_client, team):
    invite = InviteFactory(workspace=team)
    assert decline(api_client, services.invite_token(invite)).status_code == 401


def test_the_whole_round_trip_from_email_to_membership(team, invite_via_api, client_of):
    """The token the invitee gets is the one in the email, whatever second it was signed in."""
    invite_via_api("dana@example.com", Role.VIEWER)
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if line.startswith(settings.SITE_URL))
    token = link.rstrip("/").rsplit("/", 1)[-1]
    dana = UserFactory(email="dana@example.com")

    assert accept(client_of(dana), token).status_code == 200
    assert role_of(dana, team) == Role.VIEWER
    assert Workspace.objects.visible_to(dana).filter(pk=team.pk).exists()


def test_an_invite_email_that_fails_to_send_can_be_sent_by_the_retry(settings, team, user):
    import socket

    membership = Membership.objects.get(workspace=team, user=user)
    invite = services.create_invite(membership=membership, email="dana@example.com", role="member")
    delivery = EmailDelivery.objects.get(key=f"invite:{invite.pk}:1")
    with socket.socket() as probe:  # a port nobody listens on: the SMTP server is down
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2

    with pytest.raises(OSError):
        notification_emails.deliver_email(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_emails.deliver_email(delivery_id=delivery.pk) is True
    assert notification_emails.deliver_email(delivery_id=delivery.pk) is False
    assert [message.to for message in mail.outbox] == [[invite.email]]
