"""The audit log keeps events as long as the workspace's plan says, and its chain still
verifies after the old ones are gone."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.activity.chain import verify_workspace_chain
from apps.activity.models import ActivityEvent
from apps.billing.tasks import purge_expired_activity
from apps.crm.services import create_client
from apps.workspaces.services import create_workspace

from .factories import SubscriptionFactory, plan

pytestmark = pytest.mark.django_db


def history(user, name):
    """A workspace with events 400, 40 and 1 days old."""
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=400)):
        workspace = create_workspace(actor=user, name=name)
    for age in (40, 1):
        with time_machine.travel(now - timedelta(days=age)):
            create_client(workspace=workspace, actor=user, name=f"{age} days")
    return workspace


def ages(workspace) -> list[int]:
    now = timezone.now()
    return sorted(
        (now - at).days
        for at in ActivityEvent.objects.filter(workspace=workspace).values_list(
            "created_at", flat=True
        )
    )


def test_the_nightly_purge_follows_each_plan_and_the_chain_still_verifies(user):
    free = history(user, "On Free")
    business = history(user, "On Business")
    SubscriptionFactory(workspace=business, plan=plan("business"))  # writes no event

    purge_expired_activity()

    assert ages(free) == [1]  # 30 days on Free
    assert ages(business) == [1, 40, 400]  # 730 days on Business
    for workspace in (free, business):
        checked, broken = verify_workspace_chain(workspace.pk)
        assert broken is None and checked == len(ages(workspace))


def test_a_deletion_after_a_purge_is_still_caught(user):
    free = history(user, "On Free")
    purge_expired_activity()
    create_client(workspace=free, actor=user, name="After the purge")
    ActivityEvent.objects.filter(workspace=free).order_by("seq").first().delete()

    _, broken = verify_workspace_chain(free.pk)

    assert broken is not None and "missing" in broken.reason


def test_a_second_purge_finds_nothing_more(user):
    history(user, "On Free")
    assert purge_expired_activity() == 2
    assert purge_expired_activity() == 0
