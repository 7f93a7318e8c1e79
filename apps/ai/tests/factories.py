import factory

from apps.ai.models import Summary, SummaryJob, TargetType
from apps.crm.tests.factories import ProjectFactory


class SummaryFactory(factory.django.DjangoModelFactory):
    """A project's summary, made directly (no quota spent, no event)."""

    class Meta:
        model = Summary

    project = factory.SubFactory(ProjectFactory)
    client = None
    workspace = factory.LazyAttribute(lambda o: (o.project or o.client).workspace)
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    text = "The project is on track."
    provider = "extractive"
    model = "tf-v1"


class SummaryJobFactory(factory.django.DjangoModelFactory):
    """A finished job for a project's summary."""

    class Meta:
        model = SummaryJob

    project = factory.SubFactory(ProjectFactory)
    client = None
    target_type = factory.LazyAttribute(
        lambda o: TargetType.PROJECT if o.project else TargetType.CLIENT
    )
    workspace = factory.LazyAttribute(lambda o: (o.project or o.client).workspace)
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    provider = "gemini"
    model = "gemini-test-model"
    status = SummaryJob.Status.SUCCEEDED
    attempts = 1
