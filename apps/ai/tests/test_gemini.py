"""Summaries by Gemini: a job on the `ai` queue (202, then poll), against a local server that
answers as Gemini's REST API does. Celery runs eagerly here, once the request's transaction
commits (so a job gets one try: there is no "later" inside a request), and google-genai's own
retries wait milliseconds. The worker's later tries are driven through the service, as the
task calls it."""

import pytest
import time_machine
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.ai import services, tasks
from apps.ai.models import Summary, SummaryJob
from apps.ai.providers import GeminiProvider, ProviderUnavailable
from apps.ai.tests.fake_gemini import DEFAULT_REPLY, TEST_API_KEY
from apps.billing.entitlements import Quota, usage_of
from apps.billing.models import UsageRecord
from apps.core.testing import data_of, error_of
from apps.crm.tests.factories import ClientFactory, NoteFactory, ProjectFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
JOB_KEYS = {
    "id", "status", "pollUrl", "target", "provider", "model", "attempts", "error", "summary",
    "createdAt", "startedAt", "finishedAt",
}  # fmt: skip


@pytest.fixture
def workspace(user):
    return user.personal_workspace


@pytest.fixture
def project(workspace):
    project = ProjectFactory(
        client=ClientFactory(workspace=workspace, name="Globex"), name="Shop relaunch"
    )
    NoteFactory(project=project, body_text="The payment sandbox is down again.")
    return project


def units_used(workspace) -> int:
    return usage_of(workspace_id=workspace.pk, quota=Quota.AI_SUMMARIES).used


def ask(api, project, capture):
    """POST the summary request; the job runs as the request's transaction commits."""
    with capture(execute=True) as callbacks:
        response = api.post(f"{API}/ai/summarize/project/{project.pk}")
    return response, callbacks


def test_a_gemini_summary_is_a_job_to_poll_that_ends_with_the_summary(
    user_client, user, workspace, project, gemini, django_capture_on_commit_callbacks
):
    response, callbacks = ask(user_client, project, django_capture_on_commit_callbacks)

    job = data_of(response, 202)
    assert set(job) == JOB_KEYS
    assert (job["status"], job["summary"], job["attempts"]) == ("queued", None, 0)
    assert job["pollUrl"] == f"{API}/ai/jobs/{job['id']}"
    assert len(callbacks) == 1
    polled = data_of(user_client.get(job["pollUrl"]))
    assert (polled["status"], polled["attempts"], polled["error"]) == ("succeeded", 1, None)
    summary = polled["summary"]
    assert summary["text"] == DEFAULT_REPLY
    assert (summary["provider"], summary["model"]) == ("gemini", "gemini-test-model")
    assert Summary.objects.get(pk=summary["id"]).project == project
    # The frozen copy of the notes goes once the job is done.
    assert SummaryJob.objects.get(pk=job["id"]).material == {}
    assert units_used(workspace) == 1
    event = ActivityEvent.objects.get(verb=Verb.AI_SUMMARY_CREATED)
    assert (event.actor, str(event.target_id)) == (user, summary["id"])

    (request,) = gemini.requests
    assert request.method == "POST"
    assert request.path == "/v1/models/gemini-test-model:generateContent"
    assert request.header("x-goog-api-key") == TEST_API_KEY
    assert "Project: Shop relaunch" in request.prompt
    assert "client 'Globex'" in request.prompt
    assert "The payment sandbox is down again." in request.prompt
    instruction = request.body["systemInstruction"]["parts"][0]["text"]
    assert instruction.startswith("You summarize a freelancer's records")


def test_asking_again_while_the_job_runs_joins_it_and_afterwards_gets_the_cache(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)
        second = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)
    third = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"))

    assert second["id"] == first["id"]
    assert third["cached"] is True
    assert len(gemini.requests) == 1
    assert units_used(workspace) == 1


