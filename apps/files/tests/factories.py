"""Rows made directly, without a stored blob or usage; use the API or `services.upload_file`
when a test needs the bytes, the quota or the event."""

import factory

from apps.crm.tests.factories import ClientFactory
from apps.files.models import FileAsset


class FileAssetFactory(factory.django.DjangoModelFactory):
    """A PDF on a client by default; pass `client=None, project=...` for a project's file."""

    class Meta:
        model = FileAsset

    client = factory.SubFactory(ClientFactory)
    project = None
    workspace = factory.LazyAttribute(lambda o: (o.client or o.project).workspace)
    original_name = factory.Sequence(lambda n: f"Document {n}.pdf")
    content_type = "application/pdf"
    size = 1234
    storage_key = factory.Sequence(lambda n: f"workspaces/test/files/{n}.pdf")
