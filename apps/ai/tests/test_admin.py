"""The AI admin: staff read summaries and jobs; only the summarizing service writes them."""

import pytest
from django.urls import reverse

from apps.ai.models import Summary, SummaryJob
from apps.ai.tests.factories import SummaryFactory, SummaryJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    summary = SummaryFactory(text="Globex is on track.")
    job = SummaryJobFactory(project=summary.project, summary=summary)
    return summary, job


@pytest.mark.parametrize("model", ["summary", "summaryjob"])
def test_staff_list_and_open_summaries_and_jobs(staff_client, rows, model):
    obj = rows[0] if model == "summary" else rows[1]

    listed = staff_client.get(reverse(f"admin:ai_{model}_changelist"), {"q": ""})
    opened = staff_client.get(reverse(f"admin:ai_{model}_change", args=[obj.pk]))

    assert (listed.status_code, opened.status_code) == (200, 200)
    assert str(obj.pk) in opened.content.decode()


def test_staff_search_summaries_by_their_text(staff_client, rows):
    SummaryFactory(text="Initech is late.")

    response = staff_client.get(reverse("admin:ai_summary_changelist"), {"q": "Globex"})

    assert list(response.context["cl"].result_list) == [rows[0]]


@pytest.mark.parametrize("model", [Summary, SummaryJob])
def test_nothing_is_added_edited_or_deleted_there(staff_client, rows, model):
    name = model._meta.model_name
    obj = rows[0] if model is Summary else rows[1]

    assert staff_client.get(reverse(f"admin:ai_{name}_add")).status_code == 403
    assert staff_client.post(reverse(f"admin:ai_{name}_delete", args=[obj.pk])).status_code == 403
    staff_client.post(reverse(f"admin:ai_{name}_change", args=[obj.pk]), {"text": "Forged"})
    assert model.objects.filter(pk=obj.pk).exists()
    if model is Summary:
        obj.refresh_from_db()
        assert obj.text == "Globex is on track."
