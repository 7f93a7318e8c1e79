"""The weekly summary: Monday morning in each person's time zone, once a week, never empty."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from apps.crm import services as crm
from apps.crm.tests.factories import MilestoneFactory, ProjectFactory
from apps.notifications.models import EmailDelivery, Notification
from apps.notifications.weekly import send_weekly_summaries
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def team():
    return WorkspaceFactory(name="Studio")


def busy_week(team, owner):
    with time_machine.travel(MONDAY - timedelta(days=3)):
        crm.create_client(workspace=team, actor=owner, name="Globex")
    MilestoneFactory(
        project=ProjectFactory(client__workspace=team),
        title="Design sign-off",
        due_date=MONDAY.date() + timedelta(days=2),
    )


def test_monday_at_eight_local_sends_last_weeks_summary_once(
    team, django_capture_on_commit_callbacks
):
    owner = member_of(team, Role.OWNER, email="ada@example.com", timezone="Europe/Paris")
    busy_week(team, owner)

    with time_machine.travel(MONDAY.replace(hour=6, minute=30), tick=False):  # 07:30 in Paris
        assert send_weekly_summaries().sent == []
    for hour in (7, 8, 9):  # 08:00, 09:00, 10:00 in Paris: the hourly job runs again
        with (
            time_machine.travel(MONDAY.replace(hour=hour), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            send_weekly_summaries()

    # An email by default; no in-app row unless the person asks for one.
    assert not Notification.objects.filter(user=owner).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert "New clients: 1" in mail.outbox[0].body
    assert "Design sign-off" in mail.outbox[0].body


def test_a_quiet_week_sends_nothing(team):
    member_of(team, Role.OWNER, timezone="UTC")

    with time_machine.travel(MONDAY.replace(hour=9), tick=False):
        run = send_weekly_summaries()

    assert run.sent == [] and run.skipped_empty == 1
    assert not EmailDelivery.objects.exists()


def test_other_time_zones_wait_for_their_own_monday_morning(team):
    owner = member_of(team, Role.OWNER, timezone="America/New_York")
    busy_week(team, owner)

    with time_machine.travel(MONDAY.replace(hour=9), tick=False):  # 04:00 in New York
        assert send_weekly_summaries().sent == []
    with time_machine.travel(MONDAY.replace(hour=13), tick=False):  # 08:00 in New York
        assert send_weekly_summaries().sent == [owner.email]


def test_the_command_dry_run_sends_nothing(team, capsys):
    owner = member_of(team, Role.OWNER, email="ada@example.com", timezone="UTC")
    busy_week(team, owner)

    with time_machine.travel(MONDAY.replace(hour=9), tick=False):
        call_command("send_weekly_summaries", "--dry-run")

    assert "Would send the weekly summary to ada@example.com" in capsys.readouterr().out
    assert not EmailDelivery.objects.exists()