def test_transient_failures_are_retried_with_backoff_and_the_job_succeeds(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    gemini.fail_next(2, status=503)

    response, _ = ask(user_client, project, django_capture_on_commit_callbacks)

    polled = data_of(user_client.get(data_of(response, 202)["pollUrl"]))
    assert (polled["status"], polled["attempts"]) == ("succeeded", 1)
    assert len(gemini.requests) == 3
    assert units_used(workspace) == 1


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_provider_that_stays_down_fails_the_job_clearly_and_spends_nothing(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks, status
):
    gemini.fail_next(100, status=status)

    response, _ = ask(user_client, project, django_capture_on_commit_callbacks)

    polled = data_of(user_client.get(data_of(response, 202)["pollUrl"]))
    assert (polled["status"], polled["attempts"]) == ("failed", 1)
    assert polled["error"] == {
        "code": "AI_PROVIDER_UNAVAILABLE",
        "message": f"The AI provider is not answering (HTTP {status}).",
    }
    assert polled["summary"] is None
    # The client's own retries: AI_MAX_RETRIES (2) after the first request.
    assert len(gemini.requests) == 3
    assert units_used(workspace) == 0
    job_id = polled["id"]
    assert sorted(
        UsageRecord.objects.filter(reference=f"ai_job:{job_id}").values_list("amount", flat=True)
    ) == [-1, 1]
    assert not Summary.objects.exists()
    assert not ActivityEvent.objects.filter(verb=Verb.AI_SUMMARY_CREATED).exists()


def test_a_refused_request_is_not_retried_and_fails_with_its_own_code(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    gemini.fail_next(1, status=400)

    response, _ = ask(user_client, project, django_capture_on_commit_callbacks)

    polled = data_of(user_client.get(data_of(response, 202)["pollUrl"]))
    assert (polled["status"], polled["attempts"]) == ("failed", 1)
    assert polled["error"] == {
        "code": "AI_PROVIDER_ERROR",
        "message": "The AI provider refused the request (HTTP 400).",
    }
    assert len(gemini.requests) == 1
    assert units_used(workspace) == 0


def test_a_wrong_api_key_fails_the_job_without_retrying(
    user_client, workspace, project, gemini, settings, django_capture_on_commit_callbacks
):
    settings.GEMINI_API_KEY = "not-the-key"

    response, _ = ask(user_client, project, django_capture_on_commit_callbacks)

    polled = data_of(user_client.get(data_of(response, 202)["pollUrl"]))
    assert polled["error"]["message"] == "The AI provider refused this server's credentials."
    assert gemini.requests[0].header("x-goog-api-key") == "not-the-key"
    assert len(gemini.requests) == 1
    assert units_used(workspace) == 0


def test_an_empty_answer_fails_the_job(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    gemini.reply("   ")

    response, _ = ask(user_client, project, django_capture_on_commit_callbacks)

    polled = data_of(user_client.get(data_of(response, 202)["pollUrl"]))
    assert polled["status"] == "failed"
    assert polled["error"]["message"] == (
        "The AI provider answered without a summary (finish reason: STOP)."
    )
    assert units_used(workspace) == 0


def test_the_circuit_opens_after_repeated_failures_and_then_fails_fast(
    user_client, workspace, gemini, settings, django_capture_on_commit_callbacks
):
    settings.AI_BREAKER_FAILURES = 2
    gemini.fail_next(1000, status=503)
    projects = [ProjectFactory(client=ClientFactory(workspace=workspace)) for _ in range(3)]

    for project in projects[:2]:
        ask(user_client, project, django_capture_on_commit_callbacks)
    reached = len(gemini.requests)
    response, _ = ask(user_client, projects[2], django_capture_on_commit_callbacks)

    # Two jobs reached Gemini (three requests each, all failing); the breaker refused the third.
    assert reached == 2 * 3
    assert len(gemini.requests) == reached
    polled = data_of(user_client.get(data_of(response, 202)["pollUrl"]))
    assert polled["error"] == {
        "code": "AI_PROVIDER_UNAVAILABLE",
        "message": "The AI provider has been failing; summaries are paused for a minute.",
    }
    assert units_used(workspace) == 0


def test_a_worker_retries_a_job_later_while_gemini_is_down_and_fails_it_on_the_last_try(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job_id = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)["id"]
    gemini.fail_next(1000, status=503)

    with pytest.raises(ProviderUnavailable):
        services.run_summary_job(job_id=job_id, final_attempt=False)

    job = SummaryJob.objects.get(pk=job_id)
    assert (job.status, job.attempts, job.error_code) == ("queued", 1, "AI_PROVIDER_UNAVAILABLE")
    assert job.error == "The AI provider is not answering (HTTP 503). Trying again shortly."
    assert "The payment sandbox is down again." in job.material["passages"]
    assert units_used(workspace) == 1

    assert services.run_summary_job(job_id=job_id, final_attempt=True) == "failed"
    job.refresh_from_db()
    assert (job.attempts, job.error) == (2, "The AI provider is not answering (HTTP 503).")
    assert job.material == {}
    assert units_used(workspace) == 0


def test_a_worker_retry_succeeds_once_gemini_is_back(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job_id = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)["id"]
    gemini.fail_next(3, status=503)
    with pytest.raises(ProviderUnavailable):
        services.run_summary_job(job_id=job_id, final_attempt=False)

    assert services.run_summary_job(job_id=job_id, final_attempt=False) == "succeeded"

    polled = data_of(user_client.get(f"{API}/ai/jobs/{job_id}"))
    assert (polled["attempts"], polled["error"]) == (2, None)
    assert polled["summary"]["text"] == DEFAULT_REPLY
    assert units_used(workspace) == 1


def test_a_task_delivered_twice_calls_gemini_once(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    response, _ = ask(user_client, project, django_capture_on_commit_callbacks)
    job_id = data_of(response, 202)["id"]

    assert tasks.make_summary.delay(job_id).get() == "succeeded"

    assert len(gemini.requests) == 1
    assert Summary.objects.count() == 1
    assert units_used(workspace) == 1


def test_a_running_job_is_left_to_its_worker_until_its_lease_ends(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job_id = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)["id"]
    SummaryJob.objects.filter(pk=job_id).update(status="running", updated_at=timezone.now())

    assert tasks.make_summary.delay(job_id).get() == "running"
    assert gemini.requests == []

    SummaryJob.objects.filter(pk=job_id).update(
        updated_at=timezone.now() - services.LEASE - services.LEASE / 10
    )
    assert tasks.make_summary.delay(job_id).get() == "succeeded"
    assert len(gemini.requests) == 1


def test_a_project_deleted_before_its_job_runs_fails_the_job_and_frees_the_unit(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_id = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)["id"]
    project.delete()

    for callback in callbacks:
        callback()

    job = SummaryJob.objects.get(pk=job_id)
    assert (job.status, job.error_code) == ("failed", "TARGET_DELETED")
    assert job.error == "The project was deleted before its summary was made."
    assert gemini.requests == []
    assert units_used(workspace) == 0


def test_a_job_whose_worker_died_is_failed_later_and_gives_its_unit_back(
    user_client, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job_id = data_of(user_client.post(f"{API}/ai/summarize/project/{project.pk}"), 202)["id"]
    assert units_used(workspace) == 1

    with time_machine.travel(timezone.now() + services.STALE_AFTER / 2):
        assert tasks.fail_stale_jobs.delay().get() == 0
    with time_machine.travel(timezone.now() + services.STALE_AFTER * 2):
        assert tasks.fail_stale_jobs.delay().get() == 1

    job = SummaryJob.objects.get(pk=job_id)
    assert (job.status, job.error_code) == ("failed", "AI_PROVIDER_UNAVAILABLE")
    assert units_used(workspace) == 0


def test_a_stale_job_does_not_block_a_new_request_for_the_same_material(
    login, user, workspace, project, gemini, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        stale = data_of(login(user)[0].post(f"{API}/ai/summarize/project/{project.pk}"), 202)

    with time_machine.travel(timezone.now() + services.STALE_AFTER * 2):
        api = login(user)[0]
        with django_capture_on_commit_callbacks(execute=True):
            fresh = data_of(api.post(f"{API}/ai/summarize/project/{project.pk}"), 202)
        polled = data_of(api.get(fresh["pollUrl"]))

    assert fresh["id"] != stale["id"]
    assert SummaryJob.objects.get(pk=stale["id"]).status == "failed"
    assert polled["status"] == "succeeded"
    assert units_used(workspace) == 1


def test_the_provider_answers_directly_when_called_outside_a_job(project, gemini):
    from apps.ai.material import material_for

    provider = GeminiProvider.from_settings()
    assert provider.summarize(material_for(project)) == DEFAULT_REPLY

    gemini.fail_next(3, status=503)
    with pytest.raises(ProviderUnavailable) as failure:
        provider.summarize(material_for(project))
    error = failure.value.as_api_error()
    assert (error.status_code, error.code, error.headers) == (
        503,
        "AI_PROVIDER_UNAVAILABLE",
        {"Retry-After": "30"},
    )


def test_polling_a_job_that_does_not_exist_is_404(user_client):
    missing = "00000000-0000-0000-0000-000000000000"

    error_of(user_client.get(f"{API}/ai/jobs/{missing}"), 404, "NOT_FOUND")
