"""The AI summary panel on the client and project pages: the latest summary, the Summarize
button, and, with Gemini, the "Summarizing…" state that the page's job status endpoint ends.

The offline provider answers in the request. Gemini is the local stand-in from apps/ai/tests;
its job runs when the request's transaction commits, which a test holds back (capturing the
on-commit callbacks) to see the page while the job is still queued."""

import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from apps.accounts.tests.factories import UserFactory
from apps.ai.models import Summary, SummaryJob
from apps.ai.tests.conftest import _fake_gemini_server, fake_gemini, gemini  # noqa: F401
from apps.ai.tests.factories import SummaryFactory, SummaryJobFactory
from apps.ai.tests.fake_gemini import DEFAULT_REPLY
from apps.billing.entitlements import Quota, spend, usage_of
from apps.billing.tests.factories import plan
from apps.crm.tests.factories import ClientFactory, NoteFactory, ProjectFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of
from tests.test_browser import chromium  # noqa: F401

from .helpers import shown_messages, text

pytestmark = pytest.mark.django_db

NOTE = "The payment sandbox is down again; the checkout must keep one page."


@pytest.fixture
def acme(team):
    client = ClientFactory(workspace=team, name="Acme Corp")
    NoteFactory(client=client, project=None, body_text=NOTE)
    return client


@pytest.fixture
def website(acme):
    project = ProjectFactory(client=acme, name="Harbour Website")
    NoteFactory(project=project, body_text=NOTE)
    return project


@pytest.fixture
def viewer_web(browse, team):
    return browse(member_of(team, Role.VIEWER, name="Vera Viewer"), team)


def page_of(target) -> str:
    kind = "projects" if hasattr(target, "client_id") else "clients"
    return f"/dashboard/{kind}/{target.pk}/"


def summarize(web, target, **kwargs):
    return web.post(f"{page_of(target).rstrip('/')}/summarize", **kwargs)


def units_used(workspace) -> int:
    return usage_of(workspace_id=workspace.pk, quota=Quota.AI_SUMMARIES).used


@pytest.fixture(params=["client", "project"])
def target(request, acme):
    return acme if request.param == "client" else request.getfixturevalue("website")


# --- The offline provider: made in the request -----------------------------------------------


def test_without_a_summary_the_panel_says_so_and_offers_the_button(web, target):
    page = text(web.get(page_of(target)))

    assert 'id="summary"' in page
    assert "No summary yet." in page
    assert f'action="{page_of(target).rstrip("/")}/summarize"' in page
    assert ">Summarize</button>" in page


def test_summarizing_shows_the_new_summary_for_one_unit(web, owner, team, target):
    response = summarize(web, target, follow=True)

    summary = Summary.objects.get()
    assert summary.target == target
    assert (summary.provider, summary.created_by) == ("extractive", owner)
    assert response.redirect_chain[-1][0] == f"{page_of(target)}#summary"
    assert "The summary is ready." in shown_messages(response)
    page = text(response)
    assert "payment sandbox is down again" in page
    assert "Written by the offline summarizer" in page
    assert "asked by Olive Owner" in page
    assert ">Summarize again</button>" in page
    assert "No summary yet." not in page
    assert units_used(team) == 1


def test_asking_again_with_nothing_changed_shows_the_same_summary_and_spends_nothing(
    web, team, target
):
    summarize(web, target)

    response = summarize(web, target, follow=True)

    assert Summary.objects.count() == 1
    assert "Nothing has changed since the last summary; here it is." in shown_messages(response)
    assert units_used(team) == 1


def test_the_panel_shows_the_latest_summary_of_this_target_only(web, team, website):
    SummaryFactory(project=website, text="Older words.")
    SummaryFactory(project=website, text="Newest words.")
    SummaryFactory(project=ProjectFactory(client=website.client), text="Another project.")

    page = text(web.get(page_of(website)))

    assert "Newest words." in page
    assert "Older words." not in page
    assert "Another project." not in page


@time_machine.travel("2030-03-15 12:00Z", tick=False)
def test_a_used_up_quota_says_when_it_resets_and_makes_nothing(browse, owner, team, target):
    web = browse(owner, team)
    for _ in range(plan("free").ai_summaries_per_month):
        spend(workspace=team, quota=Quota.AI_SUMMARIES)

    response = summarize(web, target, follow=True)

    assert shown_messages(response) == [
        "Your plan's AI summaries for this month are used up. Upgrade your plan to add more. "
        "They reset on Apr 1, 2030 at 00:00 UTC."
    ]
    assert "No summary yet." in text(response)
    assert not Summary.objects.exists()
    assert not SummaryJob.objects.exists()


def test_a_viewer_sees_the_summary_but_cannot_summarize(viewer_web, team, website):
    SummaryFactory(project=website, text="The project is on track.")

    page = text(viewer_web.get(page_of(website)))
    refused = summarize(viewer_web, website)

    assert "The project is on track." in page
    assert "/summarize" not in page
    assert refused.status_code == 403
    assert Summary.objects.count() == 1
    assert units_used(team) == 0


def test_summarizing_needs_a_post(web, website):
    assert web.get(f"{page_of(website)}summarize").status_code == 405


# --- Gemini: a job, shown in progress until it is done ---------------------------------------


