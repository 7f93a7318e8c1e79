"""Projects: the detail page, editing, milestones ticked off or reopened, notes, activity."""

import pytest

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.crm import services
from apps.crm.models import Milestone, Note, Project
from apps.crm.tests.factories import ClientFactory, MilestoneFactory, ProjectFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of

from .helpers import shown_messages, text, verbs

pytestmark = pytest.mark.django_db


@pytest.fixture
def website(team):
    client = ClientFactory(workspace=team, name="Acme Corp")
    return ProjectFactory(client=client, name="Harbour Website", status="active")


@pytest.fixture
def launch(website):
    return MilestoneFactory(project=website, title="Launch")


@pytest.fixture
def foreign_project(db):
    stranger = UserFactory()
    client = ClientFactory(workspace=stranger.personal_workspace, name="Zebulon Stranger")
    return ProjectFactory(client=client, name="Stranger Project")


@pytest.fixture
def viewer_web(browse, team):
    return browse(member_of(team, Role.VIEWER), team)


def toggle_url(milestone) -> str:
    return f"/dashboard/projects/{milestone.project_id}/milestones/{milestone.pk}/toggle"


def test_the_project_page_shows_fields_milestones_notes_and_activity(web, owner, website):
    services.create_milestone(project=website, actor=owner, title="Design sign-off")
    services.create_note(actor=owner, project=website, body="<p>Fonts chosen</p>")
    services.update_project(project=website, actor=owner, data={"budget": 5000})

    page = text(web.get(f"/dashboard/projects/{website.pk}/"))

    assert "Harbour Website" in page and "Acme Corp" in page
    assert "Design sign-off" in page
    assert "<p>Fonts chosen</p>" in page
    assert "5000" in page
    for verb in ("milestone.created", "note.created", "project.updated"):
        assert f'data-verb="{verb}"' in page


