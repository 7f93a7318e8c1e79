"""The files admin: staff list, search, filter and read files, edit nothing, and delete through
the service, so a deletion leaves its event, gives the storage back and drops the blob."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.files import services
from apps.files.models import FileAsset
from apps.files.tests import samples
from apps.files.tests.conftest import storage_used, stored_blobs
from apps.files.tests.factories import FileAssetFactory

CHANGELIST = reverse("admin:files_fileasset_changelist")


def uploaded(team, name="Contract.pdf", content=None):
    return services.upload_file(
        actor=team.owner,
        workspace=team.workspace,
        upload=SimpleUploadedFile(name, content or samples.pdf()),
        client=team.client,
    )


def _changelist_queries(staff_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_changelist_costs_the_same_queries_for_10_files_as_for_50(staff_client):
    FileAssetFactory.create_batch(10)
    with_ten = _changelist_queries(staff_client)
    FileAssetFactory.create_batch(40)

    assert _changelist_queries(staff_client) == with_ten


def test_staff_search_by_name_and_filter_by_type(staff_client, team):
    uploaded(team, "Contract.pdf")
    uploaded(team, "notes.txt", samples.txt())

    found = staff_client.get(CHANGELIST, {"q": "Contract"})
    texts = staff_client.get(CHANGELIST, {"content_type": "text/plain"})

    assert b"Contract.pdf" in found.content and b"notes.txt" not in found.content
    assert b"notes.txt" in texts.content and b"Contract.pdf" not in texts.content


def test_a_file_is_read_only_and_cannot_be_added_here(staff_client, team):
    file = uploaded(team)

    page = staff_client.get(reverse("admin:files_fileasset_change", args=[file.pk]))

    assert page.status_code == 200
    assert file.storage_key.encode() in page.content
    assert b'name="original_name"' not in page.content
    assert staff_client.get(reverse("admin:files_fileasset_add")).status_code == 403
    staff_client.post(
        reverse("admin:files_fileasset_change", args=[file.pk]), {"original_name": "x.pdf"}
    )
    file.refresh_from_db()
    assert file.original_name == "Contract.pdf"


def test_deleting_a_file_in_the_admin_goes_through_the_service(
    staff_client, staff, team, settings, django_capture_on_commit_callbacks
):
    file = uploaded(team)
    url = reverse("admin:files_fileasset_delete", args=[file.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, {"post": "yes"}).status_code == 302

    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []
    assert storage_used(team.workspace) == 0
    event = ActivityEvent.objects.get(verb=Verb.FILE_DELETED)
    assert (event.actor_id, event.target_id) == (staff.pk, file.pk)


def test_the_delete_action_deletes_each_file_through_the_service(
    staff_client, staff, team, settings, django_capture_on_commit_callbacks
):
    files = [uploaded(team, f"{n}.pdf") for n in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            CHANGELIST,
            {
                "action": "delete_selected",
                "_selected_action": [str(file.pk) for file in files],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []
    assert storage_used(team.workspace) == 0
    assert ActivityEvent.objects.filter(verb=Verb.FILE_DELETED, actor=staff).count() == 2
