"""The Gemini path with a real Celery worker on Redis: the request answers 202 before the job
runs, and the worker makes the summary (services run only)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from apps.ai.models import Summary
from apps.ai.tests.fake_gemini import DEFAULT_REPLY
from config.celery import app

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker():
    """A worker thread consuming the `ai` queue of the Redis broker, with eager mode off."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write() as connection:
            # Messages left by an interrupted run would name jobs of another database.
            app.amqp.queues["ai"].bind(connection).purge()
        with start_worker(app, perform_ping_check=False, queues=["ai"], shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = eager


def poll(api, url: str, *, until: set[str], seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        data = api.get(url).json()["data"]
        if data["status"] in until or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def test_the_request_answers_202_and_the_worker_makes_the_summary(user, login, gemini, worker):
    from apps.crm.tests.factories import ClientFactory, NoteFactory, ProjectFactory

    project = ProjectFactory(client=ClientFactory(workspace=user.personal_workspace))
    NoteFactory(project=project, body_text="Ship the redesign in May.")
    api = login(user)[0]
    gemini.slow_down(1.0)

    response = api.post(f"/api/v1/ai/summarize/project/{project.pk}")

    assert response.status_code == 202, response.content
    job = response.json()["data"]
    # Gemini takes a second to answer; the request did not wait for it.
    assert job["status"] in ("queued", "running")
    assert job["summary"] is None
    done = poll(api, job["pollUrl"], until={"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    assert done["summary"]["text"] == DEFAULT_REPLY
    assert Summary.objects.filter(project=project).count() == 1
    assert "Ship the redesign in May." in gemini.requests[0].prompt