@pytest.mark.parametrize("suffix", ["/", "/edit", "/delete"])
def test_another_workspaces_project_answers_404(web, foreign_project, suffix):
    assert web.get(f"/dashboard/projects/{foreign_project.pk}{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["/edit", "/delete", "/milestones", "/notes"])
def test_writing_to_another_workspaces_project_answers_404_and_changes_nothing(
    web, foreign_project, suffix
):
    response = web.post(
        f"/dashboard/projects/{foreign_project.pk}{suffix}",
        {"name": "Hijacked", "status": "active", "title": "x", "body": "x"},
    )

    assert response.status_code == 404
    foreign_project.refresh_from_db()
    assert foreign_project.name == "Stranger Project"
    assert not Milestone.objects.exists()
    assert not Note.objects.exists()


def test_another_workspaces_milestone_answers_404_even_under_your_project(web, website):
    foreign = MilestoneFactory(title="Not yours")

    response = web.post(f"/dashboard/projects/{website.pk}/milestones/{foreign.pk}/toggle")

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.done


def test_a_milestone_of_another_project_answers_404_under_this_one(web, team, website):
    other = MilestoneFactory(project=ProjectFactory(client=website.client))

    response = web.post(f"/dashboard/projects/{website.pk}/milestones/{other.pk}/toggle")

    assert response.status_code == 404


def test_editing_a_project_saves_it_and_records_it(web, owner, team, website):
    response = web.post(
        f"/dashboard/projects/{website.pk}/edit",
        {
            "name": "Harbour Website v2",
            "status": "on_hold",
            "description": "Second pass",
            "start_date": "2030-01-01",
            "due_date": "2030-02-01",
            "budget": "",
            "hourly_rate": "80",
        },
        follow=True,
    )

    website.refresh_from_db()
    assert (website.name, website.status, str(website.due_date)) == (
        "Harbour Website v2",
        "on_hold",
        "2030-02-01",
    )
    assert "Saved Harbour Website v2." in shown_messages(response)
    event = ActivityEvent.objects.get(workspace=team, verb="project.updated")
    assert event.actor == owner
    assert event.changes["status"] == ["active", "on_hold"]


def test_the_edit_form_starts_from_the_saved_values(web, website):
    page = text(web.get(f"/dashboard/projects/{website.pk}/edit"))

    assert 'value="Harbour Website"' in page
    assert '<option value="active" selected>' in page


def test_a_viewer_cannot_edit_a_project(viewer_web, website):
    response = viewer_web.post(
        f"/dashboard/projects/{website.pk}/edit", {"name": "Nope", "status": "active"}
    )

    assert response.status_code == 403
    website.refresh_from_db()
    assert website.name == "Harbour Website"


def test_ticking_a_milestone_marks_it_done_and_records_it(web, owner, team, launch):
    response = web.post(toggle_url(launch), {"done": "true"}, follow=True)

    launch.refresh_from_db()
    assert launch.done and launch.completed_at is not None
    assert "Launch is done." in shown_messages(response)
    assert response.redirect_chain[-1][0] == f"/dashboard/projects/{launch.project_id}/#milestones"
    event = ActivityEvent.objects.get(workspace=team, verb="milestone.completed")
    assert (event.actor, event.target_id) == (owner, launch.pk)


def test_the_reopen_button_reopens_a_done_milestone(web, team, launch):
    web.post(toggle_url(launch), {"done": "true"})
    page = text(web.get(f"/dashboard/projects/{launch.project_id}/"))
    assert 'name="done" value="false"' in page

    web.post(toggle_url(launch), {"done": "false"})

    launch.refresh_from_db()
    assert not launch.done and launch.completed_at is None
    assert verbs(team)[-2:] == ["milestone.completed", "milestone.reopened"]


def test_posting_the_same_tick_twice_keeps_it_done_and_records_it_once(web, team, launch):
    web.post(toggle_url(launch), {"done": "true"})
    web.post(toggle_url(launch), {"done": "true"})

    launch.refresh_from_db()
    assert launch.done
    assert verbs(team).count("milestone.completed") == 1


def test_a_toggle_without_a_state_flips_the_milestone(web, launch):
    web.post(toggle_url(launch))

    launch.refresh_from_db()
    assert launch.done


def test_the_script_gets_json_back_when_it_asks_for_it(web, launch):
    response = web.post(toggle_url(launch), {"done": "true"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"id": str(launch.pk), "done": True}


def test_a_viewer_cannot_tick_a_milestone_and_sees_no_button(viewer_web, team, launch):
    page = text(viewer_web.get(f"/dashboard/projects/{launch.project_id}/"))
    assert toggle_url(launch) not in page

    response = viewer_web.post(toggle_url(launch), {"done": "true"})

    assert response.status_code == 403
    launch.refresh_from_db()
    assert not launch.done
    assert "milestone.completed" not in verbs(team)


def test_toggling_needs_a_post(web, launch):
    assert web.get(toggle_url(launch)).status_code == 405


def test_adding_a_milestone_puts_it_last_and_records_it(web, owner, team, website, launch):
    response = web.post(
        f"/dashboard/projects/{website.pk}/milestones",
        {"title": "Go live", "due_date": "2030-03-01"},
        follow=True,
    )

    milestone = Milestone.objects.get(title="Go live")
    assert str(milestone.due_date) == "2030-03-01"
    assert milestone.order > launch.order
    assert "Added the milestone Go live." in shown_messages(response)
    assert ActivityEvent.objects.get(workspace=team, verb="milestone.created").actor == owner


def test_a_milestone_without_a_title_is_refused_with_a_message(web, website):
    response = web.post(f"/dashboard/projects/{website.pk}/milestones", {"title": ""}, follow=True)

    assert not Milestone.objects.exists()
    assert any("Title: This field is required." in m for m in shown_messages(response))


def test_a_viewer_cannot_add_a_milestone(viewer_web, website):
    response = viewer_web.post(f"/dashboard/projects/{website.pk}/milestones", {"title": "x"})

    assert response.status_code == 403
    assert not Milestone.objects.exists()


def test_adding_a_note_to_a_project_records_it(web, team, website):
    response = web.post(
        f"/dashboard/projects/{website.pk}/notes", {"body": "Client liked it"}, follow=True
    )

    note = Note.objects.get(project=website)
    assert note.body == "<p>Client liked it</p>"
    assert "<p>Client liked it</p>" in text(response)
    assert "note.created" in verbs(team)


def test_deleting_a_project_goes_back_to_its_client_and_records_it(web, team, website):
    response = web.post(f"/dashboard/projects/{website.pk}/delete", follow=True)

    assert not Project.objects.filter(pk=website.pk).exists()
    assert response.redirect_chain[-1][0] == f"/dashboard/clients/{website.client_id}/"
    assert "project.deleted" in verbs(team)
