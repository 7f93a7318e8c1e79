"""Deadline reminders: who hears of what, once, within their own window and time zone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from apps.crm.models import Project
from apps.crm.tests.factories import MilestoneFactory, ProjectFactory
from apps.notifications.models import EmailDelivery, Notification
from apps.notifications.reminders import send_deadline_reminders
from apps.notifications.services import update_preferences
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday
TODAY = NOON.date()


@pytest.fixture
def team():
    return WorkspaceFactory(name="Studio")


@pytest.fixture
def owner(team):
    return member_of(team, Role.OWNER, email="owner@example.com")


def run(**kwargs):
    with time_machine.travel(NOON, tick=False):
        return send_deadline_reminders(**kwargs)


def test_a_milestone_due_tomorrow_is_reminded_once_in_the_app_and_by_email(
    team, owner, django_capture_on_commit_callbacks
):
    milestone = MilestoneFactory(
        project=ProjectFactory(client__workspace=team), due_date=TODAY + timedelta(days=1)
    )
    for _ in range(3):  # the job run again, retried, or racing another worker
        with django_capture_on_commit_callbacks(execute=True):
            run()

    (notification,) = Notification.objects.filter(user=owner)
    assert notification.title == f"Milestone due tomorrow: {milestone.title}"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert milestone.title in mail.outbox[0].body
    assert EmailDelivery.objects.filter(status="sent").count() == 1


def test_each_person_is_reminded_by_their_own_window(team, owner):
    colleague = member_of(team, Role.MEMBER)
    update_preferences(user=colleague, reminder_window_days=5)
    MilestoneFactory(
        project=ProjectFactory(client__workspace=team), due_date=TODAY + timedelta(days=4)
    )

    run()

    assert not Notification.objects.filter(user=owner).exists()  # default window: 1 day
    assert Notification.objects.filter(user=colleague).count() == 1


def test_no_reminder_for_done_work_viewers_or_other_workspaces(team, owner):
    project = ProjectFactory(client__workspace=team)
    MilestoneFactory(project=project, due_date=TODAY, done=True)
    finished = ProjectFactory(client__workspace=team, status=Project.Status.COMPLETED)
    MilestoneFactory(project=finished, due_date=TODAY)
    viewer = member_of(team, Role.VIEWER)
    elsewhere = member_of(WorkspaceFactory())

    sent = run()

    assert sent.sent == []
    assert not Notification.objects.filter(user__in=[owner, viewer, elsewhere]).exists()


def test_a_project_due_today_and_its_new_date_are_each_reminded(team, owner):
    project = ProjectFactory(client__workspace=team, due_date=TODAY)
    run()
    project.due_date = TODAY + timedelta(days=1)
    project.save()
    run()
    run()

    titles = sorted(Notification.objects.filter(user=owner).values_list("title", flat=True))
    assert titles == [f"Project due today: {project.name}", f"Project due tomorrow: {project.name}"]


def test_the_day_is_counted_in_the_persons_time_zone(team):
    # 12:00 UTC Monday is already Tuesday 01:00 in Auckland: Tuesday's milestone is due today.
    kiwi = member_of(team, Role.OWNER, timezone="Pacific/Auckland")
    MilestoneFactory(
        project=ProjectFactory(client__workspace=team), due_date=TODAY + timedelta(days=2)
    )

    run()

    (notification,) = Notification.objects.filter(user=kiwi)
    assert "due tomorrow" in notification.title


def test_email_off_sends_no_email_but_keeps_the_notification(team, owner):
    update_preferences(user=owner, kinds={"deadline_reminder": {"email": False}})
    MilestoneFactory(project=ProjectFactory(client__workspace=team), due_date=TODAY)

    run()

    assert Notification.objects.filter(user=owner).count() == 1
    assert not EmailDelivery.objects.exists()


def test_the_command_dry_run_lists_and_sends_nothing(team, owner, capsys):
    milestone = MilestoneFactory(project=ProjectFactory(client__workspace=team), due_date=TODAY)

    with time_machine.travel(NOON, tick=False):
        call_command("send_deadline_reminders", "--dry-run")

    out = capsys.readouterr().out
    assert f"Would remind owner@example.com: {milestone.title} (due {TODAY:%Y-%m-%d})" in out
    assert not Notification.objects.exists() and not EmailDelivery.objects.exists()


def test_reminder_queries_do_not_grow_with_the_number_of_items(
    team, owner, django_assert_max_num_queries
):
    project = ProjectFactory(client__workspace=team)
    for n in range(10):
        MilestoneFactory(project=project, due_date=TODAY + timedelta(days=n % 2))
    with time_machine.travel(NOON, tick=False):
        send_deadline_reminders(dry_run=True)
    # Milestones, projects, memberships with people, preferences, and the reminders already
    # sent (in the app and by email).
    with django_assert_max_num_queries(6), time_machine.travel(NOON, tick=False):
        send_deadline_reminders(dry_run=True)