def test_with_gemini_the_page_shows_progress_until_the_job_is_done(
    web,
    team,
    website,
    gemini,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = summarize(web, website)

    job = SummaryJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{page_of(website)}?job={job.pk}#summary"
    waiting = text(web.get(f"{page_of(website)}?job={job.pk}"))
    assert "Summarizing…" in waiting
    assert f'data-ai-job="/dashboard/ai/jobs/{job.pk}"' in waiting
    assert f'href="{page_of(website)}?job={job.pk}#summary">Check again</a>' in waiting
    assert "/summarize" not in waiting  # no second request while one is running
    status = web.get(f"/dashboard/ai/jobs/{job.pk}")
    assert status.json() == {
        "id": str(job.pk),
        "status": "queued",
        "done": False,
        "error": None,
        "summaryId": None,
    }
    assert "no-store" in status["Cache-Control"]

    for run in callbacks:  # the job runs as the request's transaction commits
        run()

    summary = Summary.objects.get()
    assert web.get(f"/dashboard/ai/jobs/{job.pk}").json() == {
        "id": str(job.pk),
        "status": "succeeded",
        "done": True,
        "error": None,
        "summaryId": str(summary.pk),
    }
    done = text(web.get(f"{page_of(website)}?job={job.pk}"))
    assert DEFAULT_REPLY in done
    assert "Written by Gemini (gemini-test-model)" in done
    assert "Summarizing…" not in done
    assert units_used(team) == 1


def test_a_running_job_shows_on_the_page_without_the_query(
    web,
    browse,
    team,
    website,
    gemini,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    colleague = browse(member_of(team, Role.MEMBER), team)
    with django_capture_on_commit_callbacks(execute=False):
        summarize(colleague, website)

    assert "Summarizing…" in text(web.get(page_of(website)))


def test_a_failed_job_says_why_and_that_nothing_was_spent(
    web,
    team,
    website,
    gemini,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    gemini.fail_next(1, status=400)
    with django_capture_on_commit_callbacks(execute=True):
        response = summarize(web, website)

    job = SummaryJob.objects.get()
    assert response["Location"] == f"{page_of(website)}?job={job.pk}#summary"
    page = text(web.get(f"{page_of(website)}?job={job.pk}"))
    assert (
        "The summary could not be made: The AI provider refused the request (HTTP 400). "
        "Nothing was taken from your plan's quota." in page
    )
    assert ">Summarize</button>" in page  # try again
    assert web.get(f"/dashboard/ai/jobs/{job.pk}").json()["done"] is True
    assert units_used(team) == 0


# --- Someone else's targets and jobs ---------------------------------------------------------


def test_another_workspaces_target_and_job_answer_404(web, team):
    stranger = UserFactory()
    project = ProjectFactory(client=ClientFactory(workspace=stranger.personal_workspace))
    job = SummaryJobFactory(project=project, status=SummaryJob.Status.QUEUED)

    assert summarize(web, project).status_code == 404
    assert summarize(web, project.client).status_code == 404
    assert web.get(f"/dashboard/ai/jobs/{job.pk}").status_code == 404
    assert not Summary.objects.exists()
    assert units_used(team) == 0


def test_another_targets_job_in_the_query_is_not_shown(web, team, acme, website):
    other = SummaryJobFactory(
        project=ProjectFactory(client=acme), status=SummaryJob.Status.FAILED, error="Not yours."
    )

    page = text(web.get(f"{page_of(website)}?job={other.pk}"))

    assert "Not yours." not in page
    assert "No summary yet." in page


def test_a_malformed_job_in_the_query_is_ignored(web, website):
    assert web.get(f"{page_of(website)}?job=not-a-uuid").status_code == 200


def test_the_status_endpoint_needs_a_signed_in_member(client, website):
    job = SummaryJobFactory(project=website, status=SummaryJob.Status.RUNNING)

    response = client.get(f"/dashboard/ai/jobs/{job.pk}")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The page's script, in a real browser ----------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_polls_the_running_job_and_shows_the_summary_when_it_is_done(live_server, request):
    # Rows first: once Playwright's event loop runs in this thread, Django refuses ORM calls.
    team = WorkspaceFactory(name="Harbour Studio")
    owner = member_of(team, Role.OWNER, name="Olive Owner")
    project = ProjectFactory(client=ClientFactory(workspace=team), name="Harbour Website")
    job = SummaryJobFactory(project=project, status=SummaryJob.Status.RUNNING)
    signed_in = Client()
    signed_in.force_login(owner)
    session = signed_in.session
    session["workspace_id"] = str(team.pk)
    session.save()

    def finish_the_job():
        try:
            summary = SummaryFactory(project=project, text="Polled into view.")
            SummaryJob.objects.filter(pk=job.pk).update(
                status=SummaryJob.Status.SUCCEEDED, summary=summary
            )
        finally:
            connection.close()

    browser = request.getfixturevalue("chromium")
    browser.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )
    page = browser.new_page()
    page.goto(f"{live_server.url}/dashboard/projects/{project.pk}/?job={job.pk}")
    assert page.get_by_text("Summarizing…").is_visible()

    # The worker's part, from another thread: this one now belongs to Playwright's loop.
    worker = threading.Thread(target=finish_the_job)
    worker.start()
    worker.join()

    page.get_by_text("Polled into view.").wait_for(timeout=10_000)
    assert not page.get_by_text("Summarizing…").is_visible()
