"""The page an invite email links to: who invites you where, and Accept / Decline."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.crm.tests.factories import ClientFactory
from apps.workspaces.models import Invite, Membership
from apps.workspaces.roles import Role
from apps.workspaces.services import invite_token
from apps.workspaces.tests.factories import InviteFactory

from .helpers import shown_messages, text, verbs

pytestmark = pytest.mark.django_db

INVITE_LINK = re.compile(r"https?://[^/\s]+(/dashboard/invites/\S+/)")


@pytest.fixture
def invitee(db):
    return UserFactory(name="Ivy Invitee", email="ivy@example.com")


@pytest.fixture
def invite(team, owner, invitee):
    return InviteFactory(workspace=team, email="ivy@example.com", role=Role.ADMIN, invited_by=owner)


@pytest.fixture
def url(invite):
    return reverse("dashboard-invite", args=[invite_token(invite)])


def test_the_invite_url_is_the_one_the_email_names(invite):
    assert reverse("dashboard-invite", args=["abc:def"]) == "/dashboard/invites/abc:def/"


def test_an_anonymous_visitor_signs_in_first_and_comes_back(client, url):
    response = client.get(url)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query) == {"next": [url]}


def test_the_page_shows_the_workspace_the_inviter_and_the_role(browse, invitee, url):
    page = text(browse(invitee).get(url))

    assert "Join Harbour Studio" in page
    assert "Olive Owner invited you" in page
    assert "as <strong>admin</strong>" in page
    assert ">Accept</button>" in page and ">Decline</button>" in page


def test_accepting_joins_the_workspace_switches_to_it_and_records_it(
    browse, team, invitee, invite, url
):
    ClientFactory(workspace=team, name="Team Client")
    web = browse(invitee)

    response = web.post(f"{url}accept", follow=True)

    membership = Membership.objects.get(user=invitee, workspace=team)
    assert membership.role == Role.ADMIN
    invite.refresh_from_db()
    assert invite.status == Invite.Status.ACCEPTED
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "Welcome to Harbour Studio." in shown_messages(response)
    assert web.session["workspace_id"] == str(team.pk)
    assert "Team Client" in text(web.get("/dashboard/clients/"))
    assert verbs(team)[-2:] == ["invite.accepted", "member.joined"]
    assert ActivityEvent.objects.get(workspace=team, verb="member.joined").actor == invitee


def test_declining_closes_the_invite_and_records_it(browse, team, invitee, invite, url):
    web = browse(invitee)

    response = web.post(f"{url}decline", follow=True)

    invite.refresh_from_db()
    assert invite.status == Invite.Status.DECLINED
    assert not Membership.objects.filter(user=invitee, workspace=team).exists()
    assert "You declined the invite to Harbour Studio." in shown_messages(response)
    assert verbs(team)[-1] == "invite.declined"


def test_an_invalid_token_answers_a_friendly_404(browse, invitee):
    response = browse(invitee).get("/dashboard/invites/not-a-real-token/")

    assert response.status_code == 404
    assert "This invite link does not work" in text(response)


def test_accepting_with_an_invalid_token_shows_a_message_and_joins_nothing(browse, invitee):
    response = browse(invitee).post("/dashboard/invites/forged:token/accept", follow=True)

    assert response.status_code == 404
    assert "This invite link is not valid." in shown_messages(response)
    assert Membership.objects.filter(user=invitee).count() == 1  # only the personal workspace


def test_someone_else_sees_no_buttons_and_cannot_accept(browse, team, url, invite):
    other = UserFactory(email="other@example.com")
    web = browse(other)

    page = text(web.get(url))
    response = web.post(f"{url}accept", follow=True)

    assert "sent to a different email address" in page
    assert ">Accept</button>" not in page
    assert "This invite was sent to another email address." in shown_messages(response)
    assert not Membership.objects.filter(user=other, workspace=team).exists()
    invite.refresh_from_db()
    assert invite.status == Invite.Status.PENDING


def test_an_expired_invite_says_so_and_cannot_be_accepted(browse, team, invitee, invite, url):
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    web = browse(invitee)

    page = text(web.get(url))
    response = web.post(f"{url}accept", follow=True)

    assert "This invite is expired; ask for a new one." in page
    assert "This invite has expired; ask for a new one." in shown_messages(response)
    assert not Membership.objects.filter(user=invitee, workspace=team).exists()


def test_an_accepted_invite_cannot_be_used_twice(browse, invitee, url):
    web = browse(invitee)
    web.post(f"{url}accept")

    page = text(web.get(url))
    response = web.post(f"{url}accept", follow=True)

    assert "This invite is accepted." in page
    assert "This invite is accepted already." in shown_messages(response)


def test_accepting_needs_a_post(browse, invitee, url):
    assert browse(invitee).get(f"{url}accept").status_code == 405


def test_invite_and_accept_through_the_pages(web, browse, team, django_capture_on_commit_callbacks):
    ClientFactory(workspace=team, name="Team Client")
    newcomer = UserFactory(email="newcomer@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        web.post("/dashboard/team/invites", {"email": "newcomer@example.com", "role": "member"})
    link = INVITE_LINK.search(mail.outbox[0].body).group(1)
    newcomer_web = browse(newcomer)
    assert "Join Harbour Studio" in text(newcomer_web.get(link))
    newcomer_web.post(f"{link}accept")

    assert Membership.objects.get(user=newcomer, workspace=team).role == Role.MEMBER
    assert "Team Client" in text(newcomer_web.get("/dashboard/clients/"))
    assert "newcomer@example.com" in text(web.get("/dashboard/team/"))
    assert verbs(team)[-3:] == ["invite.created", "invite.accepted", "member.joined"]
