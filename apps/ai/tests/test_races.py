"""Parallel summary requests, on PostgreSQL with real transactions."""

import pytest

from apps.ai.models import Summary, SummaryJob
from apps.billing.entitlements import Quota, spend, usage_of
from apps.billing.tests.factories import plan
from apps.crm.tests.factories import ClientFactory, NoteFactory, ProjectFactory
from apps.workspaces.tests.test_concurrency import run_together, statuses

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def used(workspace) -> int:
    return usage_of(workspace_id=workspace.pk, quota=Quota.AI_SUMMARIES).used


def test_ten_requests_for_the_last_unit_make_exactly_one_summary(user, login):
    workspace = user.personal_workspace
    for _ in range(plan("free").ai_summaries_per_month - 1):
        spend(workspace=workspace, quota=Quota.AI_SUMMARIES)
    client = ClientFactory(workspace=workspace)
    projects = [ProjectFactory(client=client, name=f"Racer {n}") for n in range(10)]
    apis = [login(user)[0] for _ in projects]

    results = run_together(
        *[
            (lambda api=api, pk=project.pk: api.post(f"/api/v1/ai/summarize/project/{pk}"))
            for api, project in zip(apis, projects, strict=True)
        ]
    )

    assert statuses(results) == [200] + [402] * 9
    refused = [r.json()["error"]["code"] for r in results if r.status_code == 402]
    assert set(refused) == {"AI_QUOTA_EXCEEDED"}
    assert Summary.objects.filter(workspace=workspace).count() == 1
    assert SummaryJob.objects.filter(workspace=workspace).count() == 1
    assert used(workspace) == plan("free").ai_summaries_per_month


def test_ten_requests_for_one_summary_make_it_once_and_pay_once(user, login):
    workspace = user.personal_workspace
    project = ProjectFactory(client=ClientFactory(workspace=workspace))
    NoteFactory(project=project, body_text="Everyone asks for this summary at once.")
    apis = [login(user)[0] for _ in range(10)]

    results = run_together(
        *[(lambda api=api: api.post(f"/api/v1/ai/summarize/project/{project.pk}")) for api in apis]
    )

    # The first makes it; the rest join its job (202) or, once it is done, get the cache (200).
    assert set(statuses(results)) <= {200, 202}
    made = [r.json()["data"] for r in results if r.status_code == 200]
    assert sum(1 for data in made if not data["cached"]) == 1
    assert Summary.objects.filter(project=project).count() == 1
    assert SummaryJob.objects.filter(project=project).count() == 1
    assert used(workspace) == 1
