"""Every page acts in the workspace kept in the session: the switcher, the summary, isolation."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from apps.accounts.tests.factories import UserFactory
from apps.crm.models import Client as CrmClient
from apps.crm.tests.factories import ClientFactory, MilestoneFactory, ProjectFactory
from apps.workspaces.models import Membership
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

from .helpers import shown_messages, text

pytestmark = pytest.mark.django_db

POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.S)


@pytest.fixture
def outsider_client(db):
    """A client of somebody else's workspace, with a project."""
    stranger = UserFactory()
    client = ClientFactory(workspace=stranger.personal_workspace, name="Zebulon Stranger")
    ProjectFactory(client=client, name="Stranger Project")
    return client


@pytest.fixture
def pages(team):
    """One URL of each page, over rows of the team."""
    client = ClientFactory(workspace=team, name="Ada Client")
    project = ProjectFactory(client=client, name="Harbour Website")
    return [
        "/dashboard/",
        "/dashboard/clients/",
        "/dashboard/clients/new",
        f"/dashboard/clients/{client.pk}/",
        f"/dashboard/clients/{client.pk}/edit",
        f"/dashboard/clients/{client.pk}/delete",
        f"/dashboard/clients/{client.pk}/projects/new",
        f"/dashboard/projects/{project.pk}/",
        f"/dashboard/projects/{project.pk}/edit",
        f"/dashboard/projects/{project.pk}/delete",
        "/dashboard/team/",
    ]


def test_each_page_renders_for_a_member_and_shows_only_the_workspaces_data(
    browse, team, pages, outsider_client
):
    web = browse(member_of(team, Role.MEMBER), team)

    for url in pages:
        response = web.get(url)

        assert response.status_code == 200, url
        assert "Zebulon Stranger" not in text(response), url
        assert "Stranger Project" not in text(response), url


def test_every_post_form_on_the_pages_carries_a_csrf_token(web, pages):
    for url in pages:
        forms = POST_FORM.findall(text(web.get(url)))

        assert forms, url
        assert all('name="csrfmiddlewaretoken"' in form for form in forms), url


@pytest.mark.parametrize("path", ["/dashboard/clients/", "/dashboard/team/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_a_new_user_works_in_their_personal_workspace(browse):
    user = UserFactory(name="Pat Person")
    ClientFactory(workspace=user.personal_workspace, name="Personal Client")

    page = browse(user).get("/dashboard/clients/")

    assert "Personal Client" in text(page)
    assert f"{escape(user.personal_workspace.name)} (personal)" in text(page)


def test_the_switcher_lists_the_users_workspaces_and_no_others(web, owner, team):
    WorkspaceFactory(name="Somebody Elses Team")

    page = text(web.get("/dashboard/"))

    assert f'<option value="{team.pk}" selected>Harbour Studio</option>' in page
    assert f'value="{owner.personal_workspace.pk}"' in page
    assert "Somebody Elses Team" not in page


def test_switching_changes_which_clients_the_list_shows(browse, owner, team):
    ClientFactory(workspace=team, name="Team Client")
    ClientFactory(workspace=owner.personal_workspace, name="Solo Client")
    web = browse(owner)
    assert "Solo Client" in text(web.get("/dashboard/clients/"))

    response = web.post(
        "/dashboard/workspace/switch", {"workspace": team.pk, "next": "/dashboard/clients/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/clients/"
    page = web.get("/dashboard/clients/", follow=True)
    assert "Team Client" in text(page)
    assert "Solo Client" not in text(page)
    assert "Now working in Harbour Studio." in shown_messages(page)


def test_switching_from_a_client_page_lands_on_the_client_list(browse, owner, team):
    solo = ClientFactory(workspace=owner.personal_workspace)
    web = browse(owner)

    response = web.post(
        "/dashboard/workspace/switch",
        {"workspace": team.pk, "next": f"/dashboard/clients/{solo.pk}/"},
    )

    assert response["Location"] == "/dashboard/clients/"


def test_switching_ignores_a_next_address_off_the_site(browse, owner, team):
    response = browse(owner).post(
        "/dashboard/workspace/switch", {"workspace": team.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/dashboard/"


def test_switching_to_a_workspace_you_are_not_a_member_of_is_refused(browse, owner, team):
    foreign = WorkspaceFactory(name="Not Yours")
    ClientFactory(workspace=foreign, name="Foreign Client")
    web = browse(owner, team)

    response = web.post("/dashboard/workspace/switch", {"workspace": foreign.pk})

    assert response.status_code == 404
    assert web.session["workspace_id"] == str(team.pk)
    assert "Foreign Client" not in text(web.get("/dashboard/clients/"))


@pytest.mark.parametrize("value", ["not-a-uuid", ""])
def test_switching_to_a_malformed_workspace_id_is_refused(web, value):
    assert web.post("/dashboard/workspace/switch", {"workspace": value}).status_code == 404


def test_switching_needs_a_post(web, team):
    assert web.get(f"/dashboard/workspace/switch?workspace={team.pk}").status_code == 405


def test_a_workspace_you_were_removed_from_falls_back_to_personal(browse, team):
    user = member_of(team, Role.MEMBER)
    ClientFactory(workspace=team, name="Team Client")
    ClientFactory(workspace=user.personal_workspace, name="Own Client")
    web = browse(user, team)
    Membership.objects.filter(user=user, workspace=team).delete()

    page = text(web.get("/dashboard/clients/"))

    assert "Own Client" in page
    assert "Team Client" not in page


def test_an_unknown_workspace_id_in_the_session_falls_back_to_personal(browse, owner):
    ClientFactory(workspace=owner.personal_workspace, name="Own Client")
    web = browse(owner)
    session = web.session
    session["workspace_id"] = str(uuid.uuid4())
    session.save()

    assert "Own Client" in text(web.get("/dashboard/clients/"))


def test_the_dashboard_summarises_the_current_workspace(web, team):
    today = timezone.localdate()
    ClientFactory(workspace=team, status=CrmClient.Status.ACTIVE)
    active = ClientFactory(workspace=team, status=CrmClient.Status.ACTIVE)
    ClientFactory(workspace=team, status=CrmClient.Status.PAUSED)
    ClientFactory(workspace=team, archived_at=timezone.now())
    project = ProjectFactory(client=active, status="active")
    ProjectFactory(client=active, status="completed")
    MilestoneFactory(project=project, due_date=today + timedelta(days=2))
    MilestoneFactory(project=project, due_date=today + timedelta(days=7))
    MilestoneFactory(project=project, due_date=today + timedelta(days=8))
    MilestoneFactory(project=project, due_date=today + timedelta(days=1), done=True)
    MilestoneFactory(project=project, due_date=today - timedelta(days=1))
    stranger = UserFactory()
    ClientFactory(workspace=stranger.personal_workspace)

    page = text(web.get("/dashboard/"))

    assert "<strong>2</strong> active clients" in page
    assert "<strong>1</strong> active project<" in page
    assert "<strong>2</strong> milestones due in the next 7 days" in page


def test_a_viewer_sees_the_summary_of_a_team_they_only_view(browse, team):
    viewer = member_of(team, Role.VIEWER)
    ClientFactory(workspace=team)

    page = text(browse(viewer, team).get("/dashboard/"))

    assert "Harbour Studio" in page
    assert "You are viewer here." in page
    assert "<strong>1</strong> active client<" in page
