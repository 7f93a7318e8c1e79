"""Rows made directly (no activity events); use the services when a test needs the event."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.crm.models import Client, Milestone, Note, Project, TimeEntry
from apps.workspaces.tests.factories import WorkspaceFactory


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Faker("name")
    company = factory.Faker("company")
    email = factory.Sequence(lambda n: f"client{n}@example.com")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    name = factory.Sequence(lambda n: f"Project {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    workspace = factory.SelfAttribute("project.workspace")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    order = factory.Sequence(lambda n: n)


class NoteFactory(factory.django.DjangoModelFactory):
    """A note on a project by default; pass `project=None, client=...` for a client note."""

    class Meta:
        model = Note

    project = factory.SubFactory(ProjectFactory)
    client = None
    workspace = factory.LazyAttribute(lambda o: (o.project or o.client).workspace)
    body = "<p>Call notes</p>"
    body_text = "Call notes"


class TimeEntryFactory(factory.django.DjangoModelFactory):
    """A finished hour of billable work."""

    class Meta:
        model = TimeEntry

    project = factory.SubFactory(ProjectFactory)
    workspace = factory.SelfAttribute("project.workspace")
    user = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(hours=1))
    duration_seconds = 3600
    billable = True
