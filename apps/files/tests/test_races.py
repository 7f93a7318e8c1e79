"""Uploads racing for the last bytes of a plan, on a real PostgreSQL: the quota's lock lets one
through, and no loser leaves a blob behind, whether the early look at the quota or the locked
spend (after its blob was written) refused it."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.billing.entitlements import free_plan
from apps.billing.models import Plan
from apps.crm import services as crm
from apps.files.models import FileAsset
from apps.files.tests import samples
from apps.files.tests.conftest import post_upload, storage_used, stored_blobs
from apps.workspaces import services as workspaces

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_parallel_uploads_with_room_for_one_store_exactly_one(settings, login):
    size = len(samples.pdf())
    Plan.objects.filter(pk=free_plan().pk).update(storage_bytes=size)
    owner = UserFactory()
    workspace = workspaces.create_workspace(actor=owner, name="Racing team")
    client = crm.create_client(workspace=workspace, actor=owner, name="Globex")
    header = {"HTTP_X_WORKSPACE_ID": str(workspace.pk)}
    apis = [login(owner)[0] for _ in range(10)]
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    lock = threading.Lock()

    def upload(api):
        try:
            barrier.wait()
            response = post_upload(
                api, reverse("files-upload"), "a.pdf", samples.pdf(), header, clientId=client.pk
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [402] * 9
    assert FileAsset.objects.count() == 1
    assert storage_used(workspace) == size
    assert len(stored_blobs(settings)) == 1
