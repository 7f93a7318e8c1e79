"""The services run: a real Celery worker on Redis sends a deadline reminder, and its email goes
out exactly once even when the broker delivers the job twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.crm.tests.factories import MilestoneFactory, ProjectFactory
from apps.notifications import tasks
from apps.notifications.models import EmailDelivery, Notification
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import WorkspaceFactory, member_of

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_reminds_of_a_milestone_due_tomorrow_once(celery_worker):
    team = WorkspaceFactory()
    owner = member_of(team, Role.OWNER, email="owner@example.com")
    milestone = MilestoneFactory(
        project=ProjectFactory(client__workspace=team),
        due_date=timezone.now().date() + timedelta(days=1),
    )

    # Beat's run, and the broker handing the same job out a second time.
    tasks.send_deadline_reminders.delay()
    tasks.send_deadline_reminders.delay()
    celery_worker("apps.notifications.tasks.send_deadline_reminders", (), 2)
    delivery = EmailDelivery.objects.get()
    celery_worker("apps.notifications.tasks.send_email", (str(delivery.pk),), 1)

    assert Notification.objects.filter(user=owner).count() == 1
    assert [email.to for email in mail.outbox] == [["owner@example.com"]]
    assert milestone.title in mail.outbox[0].body
    delivery.refresh_from_db()
    assert delivery.status == "sent"
